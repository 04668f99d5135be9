package com.example.oldjackson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.tools.McpTool;

import java.util.List;

/** Tools that do their JSON work with the Jackson this plugin bundles (2.12). */
public final class OldJacksonPlugin implements McpPlugin {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String name() {
        return "old-jackson";
    }

    @Override
    public List<Object> annotatedTools() {
        return List.of(this);
    }

    @McpTool(name = "jackson_version", description = "The version of Jackson this plugin runs on")
    public String jacksonVersion() {
        return PackageVersion.VERSION.toString();
    }

    /** What a JSON text holds, worked out with the plugin's Jackson. */
    public record Shape(String type, int size) {
    }

    @McpTool(name = "pretty_json", description = "Pretty-prints a JSON text")
    public String prettyJson(String json) throws Exception {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(MAPPER.readTree(json));
    }

    @McpTool(description = "Tells the type and size of a JSON text's top value")
    public Shape shape(String json) throws Exception {
        JsonNode node = MAPPER.readTree(json);
        return new Shape(node.getNodeType().name().toLowerCase(java.util.Locale.ROOT), node.size());
    }
}
