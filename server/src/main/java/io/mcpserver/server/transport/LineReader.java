package io.mcpserver.server.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads newline-delimited messages (stdio, TCP) without ever holding more than the size limit:
 * an over-long line is skipped to its end and reported by its length.
 */
public final class LineReader {

    /**
     * One read: a line, or the size of a line that was too long (and was discarded), or a line that was not valid
     * UTF-8 (refused as HTTP refuses it, never "repaired" with replacement characters).
     */
    public record Line(String text, long oversize, boolean badEncoding) {
        Line(String text, long oversize) {
            this(text, oversize, false);
        }

        public boolean tooLong() {
            return text == null && !badEncoding;
        }
    }

    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;

    public LineReader(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line without its terminator ({@code \n} or {@code \r\n}), or null at end of stream. */
    public Line next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long size = 0;
        boolean discarding = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (size == 0) {
                        return null;
                    }
                    return discarding ? new Line(null, size) : decoded(line);
                }
            }
            int start = pos;
            while (pos < limit && buffer[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            size += n;
            if (!discarding) {
                if (size > maxBytes) {
                    discarding = true;
                    line = new ByteArrayOutputStream();
                } else {
                    line.write(buffer, start, n);
                }
            }
            if (pos < limit) { // found '\n'
                pos++;
                return discarding ? new Line(null, size) : decoded(line);
            }
        }
    }

    private static Line decoded(ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        try {
            return new Line(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, length)).toString(), 0);
        } catch (java.nio.charset.CharacterCodingException e) {
            return new Line(null, 0, true);
        }
    }
}
