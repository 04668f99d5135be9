package io.mcpserver.bench.jmh;

/** The same two payloads as the load generator: a short text and 64 KiB of letters. */
final class Payloads {

    private Payloads() {
    }

    static String text(String payload) {
        if (payload.equals("small")) {
            return "hello, MCP";
        }
        StringBuilder sb = new StringBuilder(65536);
        for (int i = 0; i < 65536; i++) {
            sb.append((char) ('a' + (i * 7 + i / 26) % 26));
        }
        return sb.toString();
    }

    static String call(long id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"" + text + "\"}}}";
    }

    static String reply(long id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                + text + "\"}],\"isError\":false}}";
    }
}
