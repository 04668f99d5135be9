package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ClientRequestException;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.EmbeddedResource;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools the conformance suite's server scenarios call. Names, arguments and returned content
 * follow the suite's expectations (see README.md next to the pom); wording not checked by it is ours.
 */
final class ConformanceTools {

    static final String SIMPLE_TEXT = "This is a simple text response for testing.";
    static final String EMBEDDED_TEXT = "This is an embedded resource content.";
    static final String ERROR_MESSAGE = "This tool intentionally returns an error for testing";
    static final String SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema";
    /** Pause between the steps of the logging and progress tools: the suite wants them spread out. */
    static final Duration STEP = Duration.ofMillis(50);

    private final Duration reconnectionDelay;

    ConformanceTools(Duration reconnectionDelay) {
        this.reconnectionDelay = reconnectionDelay;
    }

    List<Tool> all() {
        List<Tool> all = new java.util.ArrayList<>(own());
        all.addAll(TaskFixtures.all());
        all.addAll(InputFixtures.tools());
        return all;
    }

    private List<Tool> own() {
        return List.of(
                Tool.of(noArgs("test_simple_text", "Returns one text block"),
                        (args, ctx) -> ToolResult.text(SIMPLE_TEXT)),
                Tool.of(noArgs("test_image_content", "Returns one image block: a 1x1 red PNG"),
                        (args, ctx) -> ToolResult.of(Content.image(TestMedia.RED_PIXEL_PNG, "image/png"))),
                Tool.of(noArgs("test_audio_content", "Returns one audio block: a short silent WAV"),
                        (args, ctx) -> ToolResult.of(Content.audio(TestMedia.SILENCE_WAV, "audio/wav"))),
                Tool.of(noArgs("test_embedded_resource", "Returns one embedded text resource"),
                        (args, ctx) -> ToolResult.of(EmbeddedResource.of(
                                ResourceContents.text("test://embedded-resource", "text/plain", EMBEDDED_TEXT)))),
                Tool.of(noArgs("test_multiple_content_types", "Returns a text, an image and an embedded resource"),
                        (args, ctx) -> multipleContentTypes()),
                Tool.of(noArgs("test_tool_with_logging",
                        "Sends three info log notifications, 50 ms apart, while it runs"), this::withLogging),
                Tool.of(noArgs("test_tool_with_progress",
                        "Reports progress 0, 50 and 100 of 100, 50 ms apart, when the call has a progress token"),
                        this::withProgress),
                Tool.of(noArgs("test_error_handling", "Always fails, so that the result has isError: true"),
                        (args, ctx) -> {
                            throw new ToolException(ERROR_MESSAGE);
                        }),
                Tool.of(ToolDescriptor.builder("test_sampling")
                                .description("Asks the client's model (sampling/createMessage) to answer the prompt "
                                        + "and returns its answer")
                                .param("prompt", "string", "The prompt to send to the LLM", true)
                                .build(),
                        ConformanceTools::sampling),
                Tool.of(ToolDescriptor.builder("test_elicitation")
                                .description("Asks the user (elicitation/create) for a username and an email "
                                        + "address and returns the answer")
                                .param("message", "string", "The message to show the user", true)
                                .build(),
                        (args, ctx) -> elicit(ctx, String.valueOf(args.get("message")), contactSchema(),
                                "User response: ")),
                Tool.of(noArgs("test_elicitation_sep1034_defaults",
                                "Elicits a form whose fields all carry default values (SEP-1034)"),
                        (args, ctx) -> elicit(ctx, "Please review and update the form fields with defaults",
                                defaultsSchema(), "Elicitation completed: ")),
                Tool.of(noArgs("test_elicitation_sep1330_enums",
                                "Elicits a form with the five kinds of enum field (SEP-1330)"),
                        (args, ctx) -> elicit(ctx, "Please select options from the enum fields", enumsSchema(),
                                "Elicitation completed: ")),
                Tool.of(ToolDescriptor.builder("json_schema_2020_12_tool")
                                .description("Has an input schema using JSON Schema 2020-12 keywords ($schema, $defs, "
                                        + "$ref, additionalProperties) that must reach the client unchanged (SEP-1613)")
                                .inputSchema(schema2020())
                                .build(),
                        (args, ctx) -> ToolResult.text("json_schema_2020_12_tool received " + Json.write(args))),
                Tool.of(noArgs("test_reconnection",
                                "Runs for a while so that the server can close the call's SSE stream mid-call; the "
                                        + "result arrives after the client reconnects (SEP-1699)"),
                        this::reconnection));
    }

    private static ToolDescriptor noArgs(String name, String description) {
        return ToolDescriptor.builder(name).description(description).build();
    }

    static ToolResult multipleContentTypes() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("test", "data");
        data.put("value", 123);
        return ToolResult.of(
                Content.text("Multiple content types test:"),
                Content.image(TestMedia.RED_PIXEL_PNG, "image/png"),
                EmbeddedResource.of(ResourceContents.text("test://mixed-content-resource", "application/json",
                        Json.write(data))));
    }

    private ToolResult withLogging(Map<String, Object> args, ToolContext ctx) throws InterruptedException {
        ctx.log(LogLevel.INFO, "conformance", "Tool execution started");
        Thread.sleep(STEP);
        ctx.log(LogLevel.INFO, "conformance", "Tool processing data");
        Thread.sleep(STEP);
        ctx.log(LogLevel.INFO, "conformance", "Tool execution completed");
        return ToolResult.text("Sent three log messages");
    }

    private ToolResult withProgress(Map<String, Object> args, ToolContext ctx) throws InterruptedException {
        ctx.progress(0, 100.0, "Step 0 of 100");
        Thread.sleep(STEP);
        ctx.progress(50, 100.0, "Step 50 of 100");
        Thread.sleep(STEP);
        ctx.progress(100, 100.0, "Step 100 of 100");
        return ToolResult.text("Reported progress 0, 50 and 100 of 100");
    }

    private ToolResult reconnection(Map<String, Object> args, ToolContext ctx) throws InterruptedException {
        Thread.sleep(reconnectionDelay);
        ctx.checkCancelled();
        return ToolResult.text("Reconnection test completed: this result was delivered after "
                + reconnectionDelay.toMillis() + " ms");
    }

    private static ToolResult sampling(Map<String, Object> args, ToolContext ctx) throws InterruptedException {
        if (!ctx.clientSupports(ClientFeature.SAMPLING)) {
            return ToolResult.error("The client does not support sampling");
        }
        try {
            SamplingResult answer = ctx.sample(SamplingRequest.ofUserText(String.valueOf(args.get("prompt")), 100));
            return ToolResult.text("LLM response: " + (answer.text() == null ? "[non-text content]" : answer.text()));
        } catch (UnsupportedByClientException e) {
            return ToolResult.error("The client does not support sampling");
        } catch (ClientRequestException e) {
            return ToolResult.error("Sampling failed: " + e.getMessage());
        }
    }

    private static ToolResult elicit(ToolContext ctx, String message, Map<String, Object> schema, String prefix)
            throws InterruptedException {
        if (!ctx.clientSupports(ClientFeature.ELICITATION)) {
            return ToolResult.error("The client does not support elicitation");
        }
        try {
            ElicitationResult result = ctx.elicit(message, schema);
            return ToolResult.text(prefix + "action=" + result.action() + ", content=" + Json.write(result.content()));
        } catch (UnsupportedByClientException e) {
            return ToolResult.error("The client does not support elicitation");
        } catch (ClientRequestException e) {
            return ToolResult.error("Elicitation failed: " + e.getMessage());
        }
    }

    static Map<String, Object> contactSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("username", Map.of("type", "string", "description", "User's response"));
        properties.put("email", Map.of("type", "string", "description", "User's email address"));
        return object(properties, List.of("username", "email"));
    }

    static Map<String, Object> defaultsSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("name", Map.of("type", "string", "description", "Name", "default", "John Doe"));
        properties.put("age", Map.of("type", "integer", "description", "Age in years", "default", 30));
        properties.put("score", Map.of("type", "number", "description", "Score", "default", 95.5));
        properties.put("status", Map.of("type", "string", "description", "Account status",
                "enum", List.of("active", "inactive", "pending"), "default", "active"));
        properties.put("verified", Map.of("type", "boolean", "description", "Whether verified", "default", true));
        return object(properties, null);
    }

    static Map<String, Object> enumsSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("untitledSingle", Map.of("type", "string", "description", "Pick one",
                "enum", List.of("option1", "option2", "option3")));
        properties.put("titledSingle", Map.of("type", "string", "description", "Pick one (titled)",
                "oneOf", List.of(titled("value1", "First Option"), titled("value2", "Second Option"),
                        titled("value3", "Third Option"))));
        properties.put("legacyEnum", Map.of("type", "string", "description", "Pick one (legacy titles)",
                "enum", List.of("opt1", "opt2", "opt3"),
                "enumNames", List.of("Option One", "Option Two", "Option Three")));
        properties.put("untitledMulti", Map.of("type", "array", "description", "Pick any",
                "minItems", 1, "maxItems", 3,
                "items", Map.of("type", "string", "enum", List.of("option1", "option2", "option3"))));
        properties.put("titledMulti", Map.of("type", "array", "description", "Pick any (titled)",
                "minItems", 1, "maxItems", 3,
                "items", Map.of("anyOf", List.of(titled("value1", "First Choice"), titled("value2", "Second Choice"),
                        titled("value3", "Third Choice")))));
        return object(properties, null);
    }

    private static Map<String, Object> titled(String value, String title) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("const", value);
        m.put("title", title);
        return m;
    }

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        if (required != null) {
            schema.put("required", required);
        }
        return schema;
    }

    /** The suite's schema: SEP-1613 keywords, and SEP-2106's $anchor, allOf/anyOf and if/then/else. */
    static Map<String, Object> schema2020() {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("$anchor", "addressDef");
        address.put("type", "object");
        address.put("properties", Map.of("street", Map.of("type", "string"), "city", Map.of("type", "string")));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("name", Map.of("type", "string"));
        properties.put("address", Map.of("$ref", "#/$defs/address"));
        properties.put("contactMethod", Map.of("type", "string", "enum", List.of("phone", "email")));
        properties.put("phone", Map.of("type", "string"));
        properties.put("email", Map.of("type", "string"));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", SCHEMA_2020_12);
        schema.put("type", "object");
        schema.put("$defs", Map.of("address", address));
        schema.put("properties", properties);
        schema.put("allOf", List.of(Map.of("anyOf", List.of(Map.of("required", List.of("phone")),
                Map.of("required", List.of("email"))))));
        schema.put("if", Map.of("properties", Map.of("contactMethod", Map.of("const", "phone")),
                "required", List.of("contactMethod")));
        schema.put("then", Map.of("required", List.of("phone")));
        schema.put("else", Map.of("required", List.of("email")));
        schema.put("additionalProperties", false);
        return schema;
    }
}
