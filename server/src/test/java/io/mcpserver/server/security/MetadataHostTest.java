package io.mcpserver.server.security;

import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outside testing: without {@code security.resource}, the protected resource metadata named whatever {@code Host}
 * a client sent as the resource, so a DNS-rebinding page could make it point clients at itself.
 */
class MetadataHostTest {

    @TempDir
    Path home;

    @Test
    void theDerivedMetadataFollowsTheHostRuleOfTheMcpEndpoint() throws Exception {
        try (SecuredServer s = new SecuredServer(home, "", "  resource: \"\"\n",
                Map.of("security.jwt.audience", TestTokens.AUDIENCE))) {
            String evil = raw(s.http.getPort(), "evil.example");
            assertTrue(evil.startsWith("HTTP/1.1 403"), evil);
            assertFalse(evil.contains("\"resource\":\"http://evil.example"), evil);
            String local = raw(s.http.getPort(), "127.0.0.1:" + s.http.getPort());
            assertTrue(local.startsWith("HTTP/1.1 200"), local);
            String body = local.substring(local.indexOf("\r\n\r\n") + 4);
            assertEquals("http://127.0.0.1:" + s.http.getPort() + "/mcp", Json.parse(body).path("resource").asText());
        }
    }

    /** A raw GET, because the JDK's client will not send a Host header of our choosing: status line, headers, body. */
    private static String raw(int port, String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /.well-known/oauth-protected-resource HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            var in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(head);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return head + new String(body, StandardCharsets.UTF_8);
        }
    }
}
