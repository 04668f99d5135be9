package io.mcpserver.server;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Default logging when no {@code java.util.logging.config.file} is given: one line per record on
 * stderr (stdout may be the stdio transport).
 */
final class Logging {

    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler(); // writes to System.err
        handler.setLevel(Level.ALL);
        handler.setFormatter(new OneLineFormatter());
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** {@code 2026-11-21T10:00:00.123Z INFO  logger: message} and the stack trace if any. */
    static final class OneLineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(r.getInstant()).append(' ').append(String.format("%-7s", r.getLevel().getName())).append(' ')
                    .append(shortName(r.getLoggerName())).append(": ").append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                var w = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                sb.append(w);
            }
            return sb.toString();
        }

        private static String shortName(String name) {
            if (name == null) {
                return "";
            }
            int dot = name.lastIndexOf('.');
            return dot < 0 ? name : name.substring(dot + 1);
        }
    }
}
