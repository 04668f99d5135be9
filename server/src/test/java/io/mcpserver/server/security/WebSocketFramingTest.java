package io.mcpserver.server.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket framing as outside testing found it (issue 12, Low list): a control frame (ping, pong, close) over
 * 125 bytes (RFC 6455 §5.5) stalled the connection or was answered as if valid, instead of closing it with 1002.
 */
class WebSocketFramingTest {

    @TempDir
    Path home;

    @Test
    void aControlFrameOver125BytesClosesTheConnectionWith1002() throws Exception {
        assertClosedWith1002(0x89, "p".repeat(200).getBytes(StandardCharsets.US_ASCII)); // ping
    }

    @Test
    void aPongOver125BytesClosesTheConnectionWith1002() throws Exception {
        assertClosedWith1002(0x8A, "q".repeat(200).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aCloseFrameOver125BytesIsAnsweredWith1002() throws Exception {
        byte[] payload = new byte[200]; // status 1000 and a 198-byte reason
        payload[0] = (byte) 0x03;
        payload[1] = (byte) 0xE8;
        java.util.Arrays.fill(payload, 2, payload.length, (byte) 'r');
        assertClosedWith1002(0x88, payload);
    }

    /** Sends one masked frame of {@code firstByte} (FIN and opcode) with a 16-bit length, expects close 1002. */
    private void assertClosedWith1002(int firstByte, byte[] payload) throws Exception {
        try (SecuredServer s = new SecuredServer(home); Socket socket = new Socket("127.0.0.1", s.http.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + s.http.getPort() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " + s.token("alice") + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            // the 16-bit extended length a control frame must not use
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(firstByte);
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
            byte[] mask = {1, 2, 3, 4};
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            out.flush();
            int first;
            try {
                first = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection stalled: no close frame within 10 s");
            }
            assertEquals(0x88, first, "a close frame");
            int length = in.read() & 0x7f;
            assertTrue(length >= 2, "with a status code");
            int code = (in.read() << 8) | in.read();
            assertEquals(1002, code, "protocol error");
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
