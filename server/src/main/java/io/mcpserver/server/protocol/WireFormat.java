package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.content.Annotations;
import io.mcpserver.spi.content.AudioContent;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.EmbeddedResource;
import io.mcpserver.spi.content.Icon;
import io.mcpserver.spi.content.ImageContent;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.content.ResourceLink;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.util.List;
import java.util.Map;

/**
 * Turns the SPI's plain records into MCP wire JSON and back. Fields that a negotiated revision
 * does not know (e.g. {@code title}, {@code structuredContent} before 2025-06-18) are left out.
 */
public final class WireFormat {

    private WireFormat() {
    }

    // ---- content ----

    public static ObjectNode content(Content content) {
        ObjectNode n = Json.object();
        switch (content) {
            case TextContent t -> {
                n.put("type", "text");
                n.put("text", t.text());
            }
            case ImageContent i -> {
                n.put("type", "image");
                n.put("data", i.data());
                n.put("mimeType", i.mimeType());
            }
            case AudioContent a -> {
                n.put("type", "audio");
                n.put("data", a.data());
                n.put("mimeType", a.mimeType());
            }
            case ResourceLink l -> {
                n.put("type", "resource_link");
                n.put("uri", l.uri());
                n.put("name", l.name());
                putIfNotNull(n, "title", l.title());
                putIfNotNull(n, "description", l.description());
                putIfNotNull(n, "mimeType", l.mimeType());
                if (l.size() != null) {
                    n.put("size", l.size());
                }
            }
            case EmbeddedResource e -> {
                n.put("type", "resource");
                n.set("resource", resourceContents(e.resource()));
            }
        }
        if (content instanceof ResourceLink l) {
            putIcons(n, l.icons());
        }
        if (content.annotations() != null) {
            n.set("annotations", annotations(content.annotations()));
        }
        putMeta(n, content.meta());
        return n;
    }

    public static ArrayNode contents(List<? extends Content> content) {
        ArrayNode a = Json.array();
        content.forEach(c -> a.add(content(c)));
        return a;
    }

    public static ObjectNode annotations(Annotations annotations) {
        ObjectNode n = Json.object();
        if (annotations.audience() != null) {
            ArrayNode a = n.putArray("audience");
            annotations.audience().forEach(r -> a.add(r.wireName()));
        }
        if (annotations.priority() != null) {
            n.put("priority", annotations.priority());
        }
        putIfNotNull(n, "lastModified", annotations.lastModified());
        return n;
    }

    public static ObjectNode resourceContents(ResourceContents contents) {
        ObjectNode n = Json.object();
        n.put("uri", contents.uri());
        putIfNotNull(n, "mimeType", contents.mimeType());
        switch (contents) {
            case ResourceContents.Text t -> n.put("text", t.text());
            case ResourceContents.Blob b -> n.put("blob", b.blob());
        }
        putMeta(n, contents.meta());
        return n;
    }

    /** Reads a content block sent by a client (sampling results). */
    public static Content parseContent(JsonNode n) {
        String type = Json.text(n, "type");
        if (type == null) {
            throw McpException.invalidParams("content block has no type");
        }
        try {
            return parseKnown(type, n);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw McpException.invalidParams("malformed " + type + " content block: " + e.getMessage());
        }
    }

    private static Content parseKnown(String type, JsonNode n) {
        return switch (type) {
            case "text" -> Content.text(textOrEmpty(n, "text"));
            case "image" -> Content.image(textOrEmpty(n, "data"), Json.text(n, "mimeType"));
            case "audio" -> Content.audio(textOrEmpty(n, "data"), Json.text(n, "mimeType"));
            case "resource_link" -> ResourceLink.builder(Json.text(n, "uri"), Json.text(n, "name"))
                    .title(Json.text(n, "title")).description(Json.text(n, "description"))
                    .mimeType(Json.text(n, "mimeType")).build();
            case "resource" -> {
                JsonNode r = n.path("resource");
                yield EmbeddedResource.of(r.has("blob")
                        ? ResourceContents.blob(Json.text(r, "uri"), Json.text(r, "mimeType"), textOrEmpty(r, "blob"))
                        : ResourceContents.text(Json.text(r, "uri"), Json.text(r, "mimeType"), textOrEmpty(r, "text")));
            }
            default -> Content.text(Json.write(n));
        };
    }

    // ---- tools ----

    public static ObjectNode tool(ToolDescriptor d, ProtocolVersion v) {
        ObjectNode n = Json.object();
        n.put("name", d.name());
        if (modernFields(v)) {
            putIfNotNull(n, "title", d.title());
        }
        putIfNotNull(n, "description", d.description());
        n.set("inputSchema", Json.toTree(d.inputSchema()));
        if (d.outputSchema() != null && modernFields(v)) {
            n.set("outputSchema", Json.toTree(d.outputSchema()));
        }
        if (d.annotations() != null && v.atLeast(ProtocolVersion.V2025_03_26)) {
            n.set("annotations", toolAnnotations(d.annotations()));
        }
        if (d.taskSupport() != TaskSupport.FORBIDDEN && v == ProtocolVersion.V2025_11_25) {
            n.putObject("execution").put("taskSupport", d.taskSupport().wireName()); // 2026-07-28: the extension's
        }
        putIcons(n, d.icons());
        putMeta(n, d.meta());
        return n;
    }

    private static ObjectNode toolAnnotations(ToolAnnotations a) {
        ObjectNode n = Json.object();
        putIfNotNull(n, "title", a.title());
        if (a.readOnlyHint() != null) {
            n.put("readOnlyHint", a.readOnlyHint());
        }
        if (a.destructiveHint() != null) {
            n.put("destructiveHint", a.destructiveHint());
        }
        if (a.idempotentHint() != null) {
            n.put("idempotentHint", a.idempotentHint());
        }
        if (a.openWorldHint() != null) {
            n.put("openWorldHint", a.openWorldHint());
        }
        return n;
    }

    public static ObjectNode toolResult(ToolResult r, ProtocolVersion v) {
        ObjectNode n = Json.object();
        n.set("content", contents(r.content()));
        if (r.structuredContent() != null && modernFields(v)) {
            n.set("structuredContent", Json.toTree(r.structuredContent()));
        }
        if (r.isError()) {
            n.put("isError", true);
        }
        putMeta(n, r.meta());
        return n;
    }

    // ---- resources ----

    public static ObjectNode resource(ResourceDescriptor d, ProtocolVersion v) {
        ObjectNode n = Json.object();
        n.put("uri", d.uri());
        n.put("name", d.name());
        if (modernFields(v)) {
            putIfNotNull(n, "title", d.title());
        }
        putIfNotNull(n, "description", d.description());
        putIfNotNull(n, "mimeType", d.mimeType());
        if (d.size() != null) {
            n.put("size", d.size());
        }
        if (d.annotations() != null) {
            n.set("annotations", annotations(d.annotations()));
        }
        putIcons(n, d.icons());
        putMeta(n, d.meta());
        return n;
    }

    public static ObjectNode resourceTemplate(ResourceTemplateDescriptor d, ProtocolVersion v) {
        ObjectNode n = Json.object();
        n.put("uriTemplate", d.uriTemplate());
        n.put("name", d.name());
        if (modernFields(v)) {
            putIfNotNull(n, "title", d.title());
        }
        putIfNotNull(n, "description", d.description());
        putIfNotNull(n, "mimeType", d.mimeType());
        if (d.annotations() != null) {
            n.set("annotations", annotations(d.annotations()));
        }
        putIcons(n, d.icons());
        putMeta(n, d.meta());
        return n;
    }

    // ---- prompts ----

    public static ObjectNode prompt(PromptDescriptor d, ProtocolVersion v) {
        ObjectNode n = Json.object();
        n.put("name", d.name());
        if (modernFields(v)) {
            putIfNotNull(n, "title", d.title());
        }
        putIfNotNull(n, "description", d.description());
        if (!d.arguments().isEmpty()) {
            ArrayNode args = n.putArray("arguments");
            for (PromptDescriptor.Argument a : d.arguments()) {
                ObjectNode an = args.addObject();
                an.put("name", a.name());
                if (modernFields(v)) {
                    putIfNotNull(an, "title", a.title());
                }
                putIfNotNull(an, "description", a.description());
                an.put("required", a.required());
            }
        }
        putIcons(n, d.icons());
        putMeta(n, d.meta());
        return n;
    }

    public static ObjectNode promptResult(PromptResult r) {
        ObjectNode n = Json.object();
        putIfNotNull(n, "description", r.description());
        ArrayNode messages = n.putArray("messages");
        for (PromptResult.Message m : r.messages()) {
            ObjectNode mn = messages.addObject();
            mn.put("role", m.role().wireName());
            mn.set("content", content(m.content()));
        }
        return n;
    }

    public static ObjectNode completion(Completion c) {
        ObjectNode n = Json.object();
        ObjectNode completion = n.putObject("completion");
        List<String> values = c.values().size() > 100 ? c.values().subList(0, 100) : c.values();
        ArrayNode a = completion.putArray("values");
        values.forEach(a::add);
        if (c.total() != null) {
            completion.put("total", c.total());
        }
        completion.put("hasMore", c.hasMore() || values.size() < c.values().size());
        return n;
    }

    public static Role role(String wire) {
        return wire == null ? Role.ASSISTANT : Role.fromWire(wire);
    }

    private static boolean modernFields(ProtocolVersion v) {
        return v == null || v.atLeast(ProtocolVersion.V2025_06_18);
    }

    /** Icons arrived with 2025-11-25; older clients ignore unknown fields, so they are sent to every revision. */
    private static void putIcons(ObjectNode n, List<Icon> icons) {
        if (icons.isEmpty()) {
            return;
        }
        ArrayNode a = n.putArray("icons");
        for (Icon icon : icons) {
            ObjectNode i = a.addObject();
            i.put("src", icon.src());
            putIfNotNull(i, "mimeType", icon.mimeType());
            if (!icon.sizes().isEmpty()) {
                ArrayNode sizes = i.putArray("sizes");
                icon.sizes().forEach(sizes::add);
            }
            putIfNotNull(i, "theme", icon.theme());
        }
    }

    private static void putMeta(ObjectNode n, Map<String, Object> meta) {
        if (!meta.isEmpty()) {
            n.set("_meta", Json.toTree(meta));
        }
    }

    private static String textOrEmpty(JsonNode n, String field) {
        String s = Json.text(n, field);
        return s == null ? "" : s;
    }

    private static void putIfNotNull(ObjectNode n, String field, String value) {
        if (value != null) {
            n.put(field, value);
        }
    }
}
