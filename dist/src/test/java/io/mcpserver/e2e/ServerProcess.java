package io.mcpserver.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The built distribution's {@code bin/mcp-server} running as a real process, as a user starts it.
 *
 * <p>Each process gets its own work directory under {@code dist/target/e2e/} (its working directory,
 * the config file and plugins folder the test asked for, and {@code stderr.log}/{@code stdout.log}),
 * listens on ephemeral ports (the {@code MCP_TRANSPORTS_*_PORT=0} overrides, so builds running side by
 * side never collide), keeps plugin data in its work directory ({@code MCP_PLUGINS_DATA__DIR}), and
 * is ready when it logs the {@value #READY_MARKER} line, whose endpoints
 * ({@code tcp=127.0.0.1:41234 http=… stdio=on}) give the bound ports.
 *
 * <pre>{@code
 * try (ServerProcess server = ServerProcess.builder().start()) {
 *     int port = server.tcpPort();
 * }
 * ServerProcess.Result listing = ServerProcess.builder().args("--list-plugins").run(Duration.ofSeconds(60));
 * }</pre>
 */
public final class ServerProcess implements AutoCloseable {

    /** What the server logs, followed by its endpoints, once every listener is bound. */
    public static final String READY_MARKER = "MCP server ready";
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Launch launch;
    private final Process process;
    private final boolean stdio;
    private final StringBuffer stderr = new StringBuffer();
    private final StringBuffer stdoutText = new StringBuffer();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final List<Thread> pumps = new ArrayList<>();
    private volatile Map<String, String> endpoints = Map.of();
    private volatile String readyLine;
    private Integer exitCode;

    private ServerProcess(Launch launch, Process process, boolean stdio) {
        this.launch = launch;
        this.process = process;
        this.stdio = stdio;
        pumps.add(pump("stderr", process.getErrorStream(), launch.workDir().resolve("stderr.log"), stderr, true));
        if (!stdio) {
            pumps.add(pump("stdout", process.getInputStream(), launch.workDir().resolve("stdout.log"), stdoutText, false));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The command line, extra environment and working directory a server is started with. */
    public record Launch(List<String> command, Map<String, String> environment, Path workDir) {

        public Launch {
            command = List.copyOf(command);
            environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        }

        /**
         * The process environment: this JVM's, less any inherited {@code MCP_*} variable (each one is a
         * config override that would make tests depend on the shell), plus {@link #environment()}.
         */
        public Map<String, String> fullEnvironment() {
            Map<String, String> env = new LinkedHashMap<>(System.getenv());
            env.keySet().removeIf(name -> name.startsWith("MCP_"));
            env.putAll(environment);
            return env;
        }

        ProcessBuilder processBuilder() {
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
            builder.environment().clear();
            builder.environment().putAll(fullEnvironment());
            return builder;
        }
    }

    /** How a process that ran to its end finished. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    // ---- what the running server offers -------------------------------------------------------

    /** The ready line's endpoints by name ({@code tcp}, {@code http}, {@code stdio}, …), in order. */
    public Map<String, String> endpoints() {
        return endpoints;
    }

    public Optional<String> endpoint(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    /** The full {@value #READY_MARKER} line as logged. */
    public String readyLine() {
        return readyLine;
    }

    public int tcpPort() {
        return port("tcp");
    }

    public int httpPort() {
        return port("http");
    }

    /** The port of a named endpoint: {@code 127.0.0.1:41234}, {@code [::1]:41234} or a URL. */
    public int port(String endpoint) {
        String value = requireEndpoint(endpoint);
        if (value.contains("://")) {
            return URI.create(value).getPort();
        }
        return Integer.parseInt(value.substring(value.lastIndexOf(':') + 1));
    }

    /** The host to connect to for a named endpoint (a wildcard bind address becomes 127.0.0.1). */
    public String host(String endpoint) {
        String value = requireEndpoint(endpoint);
        String host = value.contains("://") ? URI.create(value).getHost() : value.substring(0, value.lastIndexOf(':'));
        return host.isEmpty() || host.equals("0.0.0.0") || host.equals("[::]") || host.equals("*") ? "127.0.0.1" : host;
    }

    /** {@code http://host:port} + path on the HTTP listener, e.g. {@code httpUri("/mcp")}. */
    public URI httpUri(String path) {
        return URI.create("http://" + host("http") + ":" + httpPort() + path);
    }

    /**
     * Waits until {@code GET /ready} answers 200: the ready log line comes before what connects in the background
     * (a cluster node's Redis connection), so a test that needs the node serving waits for this instead.
     */
    public ServerProcess awaitReadyEndpoint(Duration timeout) throws IOException, InterruptedException {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "none";
        while (System.nanoTime() < deadline) {
            try {
                java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(httpUri("/ready"))
                        .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return this;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("/ready never answered 200 within " + timeout + "; last: " + last + "\n"
                + stderr());
    }

    /** The server's standard input: the stdio transport's inbound side (when started with {@code stdio()}). */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** The server's standard output: the stdio transport's outbound side. Only with {@code stdio()}. */
    public InputStream stdout() {
        if (!stdio) {
            throw new IllegalStateException("started without stdio(): its stdout is captured, see stdoutText()");
        }
        return process.getInputStream();
    }

    /** What the server wrote to stdout so far (without {@code stdio()}). */
    public String stdoutText() {
        return stdoutText.toString();
    }

    /** What the server wrote to stderr so far: its log. */
    public String stderr() {
        return stderr.toString();
    }

    /** Waits until the server's stderr contains {@code text}; false on timeout. */
    public boolean awaitStderr(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (stderr.indexOf(text) < 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    public Launch launch() {
        return launch;
    }

    public Path workDir() {
        return launch.workDir();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    /** Stops the server as a service manager would: SIGTERM, a grace period, then SIGKILL. Returns its exit code. */
    public synchronized int stop() throws InterruptedException {
        if (exitCode != null) {
            return exitCode;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        closeQuietly(process.getOutputStream());
        for (Thread pump : pumps) {
            pump.join(5_000);
        }
        exitCode = process.exitValue();
        return exitCode;
    }

    /** Waits for a process that ends by itself ({@code --list-plugins}, {@code --version}…). */
    public Result awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop();
            throw new IllegalStateException(describe("did not exit within " + timeout));
        }
        int code = stop();
        return new Result(code, stdoutText.toString(), stderr.toString());
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        try {
            readyLine = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            endpoints = parseEndpoints(readyLine);
        } catch (TimeoutException e) {
            stop();
            throw new IllegalStateException(describe("did not log '" + READY_MARKER + "' within " + timeout));
        } catch (ExecutionException e) {
            process.waitFor(5, TimeUnit.SECONDS);
            stop();
            throw new IllegalStateException(describe("exited with code " + process.exitValue() + " before it was ready"));
        }
    }

    /** {@code … MCP server ready: tcp=127.0.0.1:41234 http=127.0.0.1:41235 stdio=on} → {tcp=…, http=…, stdio=on}. */
    static Map<String, String> parseEndpoints(String line) {
        Map<String, String> result = new LinkedHashMap<>();
        String rest = line.substring(line.indexOf(READY_MARKER) + READY_MARKER.length());
        for (String token : rest.split("[\\s,;]+")) {
            int eq = token.indexOf('=');
            if (eq > 0 && eq < token.length() - 1) {
                result.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private String requireEndpoint(String name) {
        String value = endpoints.get(name);
        if (value == null) {
            throw new IllegalStateException("no '" + name + "' endpoint in the ready line: " + readyLine);
        }
        return value;
    }

    private String describe(String what) {
        String log = stderr.toString();
        int max = 30_000;
        if (log.length() > max) {
            log = "[… " + (log.length() - max) + " chars cut …]\n" + log.substring(log.length() - max);
        }
        return "mcp-server " + what + "\n  command: " + String.join(" ", launch.command())
                + "\n  extra environment: " + launch.environment()
                + "\n  work dir: " + launch.workDir()
                + "\n--- stderr ---\n" + log + (log.endsWith("\n") ? "" : "\n") + "--- end of stderr ---";
    }

    private Thread pump(String name, InputStream in, Path logFile, StringBuffer sink, boolean watchForReady) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                 Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.append(line).append('\n');
                    log.write(line);
                    log.write('\n');
                    log.flush();
                    if (watchForReady && !ready.isDone() && line.contains(READY_MARKER)) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                sink.append("[harness: reading ").append(name).append(" failed: ").append(e).append("]\n");
            } finally {
                if (watchForReady) {
                    ready.completeExceptionally(new IllegalStateException(name + " closed"));
                }
            }
        }, "mcp-server-" + name + "-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // the process is gone; nothing left to tell it
        }
    }

    /** Chooses how the server is started. Every setter returns this builder. */
    public static final class Builder {

        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<Path> pluginJars = new ArrayList<>();
        private String configYaml;
        private Path pluginsDir;
        private boolean tempPlugins;
        private boolean stdio;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private String name = "server";
        private Path home;

        private Builder() {
            // ephemeral ports always: several builds may run on one machine at once
            env.put("MCP_TRANSPORTS_TCP_PORT", "0");
            env.put("MCP_TRANSPORTS_HTTP_PORT", "0");
        }

        /** Writes this YAML to the work directory and passes it with {@code --config}; else the distribution's conf/mcp-server.yaml applies. */
        public Builder config(String yaml) {
            this.configYaml = yaml;
            return this;
        }

        /** More command-line arguments, after those the builder adds. */
        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** An environment variable for the server, e.g. a config override {@code MCP_LIMITS_MAX__MESSAGE__SIZE}. */
        public Builder env(String variable, String value) {
            env.put(variable, value);
            return this;
        }

        /** A node of a cluster on the Redis at {@code redisUrl}, named {@code nodeId} ({@code cluster.*}). */
        public Builder clusterNode(String redisUrl, String nodeId) {
            return env("MCP_CLUSTER_ENABLED", "true").env("MCP_CLUSTER_REDIS_URL", redisUrl)
                    .env("MCP_CLUSTER_NODE__ID", nodeId);
        }

        /** Runs with {@code --stdio}: {@link #stdin()} and {@link #stdout()} are the transport. */
        public Builder stdio() {
            this.stdio = true;
            return this;
        }

        /** Turns the TCP listener on or off ({@code MCP_TRANSPORTS_TCP_ENABLED}). */
        public Builder tcp(boolean enabled) {
            return env("MCP_TRANSPORTS_TCP_ENABLED", Boolean.toString(enabled));
        }

        /** Turns the HTTP listener on or off ({@code MCP_TRANSPORTS_HTTP_ENABLED}). */
        public Builder http(boolean enabled) {
            return env("MCP_TRANSPORTS_HTTP_ENABLED", Boolean.toString(enabled));
        }

        /** A fresh plugins folder holding only these bundled plugins (copied from the distribution), via {@code --plugins-dir}. */
        public Builder plugins(String... bundledNames) {
            tempPlugins = true;
            for (String name : bundledNames) {
                pluginJars.add(TestEnv.bundledPlugin(name));
            }
            return this;
        }

        /** Adds a JAR (or a directory of JARs) to the fresh plugins folder, via {@code --plugins-dir}. */
        public Builder pluginJar(Path jarOrDirectory) {
            tempPlugins = true;
            pluginJars.add(jarOrDirectory);
            return this;
        }

        /** Uses this plugins folder as it is ({@code --plugins-dir}). */
        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Runs {@code bin/mcp-server} of another installation (e.g. the unpacked tarball) instead of dist/target's. */
        public Builder home(Path installation) {
            this.home = installation;
            return this;
        }

        /** Names the work directory (e.g. after the test), {@code target/e2e/<name>-<random>}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Prepares the work directory (config file, plugins folder) and returns how to start the server,
         * for clients that spawn it themselves (the MCP SDK's stdio transport).
         */
        public Launch launch() {
            try {
                Path workDir = Files.createTempDirectory(TestEnv.workRoot(), name + "-");
                List<String> command = new ArrayList<>();
                command.add((home != null ? home.resolve("bin/mcp-server") : TestEnv.launcher()).toString());
                if (configYaml != null) {
                    Path config = workDir.resolve("mcp-server.yaml");
                    Files.writeString(config, configYaml);
                    command.add("--config");
                    command.add(config.toString());
                }
                if (tempPlugins) {
                    Path dir = Files.createDirectories(workDir.resolve("plugins"));
                    for (Path jar : pluginJars) {
                        copy(jar, dir.resolve(jar.getFileName().toString()));
                    }
                    command.add("--plugins-dir");
                    command.add(dir.toString());
                } else if (pluginsDir != null) {
                    command.add("--plugins-dir");
                    command.add(pluginsDir.toString());
                }
                if (stdio) {
                    command.add("--stdio");
                }
                command.addAll(args);
                Map<String, String> environment = new LinkedHashMap<>();
                // plugin data stays with this process, not in the shared distribution
                environment.put("MCP_PLUGINS_DATA__DIR", workDir.resolve("data").toString());
                environment.putAll(env);
                return new Launch(command, environment, workDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Starts the server and waits for its ready line; throws with its stderr if it does not come. */
        public ServerProcess start() throws IOException, InterruptedException {
            ServerProcess server = spawn();
            server.awaitReady(startupTimeout);
            return server;
        }

        /** Starts the server for a command that ends by itself ({@code --list-plugins}…) and waits for the end. */
        public Result run(Duration timeout) throws IOException, InterruptedException {
            return spawn().awaitExit(timeout);
        }

        private ServerProcess spawn() throws IOException {
            Launch launch = launch();
            return new ServerProcess(launch, launch.processBuilder().start(), stdio);
        }

        private static void copy(Path source, Path target) throws IOException {
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
                try (var children = Files.list(source)) {
                    for (Path child : children.toList()) {
                        copy(child, target.resolve(child.getFileName().toString()));
                    }
                }
            } else {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
