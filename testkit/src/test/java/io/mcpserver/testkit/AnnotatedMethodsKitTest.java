package io.mcpserver.testkit;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.McpCompletion;
import io.mcpserver.spi.prompts.McpPrompt;
import io.mcpserver.spi.resources.McpResource;
import io.mcpserver.spi.tools.Param;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Prompts, resources, resource templates and completions written as annotated methods, seen by a real client. */
class AnnotatedMethodsKitTest {

    public static final class Notes {
        private final Map<String, String> notes = Map.of("1", "buy milk", "2", "call Ada");

        @McpPrompt(name = "summarize", title = "Summarize", description = "Summarizes the notes")
        public String summarize(@Param(description = "Only notes containing this") Optional<String> filter,
                                @Param(description = "Tone") String tone, RequestContext context) {
            return "In a " + tone + " tone, summarize: " + notes.values().stream()
                    .filter(n -> filter.map(n::contains).orElse(true)).sorted().toList();
        }

        @McpResource(uri = "notes://index", mimeType = "text/markdown", description = "Every note id")
        public String index() {
            return String.join("\n", notes.keySet().stream().sorted().toList());
        }

        @McpResource(uri = "notes://note/{id}", name = "note")
        public String note(String id) {
            return notes.get(id); // null: not found
        }

        @McpCompletion(prompt = "summarize", argument = "tone")
        public List<String> tones(String prefix) {
            return Completion.filter(List.of("formal", "friendly", "funny"), prefix).values();
        }

        @McpCompletion(resourceTemplate = "notes://note/{id}", argument = "id")
        public Completion ids(String prefix, Map<String, String> resolved) {
            return Completion.filter(notes.keySet(), prefix);
        }
    }

    public static final class Plugin implements McpPlugin {
        @Override
        public String name() {
            return "notes";
        }

        @Override
        public List<Object> annotatedTools() {
            return List.of(new Notes());
        }
    }

    @Test
    void promptsResourcesTemplatesAndCompletionsFromAnnotations() throws Exception {
        try (McpTestServer server = McpTestServer.with(Plugin.class).start();
             McpTestClient client = server.client()) {
            Map<String, Object> prompt = client.listPrompts().getFirst();
            assertEquals("summarize", prompt.get("name"));
            assertEquals(List.of(Map.of("name", "filter", "description", "Only notes containing this",
                            "required", false), Map.of("name", "tone", "description", "Tone", "required", true)),
                    prompt.get("arguments"));
            assertEquals("In a formal tone, summarize: [call Ada]",
                    client.getPrompt("summarize", Map.of("tone", "formal", "filter", "Ada")).text());
            assertEquals("1\n2", client.readResource("notes://index").text());
            assertEquals("call Ada", client.readResource("notes://note/2").text());
            assertEquals(-32002, assertThrows(McpTestClient.McpError.class,
                    () -> client.readResource("notes://note/9")).code());
            assertEquals("notes://note/{id}", client.listResourceTemplates().getFirst().get("uriTemplate"));
            assertEquals(List.of("formal", "friendly", "funny"), client.completePrompt("summarize", "tone", "f").values());
            assertEquals(List.of("2"), client.completeResourceTemplate("notes://note/{id}", "id", "2").values());
        }
    }
}
