package io.mcpserver.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.plugins.TestJars;
import io.mcpserver.server.presence.PresenceEntry;
import io.mcpserver.server.testing.LineClient;
import io.mcpserver.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The admin API with security off: real clients on TCP, WebSocket, Streamable HTTP and legacy SSE, listed with
 * what an operator needs, forgotten on every close path, closed from the API (their calls cancelled); only loopback
 * clients naming this machine may use it; plugins are listed and reloaded from real JARs.
 */
class AdminApiTest {

    @TempDir
    Path home;

    @Test
    void listsEveryTransportWithItsDetailsAndForgetsEachOnClose() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            LineClient tcp = LineClient.connect(s.tcpPort);
            assertTrue(tcp.initialize(AdminServer.initialize("tcp-client")).has("result"));
            WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + s.http.getPort() + "/ws"));
            ws.send(AdminServer.initialize("ws-client"));
            assertTrue(ws.response(1).has("result"));
            String sessionId = s.httpSession("http-client");
            Socket sse = s.sseStream();
            assertEquals(4, s.awaitPresence(4).size());

            HttpResponse<String> res = s.admin("GET", "/admin/connections");
            assertEquals(200, res.statusCode(), res.body());
            assertEquals("application/json", res.headers().firstValue("Content-Type").orElse(""));
            assertFalse(res.body().contains(sessionId), "a session id lets its holder use the session: never listed");
            JsonNode body = Json.parse(res.body());
            assertEquals(4, body.path("total").asInt());
            Map<String, JsonNode> byTransport = new java.util.HashMap<>();
            body.path("connections").forEach(c -> byTransport.put(c.path("transport").asText(), c));
            assertEquals(Set.of("tcp", "websocket", "http", "sse"), byTransport.keySet());
            JsonNode t = byTransport.get("tcp");
            assertEquals("anonymous", t.path("principal").asText());
            assertEquals("tcp-client", t.path("client").path("name").asText());
            assertEquals("1.2", t.path("client").path("version").asText());
            assertEquals("2025-11-25", t.path("protocolVersion").asText());
            assertEquals("127.0.0.1:" + tcp.socket.getLocalPort(), t.path("remote").asText());
            assertEquals(0, t.path("inFlight").asInt());
            assertTrue(t.path("closable").asBoolean());
            assertTrue(t.path("id").asText().startsWith("tcp-"), t.toString());
            assertNotNull(java.time.Instant.parse(t.path("openedAt").asText()));
            assertNotNull(java.time.Instant.parse(t.path("lastActivity").asText()));
            assertEquals("ws-client", byTransport.get("websocket").path("client").path("name").asText());
            assertEquals("http-client", byTransport.get("http").path("client").path("name").asText());
            assertTrue(byTransport.get("sse").path("client").path("name").isNull(), "no initialize yet");
            assertTrue(byTransport.get("sse").path("remote").asText().startsWith("127.0.0.1:"));
            assertEquals(1, body.path("byTransport").path("websocket").asInt());

            // every way a client goes ends its entry
            tcp.close();
            ws.socket.sendClose(1000, "bye").join();
            var delete = AdminServer.HTTP.send(java.net.http.HttpRequest.newBuilder(s.http.resolve("/mcp"))
                    .header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25").DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(delete.statusCode() < 300, delete.toString());
            sse.close();
            List<PresenceEntry> left = s.awaitPresence(0);
            assertTrue(left.isEmpty(), "still listed after they closed: " + left);
            assertEquals(0, s.adminJson("GET", "/admin/connections").path("total").asInt());
        }
    }

    @Test
    void closingAConnectionDropsItsTransportAndCancelsItsCalls() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            LineClient tcp = LineClient.connect(s.tcpPort);
            tcp.initialize(AdminServer.initialize("tcp-client"));
            tcp.send(AdminServer.block(2, "tcp-call"));
            assertEquals("tcp-call", s.blockStarted.poll(15, TimeUnit.SECONDS));
            WsClient ws = WsClient.connect(URI.create("ws://127.0.0.1:" + s.http.getPort() + "/ws"));
            ws.send(AdminServer.initialize("ws-client"));
            ws.response(1);
            String sessionId = s.httpSession("http-client");
            List<PresenceEntry> all = s.awaitPresence(3);
            String tcpId = id(all, "tcp");
            assertEquals(1, s.adminJson("GET", "/admin/connections/" + tcpId).path("inFlight").asInt());

            JsonNode closed = s.adminJson("DELETE", "/admin/connections/" + tcpId);
            assertEquals(tcpId, closed.path("id").asText());
            assertEquals(1, closed.path("cancelledRequests").asInt());
            assertEquals("tcp-call", s.blockInterrupted.poll(15, TimeUnit.SECONDS), "the running call was cancelled");
            assertTrue(tcp.awaitEof(15_000), "the server closed the TCP connection");

            s.adminJson("DELETE", "/admin/connections/" + id(all, "websocket"));
            WsClient.Closed wsClosed = ws.awaitClose();
            assertEquals(1000, wsClosed.code());
            assertTrue(wsClosed.reason().contains("administrator"), wsClosed.reason());

            s.adminJson("DELETE", "/admin/connections/" + id(all, "http"));
            assertEquals(404, s.postToSession(sessionId, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}"),
                    "the session is gone");

            assertTrue(s.awaitPresence(0).isEmpty());
            HttpResponse<String> again = s.admin("DELETE", "/admin/connections/" + tcpId);
            assertEquals(404, again.statusCode());
            assertEquals("not_found", Json.parse(again.body()).path("error").path("code").asText());
        }
    }

    @Test
    void filtersAndPages() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            List<LineClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                LineClient c = LineClient.connect(s.tcpPort);
                c.initialize(AdminServer.initialize("c" + i));
                clients.add(c);
            }
            s.httpSession("h");
            s.awaitPresence(4);
            assertEquals(3, s.adminJson("GET", "/admin/connections?transport=tcp").path("total").asInt());
            assertEquals(4, s.adminJson("GET", "/admin/connections?principal=anonymous").path("total").asInt());
            assertEquals(0, s.adminJson("GET", "/admin/connections?principal=bob").path("total").asInt());

            JsonNode first = s.adminJson("GET", "/admin/connections?limit=3");
            assertEquals(3, first.path("connections").size());
            assertEquals(4, first.path("total").asInt());
            JsonNode second = s.adminJson("GET", "/admin/connections?limit=3&cursor="
                    + first.path("nextCursor").asText());
            assertEquals(1, second.path("connections").size());
            assertTrue(second.path("nextCursor").isNull());
            Set<String> ids = new java.util.HashSet<>();
            first.path("connections").forEach(c -> ids.add(c.path("id").asText()));
            second.path("connections").forEach(c -> ids.add(c.path("id").asText()));
            assertEquals(4, ids.size(), "pages neither repeat nor skip");

            HttpResponse<String> bad = s.admin("GET", "/admin/connections?limit=0");
            assertEquals(400, bad.statusCode());
            JsonNode error = Json.parse(bad.body()).path("error");
            assertEquals("bad_request", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("limit"), error.toString());
            HttpResponse<String> unknown = s.admin("GET", "/admin/nothing-here");
            assertEquals(404, unknown.statusCode());
            assertEquals("not_found", Json.parse(unknown.body()).path("error").path("code").asText());
            for (LineClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void withSecurityOffOnlyThisMachineMayUseIt() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            assertEquals(200, s.admin("GET", "/admin/connections", "Origin", "http://localhost:" + s.http.getPort())
                    .statusCode());
            HttpResponse<String> origin = s.admin("DELETE", "/admin/connections/tcp-1", "Origin", "http://evil.example");
            assertEquals(403, origin.statusCode());
            assertTrue(origin.body().contains("allowed-origins"), origin.body());
            // DNS rebinding: a local browser sent to evil.example, which now resolves to 127.0.0.1
            String answer = raw(s.http.getPort(), "GET /admin/connections HTTP/1.1\r\nHost: evil.example\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
            assertTrue(answer.contains("DNS-rebinding"), answer);
            HttpResponse<String> console = s.admin("GET", "/console", "Origin", "http://evil.example");
            assertEquals(403, console.statusCode(), "the console is behind the same rule");
        }
    }

    @Test
    void withSecurityOffARemoteClientIsRefused() throws Exception {
        InetAddress external = null;
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress a : nic.inetAddresses().toList()) {
                if (nic.isUp() && a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    external = a;
                }
            }
        }
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address");
        try (AdminServer s = new AdminServer(home, "", "0.0.0.0")) {
            URI uri = URI.create("http://" + external.getHostAddress() + ":" + s.http.getPort() + "/admin/connections");
            HttpResponse<String> res = AdminServer.HTTP.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, res.statusCode(), res.body());
            assertTrue(res.body().contains("loopback"), res.body());
            assertEquals(200, s.admin("GET", "/admin/connections").statusCode(), "loopback still may");
        }
    }

    @Test
    void listsPluginsWithStateAndFailuresAndReloadsOne() throws Exception {
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        TestJars.jar(plugins.resolve("good.jar"), Map.of("g.Plugin",
                TestJars.pluginSource("g", "Plugin", "good", "hello", "\"hi\"")), "g.Plugin", "1");
        TestJars.jar(plugins.resolve("broken-init.jar"), Map.of("b.Plugin", """
                package b;
                public class Plugin implements io.mcpserver.spi.McpPlugin {
                    public String name() { return "broken-init"; }
                    public void init(io.mcpserver.spi.PluginContext c) { throw new IllegalStateException("no database"); }
                }
                """), "b.Plugin", "1");
        try (AdminServer s = new AdminServer(home, "plugins:\n  dir: plugins\n")) {
            JsonNode list = s.adminJson("GET", "/admin/plugins");
            Map<String, JsonNode> byName = new java.util.HashMap<>();
            list.path("plugins").forEach(p -> byName.put(p.path("name").asText(), p));
            JsonNode good = byName.get("good");
            assertEquals("loaded", good.path("state").asText());
            assertEquals("hello", good.path("tools").get(0).asText());
            assertEquals("good.jar", good.path("source").asText(), "the file name, not the server's paths");
            JsonNode broken = byName.get("broken-init");
            assertEquals("failed", broken.path("state").asText());
            assertTrue(broken.path("reason").asText().contains("no database"), broken.toString());
            assertEquals(1, list.path("loadFailuresTotal").asInt());

            // the new version of good.jar says something else: reloading puts it in place
            TestJars.jar(plugins.resolve("good.jar"), Map.of("g.Plugin",
                    TestJars.pluginSource("g", "Plugin", "good", "hello2", "\"hi\"")), "g.Plugin", "1");
            JsonNode reloaded = s.adminJson("POST", "/admin/plugins/good/reload");
            assertEquals("good", reloaded.path("reloaded").asText());
            assertTrue(s.server.core().features().tool("hello2").isPresent(), "the new version serves");
            assertFalse(s.server.core().features().tool("hello").isPresent());

            HttpResponse<String> failing = s.admin("POST", "/admin/plugins/broken-init/reload");
            assertEquals(422, failing.statusCode(), failing.body());
            JsonNode error = Json.parse(failing.body()).path("error");
            assertEquals("reload_failed", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("no database"), error.toString());

            HttpResponse<String> unknown = s.admin("POST", "/admin/plugins/nope/reload");
            assertEquals(404, unknown.statusCode());
        }
    }

    @Test
    void servesTheConsoleAndItsChartLibrary() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            HttpResponse<String> page = s.admin("GET", "/console");
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
            assertTrue(page.body().contains("/console/uplot.js"), "the chart library comes from this server");
            HttpResponse<String> uplot = s.admin("GET", "/console/uplot.js");
            assertEquals(200, uplot.statusCode());
            assertTrue(uplot.body().contains("uPlot"), "the WebJar's uPlot");
            assertEquals(200, s.admin("GET", "/console/console.js").statusCode());
        }
    }

    @Test
    void adminCanBeTurnedOff() throws Exception {
        try (AdminServer s = new AdminServer(home, "admin:\n  enabled: false\n")) {
            HttpResponse<String> res = s.admin("GET", "/admin/connections");
            assertEquals(404, res.statusCode());
            assertEquals(404, s.admin("GET", "/console").statusCode());
        }
    }

    private static String id(List<PresenceEntry> entries, String transport) {
        return entries.stream().filter(e -> e.transport().equals(transport)).map(PresenceEntry::id).findFirst()
                .orElseThrow(() -> new AssertionError("no " + transport + " entry in " + entries));
    }

    private static String raw(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder answer = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) { // up to the end of the JSON error body (the connection may stay open)
                answer.append((char) c);
                if (answer.toString().endsWith("}}")) {
                    break;
                }
            }
            return answer.toString();
        }
    }
}
