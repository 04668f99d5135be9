package io.mcpserver.server;

import io.mcpserver.server.json.Json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging setup. Without {@code java.util.logging.config.file}: one line per record on stderr (stdout
 * may be the stdio transport). With {@code logging.format: json}: one JSON object per line on every
 * handler, for log shippers.
 */
final class Logging {

    enum Format { TEXT, JSON }

    private Logging() {
    }

    static void configure(Format format) {
        Logger root = Logger.getLogger("");
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.config.class") == null) {
            LogManager.getLogManager().reset();
            Handler handler = new ConsoleHandler(); // writes to System.err
            handler.setLevel(Level.ALL);
            handler.setFormatter(new OneLineFormatter());
            root.addHandler(handler);
            root.setLevel(Level.INFO);
        }
        if (format == Format.JSON) {
            for (Handler h : root.getHandlers()) {
                h.setFormatter(new JsonFormatter());
            }
        }
    }

    /** {@code {"time":…,"level":…,"logger":…,"thread":…,"message":…,"error":…}} on one line. */
    static final class JsonFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            var n = Json.object();
            n.put("time", r.getInstant().toString());
            n.put("level", r.getLevel().getName());
            n.put("logger", r.getLoggerName());
            n.put("thread", Thread.currentThread().getName());
            n.put("message", formatMessage(r));
            if (r.getThrown() != null) {
                var w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                n.put("error", w.toString());
            }
            return Json.write(n) + "\n";
        }
    }

    /** {@code 2026-11-21T10:00:00.123Z INFO  logger: message} and the stack trace if any. */
    static final class OneLineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(r.getInstant()).append(' ').append(String.format("%-7s", r.getLevel().getName())).append(' ')
                    .append(shortName(r.getLoggerName())).append(": ").append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                var w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
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
