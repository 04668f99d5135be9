package io.mcpserver.bench.loadgen;

import java.nio.charset.StandardCharsets;

/** The requests every server gets: {@code tools/call} of {@code echo} with a small or a 64 KB text, and helpers to read replies cheaply. */
final class Workload {

    static final String PROTOCOL_VERSION = "2025-06-18";

    private Workload() {
    }

    /**
     * Stands for the "progress" payload, a streamed call: {@code slow_count} with {@code count} 10 and no delay and a
     * progress token, so the tool reports progress 10 times before its result ("Counted to 10"). Our demo plugin
     * and the SDK server have the same tool. HTTP only, ours and the SDK only.
     */
    static final String PROGRESS = "<progress x10>";

    static boolean streamed(String payload) {
        return payload.equals("progress");
    }

    /** The text echoed: "hello, MCP" or 65,536 printable ASCII characters (no escaping needed, so bytes = chars). */
    static String text(String payload) {
        return switch (payload) {
            case "small" -> "hello, MCP";
            case "64k" -> {
                StringBuilder sb = new StringBuilder(65536);
                for (int i = 0; i < 65536; i++) {
                    sb.append((char) ('a' + (i * 7 + i / 26) % 26));
                }
                yield sb.toString();
            }
            case "progress" -> PROGRESS;
            default -> throw new IllegalArgumentException("payload: small, 64k or progress, not " + payload);
        };
    }

    /** The bytes of a request with a placeholder-free id: prefix + id + suffix, so only the id changes per call. */
    static final class CallTemplate {
        final byte[] prefix;
        final byte[] suffix;

        CallTemplate(String text) {
            this.prefix = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII);
            this.suffix = (text.equals(PROGRESS)
                    ? ",\"method\":\"tools/call\",\"params\":{\"name\":\"slow_count\",\"arguments\":{\"count\":10,"
                            + "\"delay_ms\":0},\"_meta\":{\"progressToken\":\"bench\"}}}"
                    : ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
                            + text + "\"}}}").getBytes(StandardCharsets.UTF_8);
        }

        /** The whole message for that id, optionally followed by '\n' (NDJSON). */
        byte[] build(long id, boolean newline) {
            byte[] idBytes = Long.toString(id).getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[prefix.length + idBytes.length + suffix.length + (newline ? 1 : 0)];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(idBytes, 0, out, prefix.length, idBytes.length);
            System.arraycopy(suffix, 0, out, prefix.length + idBytes.length, suffix.length);
            if (newline) {
                out[out.length - 1] = '\n';
            }
            return out;
        }

        String buildString(long id) {
            return new String(build(id, false), StandardCharsets.UTF_8);
        }
    }

    static String initialize(long id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + PROTOCOL_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"mcp-bench\",\"version\":\"1\"}}}";
    }

    /** {@code initialize} carrying a credential where the TCP transport looks for it ({@code "ApiKey <key>"}). */
    static String initialize(long id, String authorization) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + PROTOCOL_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"mcp-bench\",\"version\":\"1\"},"
                + "\"_meta\":{\"io.mcpserver/authorization\":\"" + authorization + "\"}}}";
    }

    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    private static final byte[] ID_KEY = "\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESULT_KEY = "\"result\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * The integer id of a reply found in its first bytes, or -1. Replies of every server here put "id" before
     * "result", and the echoed text can't contain a quote, so a scan of the head is exact enough and costs nothing.
     */
    static long id(byte[] b, int from, int to) {
        int at = indexOf(b, from, Math.min(to, from + 256), ID_KEY);
        if (at < 0) {
            return -1;
        }
        int i = at + ID_KEY.length;
        while (i < to && b[i] == ' ') {
            i++;
        }
        long v = 0;
        int start = i;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        return i == start ? -1 : v;
    }

    /** True if the reply head says "result" (a JSON-RPC error says "error" instead). */
    static boolean isResult(byte[] b, int from, int to) {
        // the head of a JSON reply; the tail of an event stream (the result is its last event)
        return indexOf(b, from, Math.min(to, from + 512), RESULT_KEY) >= 0
                || (to - from > 512 && indexOf(b, Math.max(from + 512 - RESULT_KEY.length, to - 1024), to, RESULT_KEY) >= 0);
    }

    static int indexOf(byte[] b, int from, int to, byte[] key) {
        outer:
        for (int i = from; i <= to - key.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (b[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** For one-off checks: does this reply carry exactly the echoed text? */
    static boolean echoes(String reply, String text) {
        if (text.equals(PROGRESS)) {
            return reply.contains("\"result\"") && reply.contains("Counted to 10") && !reply.contains("\"isError\":true");
        }
        return reply.contains("\"result\"") && reply.contains("\"text\":\"" + text + "\"")
                && !reply.contains("\"isError\":true");
    }
}
