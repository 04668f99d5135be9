package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * The message trace at {@code FINE} ({@code io.mcpserver.server.protocol.MessageTrace.level=FINE}, or
 * {@code io.mcpserver.level=FINE}): one line per message received and per request answered, naming the kind,
 * method, id and outcome, never the parameters or results (they may carry personal data or credentials), and
 * with every client-chosen text cut to {@value #MAX_TEXT} characters and escaped, so that a trace line can
 * neither leak a payload nor be made arbitrarily long or forged.
 */
final class MessageTrace {

    private static final System.Logger LOG = System.getLogger(MessageTrace.class.getName());
    static final int MAX_TEXT = 80;

    private MessageTrace() {
    }

    static boolean enabled() {
        return LOG.isLoggable(System.Logger.Level.DEBUG);
    }

    /** {@code tcp/tcp-1 <- request tools/call id=7}. */
    static void received(Session session, JsonNode message) {
        if (!enabled()) {
            return;
        }
        JsonRpc.Kind kind = JsonRpc.kind(message);
        StringBuilder line = new StringBuilder().append(session).append(" <- ")
                .append(kind.name().toLowerCase(Locale.ROOT));
        if (message != null && message.isObject()) {
            if (message.has("method")) {
                line.append(' ').append(bounded(message.get("method").asText()));
            }
            if (message.has("id")) {
                line.append(" id=").append(bounded(message.get("id").toString()));
            }
            if (kind == JsonRpc.Kind.RESPONSE) {
                line.append(message.has("error") ? " error " + message.path("error").path("code").asInt() : " result");
            }
        }
        LOG.log(System.Logger.Level.DEBUG, line.toString());
    }

    /** {@code tcp/tcp-1 -> tools/call id=7: error -32602 in 3 ms} (or {@code ok}, {@code cancelled}). */
    static void answered(Session session, JsonNode id, RequestHook.Completion completion) {
        if (!enabled()) {
            return;
        }
        String outcome = completion.cancelled() ? "cancelled"
                : completion.error() != null ? "error " + completion.error().code() : "ok";
        LOG.log(System.Logger.Level.DEBUG, session + " -> " + bounded(completion.method()) + " id="
                + bounded(String.valueOf(id)) + ": " + outcome + " in "
                + completion.durationNanos() / 1_000_000 + " ms");
    }

    /** At most {@link #MAX_TEXT} characters, control and non-ASCII characters escaped as backslash-u and four hex digits. */
    static String bounded(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= MAX_TEXT && text.length() > MAX_TEXT) {
            out.setLength(MAX_TEXT);
            out.append("…(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
