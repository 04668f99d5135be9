package io.mcpserver.spi;

import io.mcpserver.spi.content.Annotations;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.EmbeddedResource;
import io.mcpserver.spi.content.Icon;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.content.ResourceLink;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The value types: builders, the null rules, and the deprecated constructors old plugins link against. */
@SuppressWarnings("deprecation")
class ValueTypesTest {

    @Test
    void deprecatedConstructorsBuildTheSameValuesAsBuilders() {
        Map<String, Object> schema = Map.of("type", "object");
        assertEquals(ToolDescriptor.builder("t").title("T").description("d").inputSchema(schema)
                        .annotations(ToolAnnotations.readOnly()).build(),
                new ToolDescriptor("t", "T", "d", schema, null, new ToolAnnotations(null, true, false, true, false)));
        assertEquals(ToolResult.structured(Map.of("a", 1), "x"),
                new ToolResult(List.of(Content.text("x")), Map.of("a", 1), false));
        assertEquals(Caller.builder("ada").scopes(Set.of("s")).transport("tcp").clientId("tcp-1").build(),
                new Caller("ada", Set.of("s"), null, "tcp", "tcp-1", null));
        assertEquals(ResourceDescriptor.of("a://b", "b", "d", "text/plain"),
                new ResourceDescriptor("a://b", "b", null, "d", "text/plain", null, null));
        assertEquals(ResourceTemplateDescriptor.of("a://{x}", "x", "d", null),
                new ResourceTemplateDescriptor("a://{x}", "x", null, "d", null, null));
        assertEquals(PromptDescriptor.of("p", "d", PromptDescriptor.Argument.of("a", "b", true)),
                new PromptDescriptor("p", null, "d", List.of(new PromptDescriptor.Argument("a", "b", true))));
        assertEquals(Content.text("x"), new TextContent("x", null));
        assertEquals(ResourceContents.text("a://b", "text/plain", "x"), new ResourceContents.Text("a://b", "text/plain", "x"));
        assertEquals(ResourceLink.of("a://b", "b"), new ResourceLink("a://b", "b", null, null, null, null, null));
        assertEquals(EmbeddedResource.of(ResourceContents.blob("a://b", null, "AA==")),
                new EmbeddedResource(new ResourceContents.Blob("a://b", null, "AA=="), null));
        assertEquals(Annotations.builder().audience(Role.USER).priority(0.5).build(),
                new Annotations(List.of(Role.USER), 0.5, null));
    }

    @Test
    void absentValuesFollowOneRule() {
        ToolDescriptor tool = ToolDescriptor.builder("t").build();
        assertNull(tool.title());
        assertNull(tool.outputSchema());
        assertEquals(Map.of("type", "object", "properties", Map.of()), tool.inputSchema());
        assertEquals(List.of(), tool.icons());
        assertEquals(Map.of(), tool.meta());
        ToolResult empty = ToolResult.builder().content(null).meta(null).build();
        assertEquals(List.of(), empty.content());
        assertNull(empty.structuredContent());
        assertEquals(Map.of(), empty.meta());
        assertEquals(ToolResult.empty(), empty);
        Caller caller = Caller.builder("a").build();
        assertEquals(Set.of(), caller.scopes());
        assertEquals(Map.of(), caller.clientInfo());
        assertEquals(List.of(), PromptDescriptor.builder("p").arguments(null).build().arguments());
    }

    @Test
    void requiredNamesMustNotBeBlank() {
        var e = assertThrows(IllegalArgumentException.class, () -> ToolDescriptor.builder(" ").build());
        assertEquals("tool name must not be blank", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResourceDescriptor.builder("a://b", null).build());
        assertThrows(IllegalArgumentException.class, () -> ResourceTemplateDescriptor.builder("", "n").build());
        assertThrows(IllegalArgumentException.class, () -> PromptDescriptor.Argument.of("", null, false));
        assertThrows(IllegalArgumentException.class, () -> Caller.builder(null).build());
        assertThrows(IllegalArgumentException.class, () -> Icon.of(""));
        assertThrows(IllegalArgumentException.class, () -> Content.image("AA==", null));
    }

    @Test
    void valuesAreCopiedSoTheyNeverChangeAfterBuild() {
        Map<String, Object> structured = new HashMap<>();
        structured.put("a", null); // JSON null is a legal structured value
        List<Content> blocks = new ArrayList<>(List.of(Content.text("x")));
        ToolResult result = ToolResult.builder().content(blocks).structuredContent(structured).build();
        structured.put("b", 2);
        blocks.clear();
        assertEquals(1, result.content().size());
        assertEquals(1, result.structuredContent().size());
        assertTrue(result.structuredContent().containsKey("a"));
        assertThrows(UnsupportedOperationException.class, () -> result.structuredContent().put("c", 3));
    }

    @Test
    void toBuilderDerivesAChangedCopy() {
        ToolDescriptor tool = ToolDescriptor.builder("t").title("T").icons(List.of(Icon.of("https://x/i.png")))
                .meta(Map.of("k", "v")).build();
        ToolDescriptor changed = tool.toBuilder().description("now described").build();
        assertEquals("now described", changed.description());
        assertEquals(tool.icons(), changed.icons());
        assertEquals(tool.meta(), changed.meta());
        assertEquals(tool, changed.toBuilder().description(null).build());
        Caller caller = Caller.builder("a").roles(Set.of("r")).build();
        assertEquals(caller, caller.toBuilder().build());
        assertTrue(caller.toBuilder().transport("tcp").build().hasRole("r"));
    }
}
