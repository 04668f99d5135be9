package io.mcpserver.server.transport.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request refused before its body is read (wrong Host, Content-Type or Accept, a missing token) leaves the body
 * on the connection. The body must never be read as a request of its own: behind a proxy that forwards each
 * client request with {@code Connection: close} (nginx's default), that would let a client smuggle a request past
 * the proxy's rules. Found by HttpFuzzTest.
 */
class HttpDesyncTest {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3})");
    private HttpFixture server;

    @BeforeEach
    void start() throws Exception {
        server = HttpFixture.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends {@code request} and returns everything the server writes until it closes (or 5 s of silence). */
    private String exchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.base.getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(out);
            } catch (SocketTimeoutException e) {
                // still open after 5 s: what came so far is the answer
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static int responses(String text) {
        Matcher m = STATUS_LINE.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private String post(String contentType, String connection, String body) {
        return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + server.base.getPort() + "\r\nContent-Type: " + contentType
                + "\r\nAccept: application/json, text/event-stream\r\n" + connection
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void theUnreadBodyOfARefusedRequestIsNeverReadAsARequest() throws Exception {
        String smuggled = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + server.base.getPort() + "\r\n\r\n";
        String answer = exchange(post("text/plain", "Connection: close\r\n", smuggled));
        assertTrue(answer.startsWith("HTTP/1.1 415"), answer);
        assertEquals(1, responses(answer), "one request, one response; the body is not a request:\n" + answer);
    }

    @Test
    void onAKeptAliveConnectionTheNextRequestAfterARefusalIsServed() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        String next = "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + server.base.getPort()
                + "\r\nMcp-Session-Id: none\r\nConnection: close\r\n\r\n";
        String answer = exchange(post("text/plain", "", ping) + next);
        assertTrue(answer.startsWith("HTTP/1.1 415"), answer);
        assertEquals(2, responses(answer), "the refusal, then the DELETE's answer:\n" + answer);
        assertTrue(answer.contains("HTTP/1.1 404"), "the DELETE of an unknown session: " + answer);
    }
}
