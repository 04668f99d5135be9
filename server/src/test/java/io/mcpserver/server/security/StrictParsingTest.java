package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.testing.LineClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Lenient parsing found by outside testing (issue 12, Low list), over a real TCP connection: trailing garbage after
 * the JSON value and {@code "jsonrpc": 2.0} (a number) were accepted, and invalid UTF-8 was silently replaced where
 * HTTP refuses it.
 */
class StrictParsingTest {

    @TempDir
    static Path home;
    private static SecuredServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SecuredServer(home, """
                transports:
                  tcp:
                    port: 0
                  http:
                    enabled: false
                """, "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int code(JsonNode response) {
        return response.path("error").path("code").asInt();
    }

    @Test
    void trailingGarbageIsAParseError() throws Exception {
        try (LineClient c = server.tcpAs("alice")) {
            assertEquals(-32700, code(c.request("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"} garbage")));
            assertEquals(-32700, code(c.request("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}{\"x\":1}")));
            assertEquals("{}", c.request("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}  ").path("result").toString(),
                    "trailing white space is fine");
        }
    }

    @Test
    void jsonrpcMustBeTheString20() throws Exception {
        try (LineClient c = server.tcpAs("alice")) {
            assertEquals(-32600, code(c.request("{\"jsonrpc\":2.0,\"id\":2,\"method\":\"ping\"}")));
        }
    }

    @Test
    void invalidUtf8IsAParseErrorAndTheConnectionGoesOn() throws Exception {
        try (LineClient c = server.tcpAs("alice")) {
            ByteArrayOutputStream bad = new ByteArrayOutputStream();
            bad.write("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
                    .getBytes(StandardCharsets.UTF_8));
            bad.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
            bad.write("\"}}}\n".getBytes(StandardCharsets.UTF_8));
            c.socket.getOutputStream().write(bad.toByteArray());
            c.socket.getOutputStream().flush();
            assertEquals(-32700, code(c.read()));
            assertEquals("ok", c.request(SecuredServer.echo(3, "ok")).path("result").path("content").path(0)
                    .path("text").asText());
        }
    }
}
