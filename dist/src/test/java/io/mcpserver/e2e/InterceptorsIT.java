package io.mcpserver.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Interceptors from real plugin JARs in a temporary plugins folder: the bundled {@code interceptors} plugin (result
 * cache and redacting argument log at FINE) and a plugin compiled here whose interceptor throws on echo "boom".
 * Over TCP (JSON lines, as nc sends them), Streamable HTTP and WebSocket (the official TypeScript SDK client):
 * a repeated call of a read-only, idempotent tool is answered from the cache; the throwing interceptor gets -32603,
 * is logged once per failure and the session carries on; the log shows arguments with the denylisted field
 * redacted. Then the throwing plugin's JAR is removed and, with the watcher on, its interceptor is gone.
 */
class InterceptorsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String FAILED = "interceptor explode of plugin boom failed on tools/call";

    @Test
    void bundledAndThrowingInterceptorsOnEveryTransport() throws Exception {
        Path work = Files.createTempDirectory(TestEnv.workRoot(), "interceptors-");
        try (ServerProcess server = ServerProcess.builder().name("interceptors")
                .home(homeWithFineInterceptorLog(work.resolve("home")))
                .env("MCP_CLASS_DATA", "off")
                .plugins("demo", "interceptors")
                .pluginJar(throwingPlugin(work.resolve("boom.jar")))
                .args("--tcp-port", "0", "--http-port", "0")
                .config("""
                        plugins:
                          watch: true
                          watch-debounce: 200ms
                          interceptors:
                            log-arguments: true
                            redact-fields: [text]
                            cache-results: true
                            cache-ttl: 5m
                        """)
                .start()) {
            assertTrue(server.stderr().contains("Registering interceptor result-cache"), server.stderr());

            // TCP: JSON lines on a socket, as nc would send them
            try (Socket socket = new Socket(server.host("tcp"), server.tcpPort());
                 JsonRpcPeer tcp = new JsonRpcPeer(socket.getInputStream(), socket.getOutputStream())) {
                tcp.initialize();
                JsonNode first = tcp.request("tools/call", Map.of("name", "sleep", "arguments", Map.of("ms", 201)));
                JsonNode second = tcp.request("tools/call", Map.of("name", "sleep", "arguments", Map.of("ms", 201)));
                assertTrue(first.path("result").path("_meta").path("io.mcpserver/cache").isMissingNode(),
                        first.toString());
                assertEquals(first.path("result").path("content"), second.path("result").path("content"));
                assertTrue(second.path("result").path("_meta").path("io.mcpserver/cache").path("hit").asBoolean(),
                        second.toString());

                JsonNode boom = tcp.request("tools/call", Map.of("name", "echo", "arguments", Map.of("text", "boom")));
                assertEquals(-32603, boom.path("error").path("code").asInt(), boom.toString());
                assertFalse(boom.toString().contains("interceptor bug"), "no internals on the wire: " + boom);
                JsonNode after = tcp.request("tools/call", Map.of("name", "echo",
                        "arguments", Map.of("text", "after boom over tcp")));
                assertEquals("after boom over tcp", after.path("result").path("content").path(0).path("text").asText(),
                        after.toString());
                tcp.request("tools/call", Map.of("name", "echo", "arguments", Map.of("text", "hunter2-tcp")));
            }

            // Streamable HTTP and WebSocket: the official TypeScript SDK client
            NodeScript.Result run = NodeScript.of("interceptors-client.mjs")
                    .args("http://" + server.host("http") + ":" + server.httpPort())
                    .timeout(Duration.ofMinutes(2))
                    .run();
            JsonNode summary = run.json();
            for (String transport : List.of("http", "websocket")) {
                JsonNode step = summary.path("steps").path(transport);
                if (!step.path("ok").asBoolean()) {
                    fail("step '" + transport + "' failed: " + step + "\n" + run + "\n--- server log ---\n"
                            + server.stderr());
                }
                assertTrue(step.path("first").path("meta").isNull(), step.toString());
                assertEquals(step.path("first").path("texts"), step.path("second").path("texts"), step.toString());
                assertTrue(step.path("second").path("meta").path("io.mcpserver/cache").path("hit").asBoolean(),
                        transport + ": " + step);
                assertEquals(-32603, step.path("boom").path("error").path("code").asInt(), transport + ": " + step);
                assertEquals("after boom over " + transport, step.path("after").path(0).asText(), step.toString());
                assertEquals("hunter2-" + transport, step.path("secret").path(0).asText(), step.toString());
            }

            String log = server.stderr();
            assertEquals(3, count(log, FAILED), "one log line per failure, on each transport:\n" + log);
            assertTrue(log.contains("java.lang.IllegalStateException: interceptor bug"), "with its cause:\n" + log);
            for (String transport : List.of("tcp", "http", "websocket")) {
                assertTrue(log.contains("tools/call echo by anonymous (" + transport), transport + " logged:\n" + log);
            }
            assertTrue(log.contains("{\"text\":\"***\"}"), "the text argument is redacted:\n" + log);
            assertFalse(log.contains("hunter2"), "no redacted value in the log:\n" + log);

            // reload: the throwing plugin's JAR goes, and with it its interceptor
            Files.delete(server.workDir().resolve("plugins").resolve("boom.jar"));
            assertTrue(server.awaitStderr("Unloaded plugin boom", TIMEOUT), server.stderr());
            try (Socket socket = new Socket(server.host("tcp"), server.tcpPort());
                 JsonRpcPeer tcp = new JsonRpcPeer(socket.getInputStream(), socket.getOutputStream())) {
                tcp.initialize();
                JsonNode boom = tcp.request("tools/call", Map.of("name", "echo", "arguments", Map.of("text", "boom")));
                assertEquals("boom", boom.path("result").path("content").path(0).path("text").asText(),
                        boom.toString());
            }
            assertEquals(3, count(server.stderr(), FAILED), server.stderr());
        }
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * The distribution's launcher and libraries, with a conf/logging.properties that turns the interceptors plugin's
     * logger up to FINE (the launcher always names its own home's file).
     */
    private static Path homeWithFineInterceptorLog(Path home) throws IOException {
        Path dist = TestEnv.distHome();
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("conf"));
        try (Stream<Path> bin = Files.list(dist.resolve("bin"))) {
            for (Path file : bin.toList()) {
                Files.copy(file, home.resolve("bin").resolve(file.getFileName().toString()),
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.createSymbolicLink(home.resolve("lib"), dist.resolve("lib"));
        Files.copy(dist.resolve("conf/mcp-server.yaml"), home.resolve("conf/mcp-server.yaml"));
        Files.writeString(home.resolve("conf/logging.properties"),
                Files.readString(dist.resolve("conf/logging.properties")) + "\nmcp.plugin.interceptors.level=FINE\n");
        return home;
    }

    /** A plugin JAR, compiled here against the distribution's plugin API, whose interceptor throws on echo "boom". */
    private static Path throwingPlugin(Path jar) throws IOException {
        String source = """
                package com.example.boom;

                import io.mcpserver.spi.McpPlugin;
                import io.mcpserver.spi.intercept.InterceptedRequest;
                import io.mcpserver.spi.intercept.Interceptor;
                import io.mcpserver.spi.intercept.InterceptorChain;
                import java.util.List;
                import java.util.Map;

                public class BoomPlugin implements McpPlugin {
                    public String name() { return "boom"; }
                    public List<Interceptor> interceptors() {
                        return List.of(new Interceptor() {
                            public String name() { return "explode"; }
                            public Map<String, Object> intercept(InterceptedRequest request, InterceptorChain chain) {
                                if ("boom".equals(request.arguments().get("text"))) {
                                    throw new IllegalStateException("interceptor bug");
                                }
                                return chain.proceed(request);
                            }
                        });
                    }
                }
                """;
        Path work = Files.createTempDirectory(jar.getParent(), "boom-src");
        Path src = work.resolve("com/example/boom/BoomPlugin.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        Path api = TestEnv.distHome().resolve("lib/mcp-plugin-api-" + TestEnv.projectVersion() + ".jar");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = compiler.run(null, errors, errors, "-d", classes.toString(), "-cp", api.toString(),
                "--release", "21", "-proc:none", src.toString());
        assertEquals(0, rc, errors.toString(StandardCharsets.UTF_8));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Mcp-Spi-Version", "1");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                jarOut.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jarOut);
                jarOut.closeEntry();
            }
            jarOut.putNextEntry(new JarEntry("META-INF/services/io.mcpserver.spi.McpPlugin"));
            jarOut.write("com.example.boom.BoomPlugin\n".getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return jar;
    }
}
