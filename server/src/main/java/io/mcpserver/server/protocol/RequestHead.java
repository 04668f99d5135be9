package io.mcpserver.server.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.io.IOException;

/**
 * What a message is, read with Jackson's streaming parser and nothing built but a few small values: a request's
 * {@code id} and {@code method}, and of its {@code params} the {@code name} and {@code uri} (what the audit trail
 * names). Every other value is skipped over unread (a string's characters are scanned for its end, never decoded), and
 * the scan stops once the request is known. A message that is anything else (a notification, a response, not a JSON
 * object, not valid JSON) gives null: it is parsed in full as usual.
 * Why: a principal over its rate sent 512 KiB requests on 20 connections, and parsing each in full only to refuse it
 * multiplied the other clients' p99 152 times (docs/benchmarks.md, fairness under flood).
 */
record RequestHead(JsonNode id, String method, ObjectNode params) {

    /** Reads the head of one UTF-8 message; null unless it is a JSON-RPC request (see above). */
    static RequestHead of(byte[] utf8, int offset, int length) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(utf8, offset, length)) {
            return read(p);
        } catch (IOException | RuntimeException e) {
            return null; // not a request we can name: parsed in full, which answers what is wrong with it
        }
    }

    /** The same for a message already decoded (WebSocket text). */
    static RequestHead of(String message) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(message)) {
            return read(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static RequestHead read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        JsonNode id = null;
        String method = null;
        boolean version = false;
        ObjectNode params = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "jsonrpc" -> {
                    if (value != JsonToken.VALUE_STRING || !"2.0".equals(p.getText())) {
                        return null;
                    }
                    version = true;
                }
                case "method" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    method = p.getText();
                }
                case "id" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        id = JsonNodeFactory.instance.textNode(p.getText());
                    } else if (value == JsonToken.VALUE_NUMBER_INT) {
                        id = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                ? JsonNodeFactory.instance.numberNode(p.getBigIntegerValue())
                                : p.getNumberType() == JsonParser.NumberType.LONG
                                ? JsonNodeFactory.instance.numberNode(p.getLongValue())
                                : JsonNodeFactory.instance.numberNode(p.getIntValue());
                    } else {
                        return null; // not a request MCP allows: the full parse answers it
                    }
                }
                case "params" -> {
                    if (value == JsonToken.START_OBJECT) {
                        params = names(p);
                    } else if (value == JsonToken.VALUE_NULL) {
                        params = Json.object();
                    } else {
                        return null; // refused for its params first: the full parse answers it
                    }
                }
                case "result", "error" -> {
                    return null; // a response
                }
                default -> p.skipChildren();
            }
            if (version && method != null && id != null && params != null) {
                return new RequestHead(id, method, params);
            }
        }
        // the end of the object: a request without params is one still
        return version && method != null && id != null ? new RequestHead(id, method, Json.object()) : null;
    }

    /** Of a params object, the top-level {@code name} and {@code uri} when they are strings; the rest skipped. */
    private static ObjectNode names(JsonParser p) throws IOException {
        ObjectNode names = Json.object();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING && ("name".equals(field) || "uri".equals(field))) {
                names.put(field, p.getText());
            } else {
                p.skipChildren();
            }
        }
        return names;
    }
}
