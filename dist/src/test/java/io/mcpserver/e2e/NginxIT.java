package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The nginx recipe the docs show ({@code docs/examples/nginx/mcp-server.conf}, printed in operations.md) on
 * Debian's nginx (1.22 on Debian 12, installed by setup-test-env.sh), in front of {@code bin/mcp-server}, with
 * TLS: the official TypeScript SDK over Streamable HTTP, legacy HTTP+SSE and WebSocket, and a GET stream
 * resumed with {@code Last-Event-ID}, all through the proxy (nginx-client.mjs). The recipe used to fail there:
 * {@code http2 on;} is rejected before nginx 1.25.1, and {@code upstream mcp} sent {@code Host: mcp}, which the
 * DNS-rebinding check refused with 403. Only the addresses and certificate paths are replaced for the test.
 */
class NginxIT {

    private static final Path ROOT = TestEnv.nodeScripts().resolve("../../../..").normalize();
    private static final Path RECIPE = ROOT.resolve("docs/examples/nginx/mcp-server.conf");

    private static ServerProcess server;
    private static Process nginx;
    private static Path prefix;
    private static NodeScript.Result run;
    private static JsonNode summary;

    @BeforeAll
    static void startNginxInFrontOfTheServer() throws Exception {
        server = ServerProcess.builder().name("nginx-upstream").tcp(false).plugins("demo").start();
        prefix = Files.createTempDirectory(TestEnv.workRoot(), "nginx-");
        Path cert = prefix.resolve("cert.pem");
        Path key = prefix.resolve("key.pem");
        selfSignedLocalhost(cert, key);
        int port = freePort();
        String site = Files.readString(RECIPE);
        site = replaceOnce(site, "listen 443 ssl;", "listen 127.0.0.1:" + port + " ssl;");
        site = replaceOnce(site, "server 127.0.0.1:9001;", "server 127.0.0.1:" + server.httpPort() + ";");
        site = replaceOnce(site, "/etc/ssl/mcp.example.com/fullchain.pem", cert.toString());
        site = replaceOnce(site, "/etc/ssl/mcp.example.com/privkey.pem", key.toString());
        Files.writeString(prefix.resolve("mcp-server.conf"), site);
        Files.writeString(prefix.resolve("nginx.conf"), """
                worker_processes 1;
                %s
                pid %s/nginx.pid;
                events { worker_connections 256; }
                http {
                    access_log %s/access.log;
                    client_body_temp_path %s/tmp-body;
                    proxy_temp_path %s/tmp-proxy;
                    fastcgi_temp_path %s/tmp-fastcgi;
                    uwsgi_temp_path %s/tmp-uwsgi;
                    scgi_temp_path %s/tmp-scgi;
                    include %s/mcp-server.conf;
                }
                """.formatted("root".equals(System.getProperty("user.name")) ? "user root;" : "",
                prefix, prefix, prefix, prefix, prefix, prefix, prefix, prefix));
        List<String> command = List.of(TestEnv.nginx().toString(), "-p", prefix + "/", "-e", prefix + "/error.log",
                "-c", prefix + "/nginx.conf");
        Process check = new ProcessBuilder(concat(command, "-t")).redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), "nginx -t hangs");
        assertEquals(0, check.exitValue(), "nginx rejects the recipe:\n" + checked);
        nginx = new ProcessBuilder(concat(command, "-g", "daemon off;"))
                .redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.out").toFile()).start();
        awaitListening(port);
        run = NodeScript.of("nginx-client.mjs").args("https://localhost:" + port)
                .env("NODE_EXTRA_CA_CERTS", cert.toString()).timeout(Duration.ofMinutes(2)).run();
        summary = run.assertSuccess().json();
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy(); // SIGTERM: nginx's fast shutdown
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void streamableHttpStreamsThroughNginx() {
        assertServed(step("streamable"));
    }

    @Test
    void legacySseThroughNginx() {
        assertServed(step("legacySse"));
    }

    @Test
    void webSocketUpgradesThroughNginx() {
        assertServed(step("websocket"));
    }

    @Test
    void aDroppedStreamResumesThroughNginx() {
        JsonNode step = step("resumption");
        assertEquals(200, step.path("status").asInt(), step.toString());
        assertEquals("notifications/resources/updated", step.path("seenMethod").asText(), step.toString());
        assertEquals(200, step.path("resumedStatus").asInt(), step.toString());
        assertEquals(step.path("seenId").asText(), step.path("resumedPrimingId").asText(), step.toString());
        assertEquals(2, step.path("replayed").size(), step.toString());
        for (JsonNode event : step.path("replayed")) {
            assertEquals("notifications/resources/updated", event.path("method").asText(), step.toString());
            assertFalse(event.path("id").asText().equals(step.path("seenId").asText()), "only later events: " + step);
        }
    }

    /** What the docs show is what this test runs, and every recipe in the docs defines what it uses. */
    @Test
    void theDocsShowThisRecipe() throws IOException {
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        assertTrue(operations.contains("```nginx\n" + Files.readString(RECIPE) + "```"),
                "docs/operations.md must show docs/examples/nginx/mcp-server.conf verbatim");
        Pattern block = Pattern.compile("```nginx\\n(.*?)```", Pattern.DOTALL);
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (var docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        for (Path page : pages) {
            Matcher m = block.matcher(Files.readString(page));
            while (m.find()) {
                String nginxConf = m.group(1);
                if (nginxConf.contains("$connection_upgrade")) {
                    assertTrue(nginxConf.contains("map $http_upgrade $connection_upgrade"),
                            page.getFileName() + ": a recipe using $connection_upgrade must define its map");
                }
                assertFalse(nginxConf.lines().anyMatch(l -> l.strip().startsWith("http2 on")),
                        page.getFileName() + ": `http2 on;` needs nginx 1.25.1+ (Debian 12 has 1.22)");
            }
        }
    }

    private static void assertServed(JsonNode step) {
        assertTrue(step.path("tools").asInt() > 0, step.toString());
        assertEquals("Counted to 3", step.path("text").asText(), step.toString());
        assertTrue(step.path("progress").asInt() >= 2, "progress during the call: " + step);
        assertTrue(step.path("firstProgressBeforeAnswerMs").asInt() >= 200,
                "progress must arrive as it happens, not buffered until the answer: " + step);
        assertEquals(1, step.path("updates").asInt(), "resources/updated on the session's stream: " + step);
    }

    private static JsonNode step(String name) {
        JsonNode step = summary.path("steps").path(name);
        if (!step.path("ok").asBoolean()) {
            String errors = "";
            try {
                errors = Files.readString(prefix.resolve("error.log"));
            } catch (IOException e) {
                errors = e.toString();
            }
            fail("step '" + name + "' failed: " + step + "\n--- client stderr ---\n" + run.stderr()
                    + "\n--- nginx error.log ---\n" + errors + "\n--- server log ---\n" + server.stderr());
        }
        return step;
    }

    private static String replaceOnce(String text, String what, String with) {
        int at = text.indexOf(what);
        assertTrue(at >= 0 && text.indexOf(what, at + 1) < 0, "the recipe must contain '" + what + "' exactly once");
        return text.replace(what, with);
    }

    /** A certificate for localhost and 127.0.0.1 with its key, as PEM files, made with the JDK's keytool. */
    private static void selfSignedLocalhost(Path certPem, Path keyPem) throws Exception {
        Path store = prefix.resolve("tls.p12");
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "nginx", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        writePem(certPem, "CERTIFICATE", ks.getCertificate("nginx").getEncoded());
        writePem(keyPem, "PRIVATE KEY", ks.getKey("nginx", "changeit".toCharArray()).getEncoded());
    }

    private static void writePem(Path file, String type, byte[] der) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("-----BEGIN " + type + "-----\n");
            w.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der));
            w.write("\n-----END " + type + "-----\n");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!nginx.isAlive()) {
                fail("nginx exited: " + Files.readString(prefix.resolve("nginx.out")) + "\n"
                        + Files.readString(prefix.resolve("error.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        fail("nginx does not listen on " + port);
    }

    private static List<String> concat(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }
}
