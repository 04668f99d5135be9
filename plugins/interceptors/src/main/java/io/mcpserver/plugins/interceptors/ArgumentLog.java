package io.mcpserver.plugins.interceptors;

import io.mcpserver.spi.McpProtocolException;
import io.mcpserver.spi.intercept.InterceptedRequest;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.intercept.InterceptorChain;
import io.mcpserver.spi.intercept.RequestFailedException;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Logs every request at FINE ({@code DEBUG}): method, target, caller, transport, session, the arguments with the
 * denylisted fields replaced by {@code ***}, and how it ended after how long. Outermost (order -1000), so it logs
 * what the client sent and times everything the other interceptors do. With FINE off it only passes requests on.
 */
final class ArgumentLog implements Interceptor {

    static final String REDACTED = "***";
    /** Longer strings are cut in the log: a 64 KB argument is no log line. */
    static final int MAX_STRING = 200;

    private final System.Logger logger;
    private final Set<String> denied;

    ArgumentLog(System.Logger logger, Collection<String> redactFields) {
        this.logger = logger;
        this.denied = redactFields.stream().map(ArgumentLog::normalized).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String name() {
        return "argument-log";
    }

    @Override
    public int order() {
        return -1000;
    }

    @Override
    public Map<String, Object> intercept(InterceptedRequest request, InterceptorChain chain) {
        if (!logger.isLoggable(System.Logger.Level.DEBUG)) {
            return chain.proceed(request);
        }
        String what = describe(request);
        long started = System.nanoTime();
        try {
            Map<String, Object> result = chain.proceed(request);
            String outcome = Boolean.TRUE.equals(result.get("isError")) ? "tool error" : "ok";
            logger.log(System.Logger.Level.DEBUG, what + " -> " + outcome + " in " + millis(started) + " ms");
            return result;
        } catch (RequestFailedException e) {
            logger.log(System.Logger.Level.DEBUG, what + " -> error " + e.code() + " in " + millis(started) + " ms");
            throw e;
        } catch (McpProtocolException e) {
            logger.log(System.Logger.Level.DEBUG, what + " -> refused " + e.code() + " in " + millis(started) + " ms");
            throw e;
        }
    }

    /**
     * {@code tools/call echo by alice (http, session 1f…): {"text":"hi","password":"***"}}; a task's run says
     * {@code tools/call echo as task 9c… by alice …}.
     */
    String describe(InterceptedRequest request) {
        StringBuilder line = new StringBuilder(request.method());
        request.target().ifPresent(t -> line.append(' ').append(t));
        request.taskId().ifPresent(id -> line.append(" as task ").append(id)); // the run of a task it created
        if (request.caller() != null) {
            line.append(" by ").append(request.caller().subject());
        }
        line.append(" (").append(request.transport());
        request.sessionId().ifPresent(id -> line.append(", session ").append(id));
        line.append(')');
        if (!request.arguments().isEmpty()) {
            line.append(": ");
            write(line, request.arguments());
        }
        return line.toString();
    }

    private void write(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    String key = String.valueOf(e.getKey());
                    quoted(out, key);
                    out.append(':');
                    if (denied.contains(normalized(key))) {
                        quoted(out, REDACTED);
                    } else {
                        write(out, e.getValue());
                    }
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, list.get(i));
                }
                out.append(']');
            }
            case String s -> quoted(out, s.length() <= MAX_STRING ? s
                    : s.substring(0, MAX_STRING) + "…(" + s.length() + " chars)");
            default -> out.append(value); // numbers and booleans
        }
    }

    private static void quoted(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** {@code apiKey}, {@code api_key} and {@code API-KEY} are one field to the denylist. */
    static String normalized(String field) {
        return field.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
