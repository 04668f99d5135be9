package io.mcpserver.server.transport.http;

import io.mcpserver.server.protocol.ClientText;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.registry.FeatureRegistry;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks the request metadata a binding mirrors into envelope headers (Streamable HTTP, 2026-07-28)
 * against the message body, which is the truth: {@code MCP-Protocol-Version}, {@code Mcp-Method},
 * {@code Mcp-Name}, and {@code Mcp-Param-*} for tool parameters whose schema carries
 * {@code x-mcp-header}. Any disagreement, missing required header or malformed value is a
 * {@code HeaderMismatch} (-32020).
 */
public final class MirroredHeaders {

    public static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
    public static final String METHOD = "Mcp-Method";
    public static final String NAME = "Mcp-Name";
    public static final String PARAM_PREFIX = "Mcp-Param-";
    private static final Map<String, String> NAME_SOURCE = Map.of("tools/call", "name", "prompts/get", "name",
            "resources/read", "uri", "tasks/get", "taskId", "tasks/update", "taskId", "tasks/cancel", "taskId");
    private static final String SENTINEL_START = "=?base64?";
    private static final String SENTINEL_END = "?=";
    private static final java.util.regex.Pattern STRICT_BASE64 = java.util.regex.Pattern.compile(
            "[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

    private final FeatureRegistry registry;

    public MirroredHeaders(FeatureRegistry registry) {
        this.registry = registry;
    }

    /**
     * Checks one request's headers.
     *
     * @param message the JSON-RPC request
     * @param header  a header's value by name (case-insensitive), or null when absent
     * @return the {@code HeaderMismatch} error, or null when the headers agree with the body
     */
    public McpException check(JsonNode message, Function<String, String> rawHeader) {
        // RFC 9110 §5.5: a field value excludes the optional whitespace around it
        Function<String, String> header = name -> {
            String value = rawHeader.apply(name);
            return value == null ? null : value.strip();
        };
        JsonNode params = message.path("params");
        String version = header.apply(PROTOCOL_VERSION);
        if (version == null) {
            return mismatch("the " + PROTOCOL_VERSION + " header is required");
        }
        String bodyVersion = Json.text(params.path("_meta"), RequestMeta.PROTOCOL_VERSION);
        if (bodyVersion != null && !bodyVersion.equals(version)) {
            return mismatch(PROTOCOL_VERSION + " header value '" + ClientText.shown(version)
                    + "' does not match body value '" + ClientText.shown(bodyVersion) + "'");
        }
        String method = message.path("method").asText();
        String methodHeader = header.apply(METHOD);
        if (methodHeader == null) {
            return mismatch("the " + METHOD + " header is required");
        }
        if (!methodHeader.equals(method)) {
            return mismatch(METHOD + " header value '" + methodHeader + "' does not match body value '" + method + "'");
        }
        String nameField = NAME_SOURCE.get(method);
        if (nameField != null) {
            String raw = header.apply(NAME);
            if (raw == null) {
                return mismatch("the " + NAME + " header is required for " + method);
            }
            String name;
            try {
                name = decode(raw);
            } catch (IllegalArgumentException e) {
                return mismatch(NAME + " header: " + e.getMessage());
            }
            String bodyName = Json.text(params, nameField);
            if (!name.equals(bodyName)) {
                return mismatch(NAME + " header value '" + name + "' does not match body value '" + bodyName + "'");
            }
        }
        if (method.equals("tools/call")) {
            return checkToolParams(Json.text(params, "name"), params.path("arguments"), header);
        }
        return null;
    }

    /** {@code Mcp-Param-{name}} for each {@code x-mcp-header} property of the tool's input schema. */
    private McpException checkToolParams(String tool, JsonNode arguments, Function<String, String> header) {
        var registered = tool == null ? null : registry.tool(tool).orElse(null);
        if (registered == null) {
            return null; // an unknown tool is the tool call's own error
        }
        List<Annotated> annotated = new ArrayList<>();
        collect(Json.toTree(registered.tool().descriptor().inputSchema()), List.of(), annotated);
        for (Annotated a : annotated) {
            JsonNode value = arguments;
            for (String step : a.path()) {
                value = value == null ? null : value.get(step);
            }
            String headerName = PARAM_PREFIX + a.header();
            String raw = header.apply(headerName);
            boolean present = value != null && !value.isNull() && !value.isMissingNode();
            if (raw == null) {
                if (present) {
                    return mismatch("the " + headerName + " header is required: argument '"
                            + String.join(".", a.path()) + "' is set");
                }
                continue;
            }
            if (!present) {
                return mismatch(headerName + " header is set but argument '" + String.join(".", a.path())
                        + "' is not");
            }
            String decoded;
            try {
                decoded = decode(raw);
            } catch (IllegalArgumentException e) {
                return mismatch(headerName + " header: " + e.getMessage());
            }
            if (!sameValue(decoded, value)) {
                return mismatch(headerName + " header value '" + decoded + "' does not match body value "
                        + value);
            }
        }
        return null;
    }

    private record Annotated(String header, List<String> path) {
    }

    /** Annotated properties reachable from the root through {@code properties} alone. */
    private static void collect(JsonNode schema, List<String> path, List<Annotated> out) {
        JsonNode properties = schema.path("properties");
        properties.properties().forEach(e -> {
            List<String> here = new ArrayList<>(path);
            here.add(e.getKey());
            String name = Json.text(e.getValue(), "x-mcp-header");
            if (name != null) {
                out.add(new Annotated(name, List.copyOf(here)));
            }
            collect(e.getValue(), here, out);
        });
    }

    private static boolean sameValue(String header, JsonNode body) {
        if (body.isTextual()) {
            return header.equals(body.asText());
        }
        if (body.isBoolean()) {
            return header.equals(body.asBoolean() ? "true" : "false");
        }
        if (body.isNumber()) {
            try {
                return new BigDecimal(header).compareTo(body.decimalValue()) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** A header value as sent: plain visible ASCII, or the {@code =?base64?…?=} form of UTF-8 text. */
    static String decode(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                throw new IllegalArgumentException("the value contains characters a header may not carry");
            }
        }
        if (!raw.startsWith(SENTINEL_START) || !raw.endsWith(SENTINEL_END)
                || raw.length() < SENTINEL_START.length() + SENTINEL_END.length()) {
            return raw;
        }
        String encoded = raw.substring(SENTINEL_START.length(), raw.length() - SENTINEL_END.length());
        // Java's decoder tolerates missing padding; the binding wants canonical Base64 (RFC 4648 §4)
        if (encoded.length() % 4 != 0 || !STRICT_BASE64.matcher(encoded).matches()) {
            throw new IllegalArgumentException("the =?base64?...?= value is not padded, canonical Base64");
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(encoded);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw new IllegalArgumentException("the =?base64?...?= value is not base64 of UTF-8 text");
        }
    }

    private static McpException mismatch(String why) {
        return new McpException(ErrorCodes.HEADER_MISMATCH, "Header mismatch: " + why);
    }
}
