package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.mcpserver.e2e.JsonRpcPeer.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code limits.max-sessions-per-principal} as a user meets it, on the distribution: one principal opening many
 * sessions at once (initialize POSTs on Streamable HTTP, WebSocket upgrades, TCP connections that authenticate with
 * their first message, all racing) gets exactly the cap, and every other open is refused as documented (429 on HTTP
 * and upgrades, one {@code -32000} error line naming the limit on TCP). WebSocket and TCP clients are plain sockets,
 * connected before the race so that their opens reach the server together. Once the admitted ones are closed, exactly the
 * cap opens again and one more is refused: no place is leaked by a refused or racing open. Found by
 * {@code SessionCapsPropertiesTest}: the opens all passed one count of the sessions already open.
 */
class SessionCapRaceIT {

    private static final int CAP = 1;
    private static final int RACING = 10;
    private static final int ROUNDS = 10;
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}%s}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static ServerProcess server;
    private static String token;

    enum Transport { HTTP, WEBSOCKET, TCP }

    /** One open: admitted (and then closed with {@code close}), or refused with what the client was told. */
    record Open(Transport transport, boolean admitted, String refusal, AutoCloseable close) {

        @Override
        public String toString() {
            return transport + (admitted ? " admitted" : " refused: " + refusal);
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        TestJwt issuer = new TestJwt();
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), "session-cap-race-keys-");
        Path jwks = issuer.writeJwks(dir.resolve("jwks.json"));
        server = ServerProcess.builder().name("session-cap-race").plugins("demo").config("""
                security:
                  enabled: true
                  resource: %s
                  jwt:
                    jwks-file: %s
                    issuer: %s
                limits:
                  max-sessions-per-principal: %d
                """.formatted(TestJwt.AUDIENCE, jwks, TestJwt.ISSUER, CAP)).start();
        token = issuer.token("racer", null);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void racingOpensOfOnePrincipalGetExactlyTheCapAndTheirPlacesBackWhenClosed() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            List<Open> opens = race(round);
            List<Open> admitted = opens.stream().filter(Open::admitted).toList();
            String context = "round " + round + ": " + opens;
            assertEquals(CAP, admitted.size(), context);
            for (Open o : opens) {
                if (!o.admitted()) {
                    assertTrue(o.refusal().contains("max-sessions-per-principal") || o.refusal().equals("429"),
                            "refused for the principal's cap, as documented: " + o + "; " + context);
                }
            }
            for (Open o : admitted) {
                o.close().close();
            }
            // the server sees a closed WebSocket or TCP connection a moment later: then the whole cap opens again
            // (over HTTP, whose DELETE ends the session before it is answered: the next round starts with none open)
            List<Open> again = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (again.size() < CAP) {
                Open o = open(Transport.HTTP);
                if (o.admitted()) {
                    again.add(o);
                } else if (System.nanoTime() > deadline) {
                    fail("after closing every session, only " + again.size() + " of " + CAP + " open again (" + o
                            + "): a place was leaked; " + context);
                } else {
                    Thread.sleep(50);
                }
            }
            Open over = open(Transport.values()[round % Transport.values().length]);
            assertTrue(!over.admitted(), "one over the cap after the race: " + over + "; " + context);
            for (Open o : again) {
                o.close().close();
            }
        }
    }

    /**
     * {@link #RACING} opens at once: WebSocket upgrades only in even rounds (their sessions open last, after the 101),
     * the transports taking turns in odd ones. Each WebSocket and TCP client connects first and sends its upgrade or
     * first message when all are connected, so that the opens reach the server together.
     */
    private static List<Open> race(int round) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Open> opens = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Open>> futures = new ArrayList<>();
            for (int i = 0; i < RACING; i++) {
                Transport t = round % 2 == 0 ? Transport.WEBSOCKET : Transport.values()[i % Transport.values().length];
                Socket connected = t == Transport.HTTP ? null : connect(t);
                futures.add(pool.submit(() -> {
                    go.await();
                    return switch (t) {
                        case HTTP -> http();
                        case WEBSOCKET -> webSocket(connected);
                        case TCP -> tcp(connected);
                    };
                }));
            }
            go.countDown();
            for (Future<Open> f : futures) {
                opens.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        return opens;
    }

    private static Socket connect(Transport t) throws IOException {
        Socket socket = t == Transport.TCP ? new Socket(server.host("tcp"), server.tcpPort())
                : new Socket(server.host("http"), server.httpPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static Open open(Transport t) throws Exception {
        return switch (t) {
            case HTTP -> http();
            case WEBSOCKET -> webSocket(connect(t));
            case TCP -> tcp(connect(t));
        };
    }

    private static Open http() throws Exception {
        HttpResponse<String> init = post(null, INIT.formatted(""));
        if (init.statusCode() != 200) {
            assertEquals(429, init.statusCode(), init.body());
            return new Open(Transport.HTTP, false, JSON.readTree(init.body()).path("error").path("message").asText(),
                    () -> { });
        }
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertEquals(202, post(session, INITIALIZED).statusCode());
        return new Open(Transport.HTTP, true, null, () -> {
            HttpResponse<String> deleted = HTTP.send(request(session).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(deleted.statusCode() == 200 || deleted.statusCode() == 204, "DELETE: " + deleted.statusCode());
        });
    }

    /** A WebSocket upgrade as RFC 6455 has it, on a connected socket: 101 and the connection is open, or refused. */
    private static Open webSocket(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: " + server.host("http") + ":" + server.httpPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mcp\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        assertTrue(status != null && status.startsWith("HTTP/1.1 "), "upgrade answered: " + status);
        int code = Integer.parseInt(status.substring(9, 12));
        if (code == 101) {
            return new Open(Transport.WEBSOCKET, true, null, socket); // closing the socket ends the session
        }
        socket.close();
        assertEquals(429, code, status);
        return new Open(Transport.WEBSOCKET, false, "429", () -> { });
    }

    private static Open tcp(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out.write((INIT.formatted(",\"_meta\":{\"io.mcpserver/authorization\":\"Bearer " + token + "\"}") + "\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        JsonNode first = JSON.readTree(in.readLine());
        if (first.has("error")) {
            assertEquals(-32000, first.path("error").path("code").asInt(), first.toString());
            socket.close();
            return new Open(Transport.TCP, false, first.path("error").path("message").asText(), () -> { });
        }
        out.write((INITIALIZED + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new Open(Transport.TCP, true, null, socket);
    }

    private static HttpRequest.Builder request(String session) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri("/mcp")).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + token)
                .header("MCP-Protocol-Version", "2025-11-25");
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b;
    }

    private static HttpResponse<String> post(String session, String body) throws Exception {
        return HTTP.send(request(session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
