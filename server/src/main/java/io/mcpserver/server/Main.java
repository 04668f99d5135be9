package io.mcpserver.server;

import io.helidon.config.Config;
import io.mcpserver.server.config.ConfigException;
import io.mcpserver.server.config.ConfigLoader;
import io.mcpserver.server.config.ConfigReader;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.plugins.PluginLoader;
import io.mcpserver.server.config.ConfigKey;
import io.mcpserver.server.config.ConfigKeys;
import io.mcpserver.server.plugins.PluginConfigScan;
import io.mcpserver.server.plugins.PluginConfigSchema;
import io.mcpserver.server.plugins.PluginStatus;
import io.mcpserver.server.plugins.PluginSummary;
import io.mcpserver.server.registry.FeatureRegistry;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** Command-line entry: parses flags, loads and validates configuration, then runs the server until it stops. */
public final class Main {

    /** Names of undeclared plugin keys that --check-config masks all the same. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(secret|password|passphrase|token|private|credential).*|.*key", Pattern.CASE_INSENSITIVE);

    private Main() {
    }

    /**
     * What {@code --new-api-key} prints: the key (for the client, shown this once) and a configuration entry with its
     * hash, ready to paste under {@code security:} (or into the keys file).
     */
    static String newApiKey(String key) {
        return "api-key: " + key + "\n"
                + "hash:    " + io.mcpserver.server.security.ApiKeyChecker.hash(key) + "\n"
                + "\n"
                + "Give the key to the client (it sends 'Authorization: ApiKey <key>' or 'X-API-Key: <key>'); it is\n"
                + "not kept anywhere and cannot be shown again. Keep the hash in the configuration, under security:\n"
                + "(or in the file security.api-keys-file names), with a name and what the key may do:\n"
                + "\n"
                + "  api-keys:\n"
                + "    new-key:\n"
                + "      hash: \"" + io.mcpserver.server.security.ApiKeyChecker.hash(key) + "\"\n"
                + "      subject: new-key\n"
                + "      scopes: []\n"
                + "      roles: []\n"
                + "      # expires: 2027-12-31\n";
    }

    public static void main(String[] args) {
        // stdout may be the stdio transport: keep the real stream for it and send stray prints to stderr.
        OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        InputStream protocolIn = new FileInputStream(FileDescriptor.in);
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        System.exit(run(args, protocolIn, protocolOut, console));
    }

    static int run(String[] args, InputStream stdin, OutputStream stdout, PrintStream console) {
        CommandLine cli;
        try {
            cli = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("mcp-server: " + e.getMessage());
            return 2;
        }
        if (cli.help()) {
            console.print(CommandLine.USAGE);
            return 0;
        }
        if (cli.version()) {
            console.println("mcp-server " + version());
            return 0;
        }
        if (cli.newApiKey()) {
            console.print(newApiKey(io.mcpserver.server.security.ApiKeyChecker.newKey()));
            return 0;
        }
        Path home = Path.of(System.getProperty("mcp.home", ".")).toAbsolutePath().normalize();
        if (cli.newPlugin() != null) {
            try {
                NewPluginProject project = NewPluginProject.write(cli.newPlugin(), version(), home);
                console.print(project.nextSteps());
                return 0;
            } catch (IllegalArgumentException | java.io.IOException e) {
                System.err.println("mcp-server: --new-plugin: " + e.getMessage());
                return 2;
            }
        }
        if (!cli.checkConfig() && !cli.listPlugins()) { // a server will run: its metrics registry is made meanwhile
            io.mcpserver.server.observe.ServerMetrics.prepareRegistry();
            prepareJson();
        }
        ServerConfig config;
        int carrierThreads;
        java.util.function.Supplier<Config> configuration = () -> ConfigLoader.load(cli.configFile(),
                home.resolve("conf/mcp-server.yaml"), cli.overrides(), System.getenv());
        try {
            Config raw = configuration.get();
            config = ServerConfig.from(raw, home, cli.configFile(), version());
            ConfigReader reader = new ConfigReader(raw);
            Logging.Format format = reader.enumValue("logging.format", Logging.Format.class);
            carrierThreads = reader.integer("server.carrier-threads");
            reader.check();
            Logging.configure(format);
        } catch (ConfigException e) {
            System.err.println("mcp-server: invalid configuration:");
            e.problems().forEach(p -> System.err.println("  " + p));
            return 2;
        }
        if (cli.checkConfig()) {
            PluginConfigScan plugins = PluginConfigScan.of(config.plugins().dir());
            List<String> problems = new ArrayList<>(plugins.problems());
            pluginSections(config).forEach(name -> {
                PluginConfigSchema schema = plugins.schemas().get(name);
                if (schema != null) {
                    problems.addAll(schema.problems(config.pluginConfig(name)));
                }
            });
            if (!problems.isEmpty()) {
                System.err.println("mcp-server: invalid configuration:");
                problems.forEach(p -> System.err.println("  " + p));
                return 2;
            }
            printConfig(config, plugins, console);
            return 0;
        }
        if (cli.listPlugins()) {
            return listPlugins(config, console);
        }
        // before the server starts its first virtual thread: the scheduler reads this once
        System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO, CarrierThreads.apply(carrierThreads));
        McpServer server = new McpServer(config, stdin, stdout, configuration);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mcp-shutdown"));
        handleSignals(server);
        try {
            server.start();
            server.awaitStopped();
            return 0;
        } catch (Exception e) {
            // a listener that cannot bind is the operator's to fix, not a bug: one line, no stack trace
            Throwable cause = e.getCause() instanceof BindException ? null : e.getCause();
            System.getLogger(Main.class.getName()).log(System.Logger.Level.ERROR, e.getMessage(), cause);
            System.err.println("mcp-server: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Initialises Jackson (the shared mapper, its modules, its date format with the JDK's locale data: about 40 ms of
     * class initialisation) on a thread of its own while main reads the configuration; main and the plugins' thread
     * needed it first in the middle of building the HTTP listener and registering the tools (issue 14). A platform
     * thread, for the reason {@code ServerMetrics.prepareRegistry} gives. Whatever fails here fails again, and is
     * reported, where the mapper is first used for real.
     */
    private static void prepareJson() {
        Thread.ofPlatform().name("mcp-json-init").daemon().start(() -> {
            try {
                io.mcpserver.server.json.Json.MAPPER.writeValueAsBytes(
                        io.mcpserver.server.json.Json.MAPPER.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
            } catch (java.io.IOException | RuntimeException e) {
                // see above
            }
        });
    }

    /**
     * SIGTERM/SIGINT: the first one stops the server gracefully (in-flight calls get
     * {@code server.shutdown-grace}) and the process exits 0; a second one exits at once.
     */
    @SuppressWarnings("removal")
    private static void handleSignals(McpServer server) {
        AtomicInteger received = new AtomicInteger();
        sun.misc.SignalHandler handler = signal -> {
            if (received.getAndIncrement() == 0) {
                System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO, "SIG" + signal.getName()
                        + " received: stopping (send it again to exit at once)");
                Thread.ofPlatform().name("mcp-graceful-stop").start(server::close);
            } else {
                Runtime.getRuntime().halt(130);
            }
        };
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // signal not available on this platform: the shutdown hook still closes the server
            }
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static int listPlugins(ServerConfig config, PrintStream out) {
        try (PluginLoader loader = new PluginLoader(config.plugins().dir(), config.plugins().dataDir(),
                config::pluginConfig, new FeatureRegistry(), uri -> { })) {
            out.println("Plugins in " + config.plugins().dir() + ":");
            var summaries = loader.loadAll();
            if (summaries.isEmpty()) {
                out.println("  (none)");
            }
            for (PluginSummary s : summaries) {
                out.printf(Locale.ROOT, "%n%s %s [%s] %s%n", s.name(), s.version() == null ? "" : s.version(),
                        s.status(), s.source().getFileName());
                if (s.description() != null && !s.description().isBlank()) {
                    out.println("  " + s.description());
                }
                if (s.reason() != null) {
                    out.println("  reason: " + s.reason());
                }
                s.tools().forEach(t -> out.println("  tool      " + t));
                s.resources().forEach(r -> out.println("  resource  " + r));
                s.prompts().forEach(p -> out.println("  prompt    " + p));
            }
            return summaries.stream().anyMatch(s -> s.status() == PluginStatus.FAILED) ? 1 : 0;
        }
    }

    /** Names of the plugin sections ({@code plugins.<name>}) the configuration has. */
    private static List<String> pluginSections(ServerConfig config) {
        return config.raw().get("plugins").asNodeList().orElse(List.of()).stream()
                .filter(node -> ConfigKeys.find(node.key().toString()).isEmpty())
                .map(Config::name).toList();
    }

    /**
     * A declared key is secret when its declaration (the server's, or the plugin's) says so; a key of a plugin
     * section no plugin declares is judged by its name, so that an undeclared password is still masked.
     */
    private static boolean isSecret(String key, PluginConfigScan plugins) {
        return ConfigKeys.find(key).map(ConfigKey::secret).orElseGet(() -> {
            String[] parts = key.split("\\.", 4);
            if (parts.length < 3 || !parts[0].equals("plugins")) {
                return false;
            }
            PluginConfigSchema schema = plugins.schemas().get(parts[1]);
            return schema != null && schema.declared() ? schema.isSecret(parts[2])
                    : SECRET_KEY.matcher(key).matches();
        });
    }

    private static void printConfig(ServerConfig config, PluginConfigScan plugins, PrintStream out) {
        out.println("# configuration is valid");
        out.println("# file: " + (config.configFile() != null ? config.configFile()
                : config.home().resolve("conf/mcp-server.yaml")));
        out.println("# home: " + config.home());
        out.println("# plugins.dir (effective): " + config.plugins().dir());
        out.println("# transports: " + String.join(", ", config.enabledTransports()));
        config.raw().traverse().filter(Config::isLeaf).forEach(node -> {
            String key = node.key().toString();
            String value = node.asString().orElse("");
            out.println(key + " = " + (isSecret(key, plugins) ? "******" : value));
        });
        for (String name : pluginSections(config)) {
            if (!plugins.schemas().containsKey(name)) {
                out.println("# plugins." + name + ": no plugin of that name in " + config.plugins().dir()
                        + ConfigKeys.closest(name, plugins.schemas().keySet()).map(s -> " (did you mean " + s + "?)")
                        .orElse(""));
            }
        }
    }
}
