package io.mcpserver.server.transport.ws;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.mcpserver.server.config.ServerConfig;
import io.mcpserver.server.fuzz.FuzzCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.transport.http.HttpTransport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * WebSocket text messages as a client frames them, on a real socket to a real listener. An input is messages
 * separated by the byte 0xFE, each split into fragments (a text frame, then continuation frames) at every 0xFF:
 * neither byte occurs in UTF-8, so a split can fall inside a multi-byte character. After the input the harness sends
 * a {@code ping} request with id {@code "end"}. Properties: the server answers it or closes the connection with a
 * close code of RFC 6455 §7.4.1 that is not 1011 (internal error), within the bound; every text frame it sends is
 * clear JSON-RPC; and the text of a valid UTF-8 {@code echo} call comes back unaltered, however it was fragmented
 * (or the connection is closed with 1003: a character split across frames, which Helidon cannot reassemble).
 */
class WebSocketFuzzTest {

    private static final Set<Integer> CLEAR_CLOSE_CODES = Set.of(1000, 1002, 1003, 1007, 1008, 1009);
    private static final String END = "{\"jsonrpc\":\"2.0\",\"id\":\"end\",\"method\":\"ping\"}";
    private static final HttpTransport SERVER;

    static {
        try {
            Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                    .sources(ConfigSources.create(Map.of("server.host", "127.0.0.1", "transports.http.port", "0",
                            "transports.tcp.enabled", "false", "limits.max-message-size", "16KiB")))
                    .build();
            ServerConfig serverConfig = ServerConfig.from(config, java.nio.file.Path.of("target"), null, "fuzz");
            SERVER = new HttpTransport(FuzzCore.create(serverConfig), serverConfig, FuzzCore.anonymous());
            SERVER.start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest
    void messages(byte[] bytes) throws IOException {
        // the harness is the client: Jazzer's SSRF detector may let it reach the server under test, and only that
        try (var allowed = BugDetectors.allowNetworkConnections((host, port) -> port == SERVER.port())) {
            exchangeAndCheck(bytes);
        }
    }

    private static void exchangeAndCheck(byte[] bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", SERVER.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + SERVER.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mcp\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = readHead(in);
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("upgrade refused: " + head);
            }
            Map<String, String> echoes = new java.util.HashMap<>();
            for (List<byte[]> message : split(bytes)) {
                expectEcho(message, echoes);
            }
            try {
                for (List<byte[]> message : split(bytes)) {
                    for (int i = 0; i < message.size(); i++) {
                        frame(out, i == 0 ? 0x1 : 0x0, i == message.size() - 1, message.get(i));
                    }
                }
                frame(out, 0x1, true, END.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (java.net.SocketException e) {
                // the server closed while we were still sending (a violation it refused): its close frame says why
            }
            readUntilEnd(in, echoes);
        }
    }

    /** Remembers the text of an {@code echo} call whose bytes are valid UTF-8, by its id. */
    private static void expectEcho(List<byte[]> fragments, Map<String, String> echoes) {
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        fragments.forEach(whole::writeBytes);
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(whole.toByteArray()))
                    .toString();
            JsonNode m = Json.parse(text);
            JsonNode arg = m.path("params").path("arguments").path("text");
            if ("tools/call".equals(m.path("method").asText()) && "echo".equals(m.path("params").path("name").asText())
                    && arg.isTextual() && m.has("id")) {
                echoes.put(m.get("id").toString(), arg.asText());
            }
        } catch (IOException | RuntimeException e) {
            // not valid UTF-8 or not JSON: nothing to compare
        }
    }

    /** Reads the server's frames until the answer to "end" or a close frame. */
    private static void readUntilEnd(DataInputStream in, Map<String, String> echoes) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        java.util.Set<String> answered = new java.util.HashSet<>();
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    throw new AssertionError("the connection ended without a close frame or the answers to \"end\" and "
                            + echoes.keySet());
                }
                int opcode = first & 0x0f;
                long length = in.read() & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                if (length > 1 << 20) {
                    throw new AssertionError("a frame of " + length + " bytes");
                }
                byte[] payload = in.readNBytes((int) length);
                switch (opcode) {
                    case 0x1, 0x0 -> {
                        text.write(payload);
                        if ((first & 0x80) != 0) {
                            JsonNode message = Json.parse(text.toByteArray());
                            text.reset();
                            FuzzCore.assertClear(message);
                            String sent = message.has("id") ? echoes.get(message.get("id").toString()) : null;
                            JsonNode echoed = message.path("result").path("content").path(0).path("text");
                            if (sent != null && echoed.isTextual() && !message.path("result").path("isError").asBoolean()
                                    && !sent.equals(echoed.asText())) {
                                throw new AssertionError("echo altered the text: sent '" + sent + "', got '"
                                        + echoed.asText() + "'");
                            }
                            if (message.has("id") && !message.has("method")) {
                                answered.add(message.get("id").toString());
                            }
                            // "end" is answered at once; calls run on threads of their own and may come after it
                            if (answered.contains("\"end\"") && answered.containsAll(echoes.keySet())) {
                                return;
                            }
                        }
                    }
                    case 0x8 -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        if (!CLEAR_CLOSE_CODES.contains(code)) {
                            throw new AssertionError("closed with " + code + ": "
                                    + new String(payload, StandardCharsets.UTF_8));
                        }
                        return;
                    }
                    case 0x9, 0xA -> {
                    }
                    default -> throw new AssertionError("unexpected opcode " + opcode);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer to \"end\" and " + echoes.keySet() + " and no close within 10 s");
        }
    }

    private static List<List<byte[]>> split(byte[] bytes) {
        List<List<byte[]>> messages = new ArrayList<>();
        List<byte[]> fragments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            boolean endOfMessage = i == bytes.length || bytes[i] == (byte) 0xFE;
            if (endOfMessage || bytes[i] == (byte) 0xFF) {
                fragments.add(java.util.Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
                if (endOfMessage) {
                    messages.add(fragments);
                    fragments = new ArrayList<>();
                }
            }
        }
        return messages;
    }

    /** One masked client frame. */
    private static void frame(OutputStream out, int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xff);
            }
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
    }

    private static String readHead(InputStream in) throws IOException {
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
