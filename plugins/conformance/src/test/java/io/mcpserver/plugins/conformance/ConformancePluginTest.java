package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.testkit.RecordingToolContext;
import io.mcpserver.testkit.TestPluginContext;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.SamplingResult;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.content.AudioContent;
import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.content.EmbeddedResource;
import io.mcpserver.spi.content.ImageContent;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.content.Role;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceNotFoundException;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformancePluginTest {

    private ConformancePlugin plugin;
    private Map<String, Tool> tools;

    @BeforeEach
    void init() throws Exception {
        plugin = new ConformancePlugin();
        plugin.init(TestPluginContext.of("conformance").config(Map.of("watched-resource-interval-ms", 0, "reconnection-delay-ms", 10)));
        tools = plugin.tools().stream().collect(Collectors.toMap(t -> t.descriptor().name(), Function.identity()));
    }

    @AfterEach
    void close() throws Exception {
        plugin.close();
    }

    private ToolResult call(String name, Map<String, Object> args, RecordingToolContext ctx) throws Exception {
        return tools.get(name).call(args, ctx);
    }

    private ToolResult call(String name) throws Exception {
        return call(name, Map.of(), new RecordingToolContext());
    }

    private static String onlyText(ToolResult r) {
        assertEquals(1, r.content().size());
        return ((TextContent) r.content().getFirst()).text();
    }

    @Test
    void offByDefault() {
        assertFalse(plugin.enabledByDefault());
        assertEquals("conformance", plugin.name());
    }

    @Test
    void offersExactlyTheSuitesTools() {
        // the stable suite's (0.1.16), then the alpha suite's: tasks, multi-round, stateless, headers
        assertEquals(List.of("confirm_delete", "failing_job", "greet", "json_schema_2020_12_tool", "multi_input",
                        "protocol_error_job", "slow_compute", "test_audio_content", "test_elicitation",
                        "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "test_embedded_resource",
                        "test_error_handling", "test_header_param", "test_image_content",
                        "test_input_required_result_capabilities", "test_input_required_result_elicitation",
                        "test_input_required_result_list_roots", "test_input_required_result_multi_round",
                        "test_input_required_result_multiple_inputs", "test_input_required_result_request_state",
                        "test_input_required_result_sampling", "test_input_required_result_tampered_state",
                        "test_logging_tool", "test_missing_capability", "test_multiple_content_types",
                        "test_reconnection", "test_sampling", "test_simple_text", "test_streaming_elicitation",
                        "test_tool_with_logging", "test_tool_with_progress", "test_tool_with_task",
                        "test_trigger_prompt_change", "test_trigger_tool_change"),
                tools.keySet().stream().sorted().toList());
        // tools-list: every tool has a name, a description and an input schema
        tools.values().forEach(t -> {
            assertFalse(t.descriptor().description() == null || t.descriptor().description().isBlank());
            assertEquals("object", t.descriptor().inputSchema().get("type"));
        });
        assertEquals(Map.of("type", "object", "properties", Map.of()),
                tools.get("test_simple_text").descriptor().inputSchema());
        assertEquals(List.of("prompt"), tools.get("test_sampling").descriptor().inputSchema().get("required"));
        assertEquals(List.of("message"), tools.get("test_elicitation").descriptor().inputSchema().get("required"));
    }

    @Test
    void simpleText() throws Exception {
        ToolResult r = call("test_simple_text");
        assertFalse(r.isError());
        assertEquals("This is a simple text response for testing.", onlyText(r));
    }

    @Test
    void imageIsARedPixelPng() throws Exception {
        ImageContent image = (ImageContent) call("test_image_content").content().getFirst();
        assertEquals("image/png", image.mimeType());
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(image.data())));
        assertNotNull(decoded, "not a readable PNG");
        assertEquals(1, decoded.getWidth());
        assertEquals(1, decoded.getHeight());
        assertEquals(0xFF0000, decoded.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void audioIsAWellFormedWav() throws Exception {
        AudioContent audio = (AudioContent) call("test_audio_content").content().getFirst();
        assertEquals("audio/wav", audio.mimeType());
        byte[] wav = Base64.getDecoder().decode(audio.data());
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(wav, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(wav.length - 8, b.getInt(4));
        assertEquals("WAVE", new String(wav, 8, 4, StandardCharsets.US_ASCII));
        assertEquals("data", new String(wav, 36, 4, StandardCharsets.US_ASCII));
        assertEquals(wav.length - 44, b.getInt(40));
        // and the JDK can play it
        assertNotNull(javax.sound.sampled.AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav)));
    }

    @Test
    void embeddedResource() throws Exception {
        EmbeddedResource e = (EmbeddedResource) call("test_embedded_resource").content().getFirst();
        ResourceContents.Text t = (ResourceContents.Text) e.resource();
        assertEquals("test://embedded-resource", t.uri());
        assertEquals("text/plain", t.mimeType());
        assertEquals("This is an embedded resource content.", t.text());
    }

    @Test
    void multipleContentTypes() throws Exception {
        List<Content> c = call("test_multiple_content_types").content();
        assertEquals(3, c.size());
        assertEquals("Multiple content types test:", ((TextContent) c.get(0)).text());
        assertEquals("image/png", ((ImageContent) c.get(1)).mimeType());
        ResourceContents.Text r = (ResourceContents.Text) ((EmbeddedResource) c.get(2)).resource();
        assertEquals("test://mixed-content-resource", r.uri());
        assertEquals("application/json", r.mimeType());
        assertEquals("{\"test\":\"data\",\"value\":123}", r.text());
    }

    @Test
    void loggingSendsThreeSpacedInfoMessages() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext();
        long start = System.nanoTime();
        ToolResult r = call("test_tool_with_logging", Map.of(), ctx);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertFalse(r.isError());
        assertEquals(List.of("Tool execution started", "Tool processing data", "Tool execution completed"),
                ctx.logs().stream().map(RecordingToolContext.Log::data).toList());
        assertTrue(ctx.logs().stream().allMatch(l -> l.level() == LogLevel.INFO));
        assertTrue(ms >= 100, "took only " + ms + " ms");
    }

    @Test
    void progressZeroFiftyHundredOfHundred() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext();
        assertFalse(call("test_tool_with_progress", Map.of(), ctx).isError());
        assertEquals(List.of(new RecordingToolContext.Progress(0, 100.0, "Step 0 of 100"),
                new RecordingToolContext.Progress(50, 100.0, "Step 50 of 100"),
                new RecordingToolContext.Progress(100, 100.0, "Step 100 of 100")), ctx.progress());
    }

    @Test
    void errorHandlingThrowsWithTheMessage() {
        ToolException e = assertThrows(ToolException.class, () -> call("test_error_handling"));
        assertEquals("This tool intentionally returns an error for testing", e.getMessage());
    }

    @Test
    void samplingAsksTheClient() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.SAMPLING);
        ctx.sampler(req -> new SamplingResult(Role.ASSISTANT,
                Content.text("This is a test response from the client"), "test-model", "endTurn"));
        ToolResult r = call("test_sampling", Map.of("prompt", "Test prompt for sampling"), ctx);
        assertEquals("LLM response: This is a test response from the client", onlyText(r));
        var request = ctx.samplingRequests().getFirst();
        assertEquals(100, request.maxTokens());
        assertEquals(1, request.messages().size());
        assertEquals(Role.USER, request.messages().getFirst().role());
        assertEquals("Test prompt for sampling", ((TextContent) request.messages().getFirst().content()).text());
        assertNull(request.systemPrompt());
        assertTrue(call("test_sampling", Map.of("prompt", "x"), new RecordingToolContext()).isError());
    }

    @Test
    @SuppressWarnings("unchecked")
    void elicitationAsksForUsernameAndEmail() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.ELICITATION);
        List<String> messages = new ArrayList<>();
        ctx.elicitor((message, schema) -> {
            messages.add(message);
            return new ElicitationResult("accept", Map.of("username", "testuser"));
        });
        ToolResult r = call("test_elicitation", Map.of("message", "Please provide your information"), ctx);
        assertEquals("User response: action=accept, content={\"username\":\"testuser\"}", onlyText(r));
        assertEquals(List.of("Please provide your information"), messages);
        Map<String, Object> schema = ctx.elicitationSchemas().getFirst();
        assertEquals(List.of("username", "email"), schema.get("required"));
        assertEquals(List.of("username", "email"),
                List.copyOf(((Map<String, Object>) schema.get("properties")).keySet()));
        assertTrue(call("test_elicitation", Map.of("message", "x"), new RecordingToolContext()).isError());
    }

    @Test
    @SuppressWarnings("unchecked")
    void sep1034DefaultsForEveryPrimitiveType() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.ELICITATION);
        ctx.elicitor((message, schema) -> new ElicitationResult("accept", Map.of("age", 25)));
        assertTrue(onlyText(call("test_elicitation_sep1034_defaults", Map.of(), ctx))
                .startsWith("Elicitation completed: action=accept, content={\"age\":25}"));
        Map<String, Map<String, Object>> p = (Map<String, Map<String, Object>>) ctx.elicitationSchemas().getFirst()
                .get("properties");
        assertEquals("string", p.get("name").get("type"));
        assertEquals("John Doe", p.get("name").get("default"));
        assertEquals("integer", p.get("age").get("type"));
        assertEquals(30, p.get("age").get("default"));
        assertEquals("number", p.get("score").get("type"));
        assertEquals(95.5, p.get("score").get("default"));
        assertEquals("string", p.get("status").get("type"));
        assertEquals(List.of("active", "inactive", "pending"), p.get("status").get("enum"));
        assertEquals("active", p.get("status").get("default"));
        assertEquals("boolean", p.get("verified").get("type"));
        assertEquals(true, p.get("verified").get("default"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void sep1330AllFiveEnumShapes() throws Exception {
        RecordingToolContext ctx = new RecordingToolContext().supporting(ClientFeature.ELICITATION);
        ctx.elicitor((message, schema) -> new ElicitationResult("decline", null));
        assertEquals("Elicitation completed: action=decline, content={}",
                onlyText(call("test_elicitation_sep1330_enums", Map.of(), ctx)));
        Map<String, Map<String, Object>> p = (Map<String, Map<String, Object>>) ctx.elicitationSchemas().getFirst()
                .get("properties");

        Map<String, Object> untitledSingle = p.get("untitledSingle");
        assertEquals("string", untitledSingle.get("type"));
        assertEquals(List.of("option1", "option2", "option3"), untitledSingle.get("enum"));
        assertFalse(untitledSingle.containsKey("oneOf") || untitledSingle.containsKey("enumNames"));

        Map<String, Object> titledSingle = p.get("titledSingle");
        assertEquals("string", titledSingle.get("type"));
        assertFalse(titledSingle.containsKey("enum"));
        assertConstTitlePairs((List<Map<String, Object>>) titledSingle.get("oneOf"), "value1");

        Map<String, Object> legacy = p.get("legacyEnum");
        assertEquals(((List<?>) legacy.get("enum")).size(), ((List<?>) legacy.get("enumNames")).size());

        Map<String, Object> untitledMulti = p.get("untitledMulti");
        assertEquals("array", untitledMulti.get("type"));
        Map<String, Object> items = (Map<String, Object>) untitledMulti.get("items");
        assertEquals("string", items.get("type"));
        assertTrue(((List<String>) items.get("enum")).containsAll(List.of("option1", "option2")));
        assertFalse(items.containsKey("anyOf"));

        Map<String, Object> titledMulti = p.get("titledMulti");
        assertEquals("array", titledMulti.get("type"));
        Map<String, Object> titledItems = (Map<String, Object>) titledMulti.get("items");
        assertFalse(titledItems.containsKey("enum"));
        assertConstTitlePairs((List<Map<String, Object>>) titledItems.get("anyOf"), "value2");
    }

    private static void assertConstTitlePairs(List<Map<String, Object>> options, String mustInclude) {
        assertFalse(options.isEmpty());
        options.forEach(o -> {
            assertInstanceOf(String.class, o.get("const"));
            assertInstanceOf(String.class, o.get("title"));
        });
        assertTrue(options.stream().anyMatch(o -> o.get("const").equals(mustInclude)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonSchema2020KeywordsArePresent() throws Exception {
        Map<String, Object> schema = tools.get("json_schema_2020_12_tool").descriptor().inputSchema();
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema"));
        assertEquals(false, schema.get("additionalProperties"));
        assertTrue(((Map<String, Object>) schema.get("$defs")).containsKey("address"));
        assertEquals(Map.of("$ref", "#/$defs/address"),
                ((Map<String, Object>) schema.get("properties")).get("address"));
        assertEquals("json_schema_2020_12_tool received {\"name\":\"x\"}",
                onlyText(call("json_schema_2020_12_tool", Map.of("name", "x"), new RecordingToolContext())));
    }

    @Test
    void reconnectionReturnsAfterItsDelay() throws Exception {
        long start = System.nanoTime();
        ToolResult r = call("test_reconnection");
        assertFalse(r.isError());
        assertTrue(System.nanoTime() - start >= 10_000_000L);
    }

    @Test
    void staticResources() throws Exception {
        Map<String, Resource> resources = plugin.resources().stream()
                .collect(Collectors.toMap(r -> r.descriptor().uri(), Function.identity()));
        assertEquals(List.of("test://static-binary", "test://static-text", "test://watched-resource"),
                resources.keySet().stream().sorted().toList());
        ResourceContents.Text text = (ResourceContents.Text) resources.get("test://static-text").read(null)
                .getFirst();
        assertEquals(new ResourceContents.Text("test://static-text", "text/plain",
                "This is the content of the static text resource."), text);
        ResourceContents.Blob blob = (ResourceContents.Blob) resources.get("test://static-binary").read(null)
                .getFirst();
        assertEquals("image/png", blob.mimeType());
        assertNotNull(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(blob.blob()))));
        resources.values().forEach(r -> assertFalse(r.descriptor().name().isBlank()));
    }

    @Test
    void templateSubstitutesTheId() throws Exception {
        ResourceTemplate t = plugin.resourceTemplates().getFirst();
        assertEquals("test://template/{id}/data", t.descriptor().uriTemplate());
        ResourceContents.Text c = (ResourceContents.Text) t.read("test://template/123/data", Map.of("id", "123"),
                null).getFirst();
        assertEquals("test://template/123/data", c.uri());
        assertEquals("application/json", c.mimeType());
        assertEquals("{\"id\":\"123\",\"templateTest\":true,\"data\":\"Data for ID: 123\"}", c.text());
        ResourceContents.Text odd = (ResourceContents.Text) t.read("u", Map.of("id", "a\"b"), null).getFirst();
        assertTrue(odd.text().startsWith("{\"id\":\"a\\\"b\""), odd.text());
        assertThrows(ResourceNotFoundException.class, () -> t.read("test://template//data", Map.of("id", ""), null));
    }

    @Test
    void watchedResourceChangesAndNotifies() throws Exception {
        TestPluginContext context = TestPluginContext.of("conformance").config(Map.of("watched-resource-interval-ms", 20));
        ConformancePlugin watched = new ConformancePlugin();
        watched.init(context);
        Resource resource = watched.resources().stream()
                .filter(r -> r.descriptor().uri().equals("test://watched-resource")).findFirst().orElseThrow();
        String before = ((ResourceContents.Text) resource.read(null).getFirst()).text();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (context.updatedResources().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        watched.close();
        assertTrue(context.updatedResources().size() >= 2, context.updatedResources().toString());
        assertTrue(context.updatedResources().stream().allMatch("test://watched-resource"::equals));
        assertFalse(before.equals(((ResourceContents.Text) resource.read(null).getFirst()).text()));
        int afterClose = context.updatedResources().size();
        Thread.sleep(100);
        assertEquals(afterClose, context.updatedResources().size(), "updates continued after close()");
    }

    @Test
    void prompts() throws Exception {
        Map<String, Prompt> prompts = plugin.prompts().stream()
                .collect(Collectors.toMap(p -> p.descriptor().name(), Function.identity()));
        assertEquals(List.of("test_input_required_result_prompt", "test_prompt_with_arguments",
                "test_prompt_with_embedded_resource", "test_prompt_with_image", "test_simple_prompt"), prompts.keySet().stream().sorted().toList());
        prompts.values().forEach(p -> assertFalse(p.descriptor().description().isBlank()));

        PromptResult simple = prompts.get("test_simple_prompt").get(Map.of(), null);
        assertEquals(Role.USER, simple.messages().getFirst().role());
        assertEquals("This is a simple prompt for testing.",
                ((TextContent) simple.messages().getFirst().content()).text());

        var args = prompts.get("test_prompt_with_arguments");
        assertTrue(args.descriptor().arguments().stream().allMatch(a -> a.required()));
        assertEquals("Prompt with arguments: arg1='hello', arg2='world'",
                ((TextContent) args.get(Map.of("arg1", "hello", "arg2", "world"), null).messages().getFirst()
                        .content()).text());

        PromptResult embedded = prompts.get("test_prompt_with_embedded_resource")
                .get(Map.of("resourceUri", "test://example-resource"), null);
        ResourceContents.Text r = (ResourceContents.Text) ((EmbeddedResource) embedded.messages().get(0).content())
                .resource();
        assertEquals(new ResourceContents.Text("test://example-resource", "text/plain",
                "Embedded resource content for testing."), r);
        assertEquals("Please process the embedded resource above.",
                ((TextContent) embedded.messages().get(1).content()).text());

        PromptResult image = prompts.get("test_prompt_with_image").get(Map.of(), null);
        ImageContent img = (ImageContent) image.messages().get(0).content();
        assertEquals("image/png", img.mimeType());
        assertFalse(img.data().isEmpty());
        assertEquals("Please analyze the image above.", ((TextContent) image.messages().get(1).content()).text());
    }

    @Test
    void completesPromptArguments() throws Exception {
        CompletionProvider p = plugin.completions().getFirst();
        assertEquals("test_prompt_with_arguments", p.ref().name());
        assertEquals(List.of("paris", "park", "party"), p.complete("arg1", "par", Map.of(), null).values());
        assertFalse(p.complete("arg1", "test", Map.of(), null).values().isEmpty());
    }

    @Test
    void jsonWriter() {
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("a", java.util.Arrays.asList(1, 2.5, true, null));
        value.put("b", "q\"\\\n\u0001");
        assertEquals("{\"a\":[1,2.5,true,null],\"b\":\"q\\\"\\\\\\n\\u0001\"}", Json.write(value));
        assertEquals("88", Json.write(88.0));
    }
}
