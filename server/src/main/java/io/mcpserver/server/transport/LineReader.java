package io.mcpserver.server.transport;

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

    /**
     * One line's bytes as read, undecoded: {@code bytes[0..length)} without its terminator, valid until the next read;
     * or, when {@code oversize > 0}, a line that was too long (discarded: {@code length} is 0).
     */
    public record Raw(byte[] bytes, int length, long oversize) {
        public boolean tooLong() {
            return oversize > 0;
        }
    }

    /** The next line without its terminator ({@code \n} or {@code \r\n}), or null at end of stream. */
    public Line next() throws IOException {
        Raw raw = nextRaw();
        return raw == null ? null : raw.tooLong() ? new Line(null, raw.oversize()) : decoded(raw);
    }

    /**
     * The next line's bytes without its terminator, not decoded (a transport may look at them before paying for a
     * decode and a parse), or null at end of stream.
     */
    public Raw nextRaw() throws IOException {
        byte[] line = new byte[0];
        int length = 0;
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
                    return discarding ? new Raw(line, 0, size) : raw(line, length);
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
                    line = new byte[0];
                    length = 0;
                } else {
                    if (length + n > line.length) { // doubling, from a first chunk's size: few copies for a long line
                        line = java.util.Arrays.copyOf(line, (int) Math.min(maxBytes,
                                Math.max(length + n, Math.max(1024, 2L * line.length))));
                    }
                    System.arraycopy(buffer, start, line, length, n);
                    length += n;
                }
            }
            if (pos < limit) { // found '\n'
                pos++;
                return discarding ? new Raw(line, 0, size) : raw(line, length);
            }
        }
    }

    /** Whether the next line has begun to arrive already: reading it would not wait for the client. */
    public boolean buffered() {
        return pos < limit;
    }

    private static Raw raw(byte[] line, int length) {
        return new Raw(line, length > 0 && line[length - 1] == '\r' ? length - 1 : length, 0);
    }

    /** A line's text, or a line that was not valid UTF-8. */
    public static Line decoded(Raw raw) {
        try {
            return new Line(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw.bytes(), 0, raw.length())).toString(), 0);
        } catch (java.nio.charset.CharacterCodingException e) {
            return new Line(null, 0, true);
        }
    }
}
