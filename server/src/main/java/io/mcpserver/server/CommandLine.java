package io.mcpserver.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The launcher's flags. Flags that set configuration become overrides of the matching keys. */
record CommandLine(Path configFile, Map<String, String> overrides, boolean help, boolean version,
                   boolean listPlugins, boolean checkConfig, boolean stdio, Path newPlugin, boolean newApiKey) {

    static final String USAGE = """
            Usage: mcp-server [options]
              --config FILE       configuration file (default: <home>/conf/mcp-server.yaml)
              --stdio             serve MCP on stdin/stdout; a network transport stays off unless
                                  its port (--tcp-port, --http-port) is also given
              --host HOST         address the network transports bind to (server.host)
              --tcp-port N        TCP transport port, 0 for any free port (transports.tcp.port)
              --http-port N       HTTP/WebSocket port, 0 for any free port (transports.http.port)
              --plugins-dir DIR   where plugin JARs are loaded from (plugins.dir)
              --set KEY=VALUE     set any configuration key, e.g. --set protocol.page-size=50
              --list-plugins      list plugins and their tools, then exit
              --check-config      validate the configuration, print it with secrets masked, then exit
              --new-plugin DIR    write a plugin project (Maven, with tests) into DIR, then exit
              --new-api-key       print a new random API key and its hash (for security.api-keys), then exit
              --version           print the version and exit
              --help              print this help and exit
            Environment: MCP_<KEY> overrides a key (MCP_TRANSPORTS_TCP_PORT=9100; '__' stands for '-').
            """;

    static CommandLine parse(String[] args) {
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        boolean help = false;
        boolean version = false;
        boolean list = false;
        boolean check = false;
        boolean stdio = false;
        boolean tcpFlag = false;
        boolean httpFlag = false;
        Path newPlugin = null;
        boolean newApiKey = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0 && !arg.startsWith("--set")) {
                inlineValue = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--help", "-h" -> help = true;
                case "--version" -> version = true;
                case "--list-plugins" -> list = true;
                case "--check-config" -> check = true;
                case "--new-api-key" -> newApiKey = true;
                case "--stdio" -> stdio = true;
                case "--config" -> config = Path.of(value(args, ++i, arg, inlineValue));
                case "--new-plugin" -> newPlugin = Path.of(value(args, ++i, arg, inlineValue));
                case "--host" -> overrides.put("server.host", value(args, ++i, arg, inlineValue));
                case "--tcp-port" -> {
                    overrides.put("transports.tcp.port", value(args, ++i, arg, inlineValue));
                    overrides.put("transports.tcp.enabled", "true");
                    tcpFlag = true;
                }
                case "--http-port" -> {
                    overrides.put("transports.http.port", value(args, ++i, arg, inlineValue));
                    overrides.put("transports.http.enabled", "true");
                    httpFlag = true;
                }
                case "--plugins-dir" -> overrides.put("plugins.dir", value(args, ++i, arg, inlineValue));
                case "--set" -> {
                    String kv = value(args, ++i, arg, null);
                    int e = kv.indexOf('=');
                    if (e <= 0) {
                        throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + kv + "'");
                    }
                    overrides.put(kv.substring(0, e), kv.substring(e + 1));
                }
                default -> {
                    if (arg.startsWith("--set=")) {
                        String kv = arg.substring("--set=".length());
                        int e = kv.indexOf('=');
                        if (e <= 0) {
                            throw new IllegalArgumentException("--set needs KEY=VALUE, got '" + kv + "'");
                        }
                        overrides.put(kv.substring(0, e), kv.substring(e + 1));
                    } else {
                        throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
                    }
                }
            }
            if (inlineValue != null && (arg.equals("--config") || arg.equals("--new-plugin") || arg.equals("--host") || arg.equals("--tcp-port")
                    || arg.equals("--http-port") || arg.equals("--plugins-dir"))) {
                i--; // the value was inline, not the next argument
            }
        }
        if (stdio) {
            overrides.put("transports.stdio.enabled", "true");
            // each network transport stays off unless its own port is given: the build's training run
            // (--stdio --http-port 0) once also opened TCP on 9000 and failed beside another server
            if (!tcpFlag) {
                overrides.put("transports.tcp.enabled", "false");
            }
            if (!httpFlag) {
                overrides.put("transports.http.enabled", "false");
            }
        }
        return new CommandLine(config, overrides, help, version, list, check, stdio, newPlugin, newApiKey);
    }

    private static String value(String[] args, int i, String flag, String inline) {
        if (inline != null) {
            return inline;
        }
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
