package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code multipart/form-data} (RFC 7578) on a tool's operation: each part fills the argument of its name. A part
 * for a binary parameter — a string whose schema says {@code "contentEncoding": "base64"} (or {@code format}
 * {@code byte}/{@code binary}) — is sent base64-encoded; a part for any other string parameter must be UTF-8 text;
 * a part for a number, boolean, object or array parameter is parsed as JSON. The body was read within the size
 * limit before it gets here.
 */
final class RestMultipart {

    /** A body that is not well-formed multipart, or a part that does not fit its parameter. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private record Part(String name, String filename, byte[] content) {
    }

    private RestMultipart() {
    }

    static boolean is(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /**
     * The arguments the parts make, typed by the tool's {@code inputSchema} (its {@code properties}).
     *
     * @throws Invalid when the body is not multipart with the declared boundary, or a part does not fit
     */
    static ObjectNode arguments(String contentType, byte[] body, Map<String, Object> inputSchema) throws Invalid {
        Object props = inputSchema == null ? null : inputSchema.get("properties");
        Map<?, ?> properties = props instanceof Map<?, ?> m ? m : Map.of();
        ObjectNode arguments = Json.object();
        for (Part part : parts(boundary(contentType), body)) {
            if (arguments.has(part.name())) {
                throw new Invalid("Part '" + part.name() + "' appears twice; send each argument once");
            }
            Object schema = properties.get(part.name());
            Map<?, ?> s = schema instanceof Map<?, ?> m ? m : Map.of();
            Object type = s.get("type");
            if ("string".equals(type) || type == null && part.filename() != null) {
                arguments.put(part.name(), binary(s) ? Base64.getEncoder().encodeToString(part.content())
                        : text(part));
            } else if (type == null) {
                arguments.put(part.name(), text(part)); // not in the schema: the validator will say so
            } else {
                try {
                    arguments.set(part.name(), Json.parse(text(part)));
                } catch (JsonProcessingException e) {
                    throw new Invalid("Part '" + part.name() + "' must be JSON for a parameter of type " + type
                            + ": " + e.getOriginalMessage());
                }
            }
        }
        return arguments;
    }

    private static boolean binary(Map<?, ?> schema) {
        return "base64".equals(schema.get("contentEncoding")) || "byte".equals(schema.get("format"))
                || "binary".equals(schema.get("format"));
    }

    private static String text(Part part) throws Invalid {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(part.content())).toString();
        } catch (CharacterCodingException e) {
            throw new Invalid("Part '" + part.name() + "'" + (part.filename() != null ? " (" + part.filename() + ")"
                    : "") + " is not UTF-8 text, which its parameter takes; binary content goes to a parameter "
                    + "declared with \"contentEncoding\": \"base64\"");
        }
    }

    private static String boundary(String contentType) throws Invalid {
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length()).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (!b.isEmpty() && b.length() <= 70) {
                    return b;
                }
            }
        }
        throw new Invalid("multipart/form-data needs a boundary parameter (1 to 70 characters) in its Content-Type");
    }

    private static List<Part> parts(String boundary, byte[] body) throws Invalid {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new Invalid("The body holds no part delimited by the boundary '" + boundary + "'");
        }
        while (true) {
            int after = at + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts; // the close delimiter
            }
            int headersStart = skipLineEnd(body, after);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) {
                throw new Invalid("A part has no end of its headers (an empty line)");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int contentStart = headersEnd + 4;
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int contentEnd = indexOf(body, next, contentStart);
            if (contentEnd < 0) {
                throw new Invalid("The body ends inside a part: no closing boundary '--" + boundary + "--'");
            }
            parts.add(part(headers, java.util.Arrays.copyOfRange(body, contentStart, contentEnd)));
            at = contentEnd + 2;
        }
    }

    private static Part part(String headers, byte[] content) throws Invalid {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                String name = parameter(line.substring(colon + 1), "name");
                if (name == null || name.isEmpty()) {
                    break;
                }
                return new Part(name, parameter(line.substring(colon + 1), "filename"), content);
            }
        }
        throw new Invalid("Every part needs Content-Disposition: form-data; name=\"<argument>\"");
    }

    /** A parameter of a header value: {@code name="value"} or {@code name=value}. */
    private static String parameter(String value, String key) {
        for (String p : value.split(";")) {
            String t = p.trim();
            int eq = t.indexOf('=');
            if (eq > 0 && t.substring(0, eq).trim().equalsIgnoreCase(key)) {
                String v = t.substring(eq + 1).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static int skipLineEnd(byte[] body, int at) {
        if (at + 1 < body.length && body[at] == '\r' && body[at + 1] == '\n') {
            return at + 2;
        }
        return at < body.length && body[at] == '\n' ? at + 1 : at;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
