package io.mcpserver.server.security;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A line-oriented file that is rotated by size: once it would grow past {@code maxSize}, {@code name} becomes
 * {@code name.1}, {@code name.1} becomes {@code name.2} and so on, keeping {@code maxFiles} old files. Used by one
 * thread only.
 */
final class RotatingFile {

    private final Path path;
    private final long maxSize;
    private final int maxFiles;
    private BufferedWriter out;
    private long size;
    private boolean regular;

    RotatingFile(Path path, long maxSize, int maxFiles) throws IOException {
        this.path = path;
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
    }

    private void open() throws IOException {
        out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8));
        regular = Files.isRegularFile(path);
        size = regular ? Files.size(path) : 0;
    }

    void write(String line) throws IOException {
        long bytes = line.getBytes(StandardCharsets.UTF_8).length + 1L;
        // a device or pipe (/dev/stdout, a FIFO) is never moved aside: renaming it would break it for everyone
        if (regular && size > 0 && size + bytes > maxSize) {
            rotate();
        }
        out.write(line);
        out.write('\n');
        size += bytes;
    }

    void flush() throws IOException {
        out.flush();
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(numbered(maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path numbered(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    void close() {
        try {
            out.close();
        } catch (IOException e) {
            System.getLogger(RotatingFile.class.getName()).log(System.Logger.Level.WARNING,
                    "closing " + path + ": " + e.getMessage());
        }
    }

    /** Closes after a failure: what is still buffered cannot be written either, so it is discarded silently. */
    void closeQuietly() {
        try {
            out.close();
        } catch (IOException e) {
            // the writer already reported the failure that brought us here
        }
    }
}
