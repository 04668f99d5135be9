package io.mcpserver.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.transport.ClientConnection;
import io.mcpserver.server.transport.LineReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Newline-delimited JSON as TCP and stdio read it: the bytes of one connection go through {@link LineReader} and a
 * {@link ClientConnection} exactly as {@code TcpConnection} hands them on. Properties: no line longer than the
 * limit reaches the core, every reply is a clear JSON-RPC message, every request is answered within the bound
 * (the per-input timeout), and nothing but those replies leaves (no exception escapes).
 */
class NdjsonFuzzTest {

    private static final int MAX_LINE = 512;
    private static final McpCore CORE = FuzzCore.create();

    @FuzzTest
    void connection(byte[] bytes) throws IOException, InterruptedException {
        Replies replies = new Replies();
        ClientConnection connection = new ClientConnection(CORE, "tcp", FuzzCore.anonymous(), replies, MAX_LINE);
        try {
            LineReader lines = new LineReader(new ByteArrayInputStream(bytes), MAX_LINE);
            long newlines = 0;
            for (byte b : bytes) {
                newlines += b == '\n' ? 1 : 0;
            }
            LineReader.Line line;
            long reads = 0;
            while ((line = lines.next()) != null) {
                if (++reads > newlines + 1) {
                    throw new AssertionError("more lines than the input has: " + reads);
                }
                if (line.badEncoding()) {
                    connection.badEncoding();
                } else if (line.tooLong()) {
                    if (line.oversize() <= MAX_LINE) {
                        throw new AssertionError("a line of " + line.oversize() + " bytes called too long");
                    }
                    connection.tooLarge(line.oversize());
                } else {
                    if (line.text().getBytes(StandardCharsets.UTF_8).length > MAX_LINE || line.text().indexOf('\n') >= 0) {
                        throw new AssertionError("a line over the limit or with its terminator reached the core");
                    }
                    connection.offer(line.text());
                }
            }
            if (!connection.session().awaitIdle(Duration.ofSeconds(5))) {
                throw new AssertionError("a request still running 5 s after the input ended");
            }
            replies.rethrow();
        } finally {
            connection.close();
        }
    }
}
