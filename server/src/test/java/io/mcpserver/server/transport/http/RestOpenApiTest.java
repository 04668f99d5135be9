package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI 3.1 document of the REST facade, generated from the live registry and checked by a real validator
 * (swagger-parser): one operation per tool with its schemas, and a plugin that comes or goes shows at once.
 */
class RestOpenApiTest {

    private static HttpFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFixture.start();
        // a tool whose schemas use $defs (as derived schemas of nested records do) and that has an outputSchema
        Map<String, Object> point = Map.of("type", "object", "properties", Map.of("x", Map.of("type", "number"),
                "y", Map.of("type", "number")), "required", List.of("x", "y"));
        ToolDescriptor distance = ToolDescriptor.builder("distance").title("Distance")
                .description("Distance between two points")
                .inputSchema(Map.of("$schema", "https://json-schema.org/draft/2020-12/schema", "type", "object",
                        "$defs", Map.of("Point", point),
                        "properties", Map.of("a", Map.of("$ref", "#/$defs/Point"), "b", Map.of("$ref", "#/$defs/Point")),
                        "required", List.of("a", "b")))
                .outputSchema(Map.of("type", "object", "properties", Map.of("distance", Map.of("type", "number")),
                        "required", List.of("distance")))
                .build();
        server.core.features().register(new Contributions(new Owner("geometry", RestOpenApiTest.class.getClassLoader()),
                List.of(Tool.of(distance, (args, ctx) -> ToolResult.structured(Map.of("distance", 1.0), "1.0"))),
                List.of(), List.of(), List.of(), List.of()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return RestTest.HTTP.send(HttpRequest.newBuilder(server.uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The validator's verdict: no messages at all (errors and warnings alike). */
    private static SwaggerParseResult validate(String document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document, null, options);
        assertNotNull(result.getOpenAPI(), "not parsed: " + result.getMessages());
        assertEquals(List.of(), result.getMessages(), "validator messages for:\n" + document);
        return result;
    }

    @Test
    void theDocumentIsValidOpenApi31WithOneOperationPerTool() throws Exception {
        HttpResponse<String> r = get("/openapi.json");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        SwaggerParseResult parsed = validate(r.body());
        assertEquals("3.1.0", parsed.getOpenAPI().getOpenapi());
        JsonNode doc = Json.parse(r.body());
        JsonNode paths = doc.path("paths");
        for (String route : List.of("/initialize", "/tools/list", "/tools/call", "/resources/list",
                "/resources/read", "/prompts/list", "/prompts/get", "/tools/echo", "/tools/distance",
                "/operations/{id}", "/sse/progress/{id}", "/subscriptions", "/subscriptions/{id}", "/sse/subscribe")) {
            assertTrue(paths.has("/mcp/v1" + route), route + " in " + paths.properties());
        }
        JsonNode echo = paths.path("/mcp/v1/tools/echo").path("post");
        assertEquals("tool_echo", echo.path("operationId").asText());
        assertTrue(echo.path("responses").has("202"), "a tool may run asynchronously: " + echo);
        JsonNode echoArgs = doc.path("components").path("schemas").path("tool.echo.arguments");
        assertEquals("string", echoArgs.path("properties").path("text").path("type").asText(), echoArgs.toString());
        // $defs moved to components, and the references follow them
        JsonNode distanceArgs = doc.path("components").path("schemas").path("tool.distance.arguments");
        assertEquals("#/components/schemas/tool.distance.Point",
                distanceArgs.path("properties").path("a").path("$ref").asText(), distanceArgs.toString());
        assertTrue(doc.path("components").path("schemas").has("tool.distance.Point"));
        assertTrue(doc.path("components").path("schemas").has("tool.distance.structuredContent"));
        assertFalse(doc.path("components").has("securitySchemes"), "security is off");
        // the server URL is where the client reached it
        assertEquals(server.base.toString(), doc.path("servers").path(0).path("url").asText());
    }

    @Test
    void theValidatorCatchesWhatTheGeneratorMustAvoid() {
        // a tool schema embedded as is: its #/$defs reference points at the document's root
        String broken = """
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {
                  "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/$defs/Point"}}}},
                  "responses": {"200": {"description": "OK"}}}}}}""";
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        assertFalse(new OpenAPIV3Parser().readContents(broken, null, options).getMessages().isEmpty());
    }

    @Test
    void docsServesSwaggerUiFromTheWebJar() throws Exception {
        HttpResponse<String> page = get("/docs");
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("/docs/swagger-ui-bundle.js") && !page.body().contains("https://"),
                "every script from this server: " + page.body());
        HttpResponse<String> bundle = get("/docs/swagger-ui-bundle.js");
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.body().length() > 1_000_000 && bundle.body().contains("SwaggerUIBundle"));
        HttpResponse<String> script = get("/docs/docs.js");
        assertTrue(script.body().contains("url: '/openapi.json'"), script.body());
        RestTest.problem(get("/docs/index.html"), 404, -32601);
        int traversal = get("/docs/..%2F..%2Fpom.xml").statusCode();
        assertTrue(traversal >= 400 && traversal < 500, "no file outside the list: " + traversal);
    }

    @Test
    void theYamlFormIsTheSameDocument() throws Exception {
        HttpResponse<String> r = get("/openapi.yaml");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/yaml", r.headers().firstValue("Content-Type").orElse(""));
        SwaggerParseResult parsed = validate(r.body());
        assertTrue(parsed.getOpenAPI().getPaths().containsKey("/mcp/v1/tools/echo"));
    }

    @Test
    void aPluginThatComesOrGoesShowsAtOnce() throws Exception {
        assertFalse(get("/openapi.json").body().contains("/mcp/v1/tools/late_tool"));
        server.core.features().register(new Contributions(new Owner("late", RestOpenApiTest.class.getClassLoader()),
                List.of(Tool.of(ToolDescriptor.builder("late_tool").param("n", "integer", "a number", true).build(),
                        (args, ctx) -> ToolResult.text("late"))), List.of(), List.of(), List.of(), List.of()));
        String after = get("/openapi.json").body();
        assertTrue(Json.parse(after).path("paths").has("/mcp/v1/tools/late_tool"), after);
        validate(after);
        server.core.features().unregister("late");
        assertFalse(Json.parse(get("/openapi.json").body()).path("paths").has("/mcp/v1/tools/late_tool"));
    }
}
