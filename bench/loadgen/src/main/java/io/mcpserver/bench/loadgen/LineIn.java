package io.mcpserver.bench.loadgen;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Newline-delimited messages from a stream, without decoding them: a line is buf[start, end). */
final class LineIn {

    private final InputStream in;
    byte[] buf = new byte[1 << 17];
    private int pos;
    private int lim;
    int start;
    int end;

    LineIn(InputStream in) {
        this.in = in;
    }

    /** Advances to the next line; throws EOFException at end of stream. */
    void next() throws IOException {
        int scan = pos;
        while (true) {
            for (int i = scan; i < lim; i++) {
                if (buf[i] == '\n') {
                    start = pos;
                    end = i;
                    pos = i + 1;
                    return;
                }
            }
            // no newline yet: compact, grow if full, read more
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            }
            if (lim == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            scan = lim;
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                throw new EOFException("stream closed");
            }
            lim += n;
        }
    }

    String text() {
        return new String(buf, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
    }
}
