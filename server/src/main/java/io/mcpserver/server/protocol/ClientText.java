package io.mcpserver.server.protocol;

/**
 * Text a client chose (a token's {@code kid}, a header value) made safe to show back in an error message, a
 * response header or the audit trail: printable ASCII only (anything else becomes {@code ?}, quotes and
 * backslashes become {@code '}), at most {@link #MAX} characters, and a longer text says how long it was.
 * An unbounded echo let one refused token of 2.9 MB fill the audit trail.
 */
public final class ClientText {

    /** Characters of a client's text shown back at most. */
    public static final int MAX = 64;

    private ClientText() {
    }

    public static String shown(String clientText) {
        if (clientText == null) {
            return "";
        }
        int shown = Math.min(clientText.length(), MAX);
        StringBuilder out = new StringBuilder(shown + 24);
        for (int i = 0; i < shown; i++) {
            char c = clientText.charAt(i);
            out.append(c == '"' || c == '\\' ? '\'' : c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (clientText.length() > shown) {
            out.append("...(").append(clientText.length()).append(" chars)");
        }
        return out.toString();
    }
}
