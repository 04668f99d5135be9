package io.mcpserver.plugins.filesystem;

import io.mcpserver.spi.content.Content;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.tools.ToolResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.Locale;

/** The read-only tools: list, read, search by name, search by content, stat. */
public final class FileReadTools {

    /** Bytes sniffed for a NUL to tell binary files from text. */
    private static final int SNIFF_BYTES = 8192;
    /** Longest line shown in a content search hit. */
    private static final int MAX_HIT_LINE = 240;

    private final PathGuard guard;
    private final FilesystemSettings settings;

    FileReadTools(PathGuard guard, FilesystemSettings settings) {
        this.guard = guard;
        this.settings = settings;
    }

    @McpTool(name = "list_allowed_directories", openWorld = false, title = "List allowed directories",
            description = "Lists the root directories the filesystem tools may access. Paths given to the other "
                    + "tools must lie inside one of them; relative paths are resolved against them.",
            readOnly = true, idempotent = true)
    public ToolResult listAllowedDirectories() {
        if (!guard.hasRoots()) {
            return ToolResult.error("No root directory is configured for the filesystem plugin: list the "
                    + "directories it may use under plugins.filesystem.roots");
        }
        StringBuilder out = new StringBuilder("Allowed directories:\n");
        guard.roots().forEach(r -> out.append(r.real()).append('\n'));
        return ToolResult.text(out.toString().stripTrailing());
    }

    @McpTool(name = "list_directory", openWorld = false, title = "List directory",
            description = "Lists the entries of a directory: [dir], [file] with its size, or [link] with its "
                    + "target. Sorted by name; at most max-results entries.",
            readOnly = true, idempotent = true)
    public ToolResult listDirectory(
            @Param(name = "path", description = "Directory to list; absolute or relative to the first allowed "
                    + "directory. Defaults to the first allowed directory.", required = false) String path) {
        try {
            Path dir = guard.existing(path);
            if (!Files.isDirectory(dir)) {
                return ToolResult.error("Not a directory: " + dir);
            }
            List<Path> entries = new ArrayList<>();
            boolean more = false;
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path entry : stream) {
                    entries.add(entry);
                }
            }
            entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
            if (entries.size() > settings.maxResults()) {
                entries = entries.subList(0, settings.maxResults());
                more = true;
            }
            StringBuilder out = new StringBuilder("Directory ").append(dir).append(":\n");
            if (entries.isEmpty()) {
                out.append("(empty)\n");
            }
            for (Path entry : entries) {
                out.append(describeEntry(entry)).append('\n');
            }
            if (more) {
                out.append("[listing stopped at ").append(settings.maxResults()).append(" entries]\n");
            }
            return ToolResult.text(out.toString().stripTrailing());
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return ioError("list", path, e);
        }
    }

    @McpTool(name = "read_file", openWorld = false, title = "Read text file",
            description = "Reads a UTF-8 text file. Returns at most max_bytes bytes (capped by the server's "
                    + "max-read-bytes) starting at byte offset; the result says how to read the rest when the "
                    + "file is longer. Binary files are refused.",
            readOnly = true, idempotent = true)
    public ToolResult readFile(
            @Param(name = "path", description = "File to read; absolute or relative to an allowed directory")
            String path,
            @Param(name = "offset", description = "Byte offset to start at (default 0)", required = false)
            Long offset,
            @Param(name = "max_bytes", description = "Most bytes to return (default and upper bound: the "
                    + "server's max-read-bytes)", required = false)
            Long maxBytes) {
        long start = offset == null ? 0 : offset;
        if (start < 0) {
            return ToolResult.error("offset must not be negative, was " + start);
        }
        long limit = maxBytes == null ? settings.maxReadBytes() : Math.min(maxBytes, settings.maxReadBytes());
        if (limit < 1) {
            return ToolResult.error("max_bytes must be at least 1, was " + maxBytes);
        }
        try {
            Path file = guard.existing(path);
            if (Files.isDirectory(file)) {
                return ToolResult.error("Is a directory, not a file: " + file + " (use list_directory)");
            }
            if (!Files.isRegularFile(file)) {
                return ToolResult.error("Not a regular file: " + file);
            }
            long size = Files.size(file);
            if (start > size) {
                return ToolResult.error("offset " + start + " is past the end of " + file + " (" + size + " bytes)");
            }
            int length = (int) Math.min(limit, size - start);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            // opened without following links: what was checked is what is read
            try (SeekableByteChannel channel = guard.open(file, Set.of(StandardOpenOption.READ))) {
                if (isBinary(channel)) {
                    return ToolResult.error("Refusing to read " + file + ": it looks like a binary file");
                }
                channel.position(start);
                while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                    // keep reading until the buffer is full or the file ends
                }
            }
            buffer.flip();
            long end = start + buffer.remaining();
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(buffer)
                    .toString();
            if (end < size || start > 0) {
                String note = "[bytes " + start + "-" + end + " of " + size + " of " + file
                        + (end < size ? "; to continue, call read_file with offset=" + end : "") + "]";
                return ToolResult.of(Content.text(text), Content.text(note));
            }
            return ToolResult.text(text);
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return ioError("read", path, e);
        }
    }

    @McpTool(name = "search_files", openWorld = false, title = "Find files by name",
            description = "Finds files and directories whose path matches a glob, searching recursively under a "
                    + "directory. '*' matches within one path segment, '**' across segments; a pattern without "
                    + "'/' is matched against names only (e.g. '*.java'). Symbolic links are not followed.",
            readOnly = true, idempotent = true)
    public ToolResult searchFiles(
            @Param(name = "pattern", description = "Glob, e.g. '*.md' or 'src/**/Test*.java'") String pattern,
            @Param(name = "path", description = "Directory to search; defaults to the first allowed directory",
                    required = false) String path,
            ToolContext context) {
        if (pattern == null || pattern.isBlank()) {
            return ToolResult.error("pattern must not be empty");
        }
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) {
            return ToolResult.error("Not a valid glob: " + pattern + " (" + e.getMessage() + ")");
        }
        boolean namesOnly = !pattern.contains("/");
        try {
            Path dir = guard.existing(path);
            if (!Files.isDirectory(dir)) {
                return ToolResult.error("Not a directory: " + dir);
            }
            List<String> hits = new ArrayList<>();
            boolean[] capped = {false};
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (context != null && context.isCancelled()) {
                        return FileVisitResult.TERMINATE;
                    }
                    return d.equals(dir) ? FileVisitResult.CONTINUE : visit(d, true);
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    return visit(f, false);
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // unreadable entries are skipped, not fatal
                }

                private FileVisitResult visit(Path p, boolean directory) {
                    Path relative = dir.relativize(p);
                    Path tested = namesOnly ? p.getFileName() : relative;
                    if (matcher.matches(tested)) {
                        if (hits.size() >= settings.maxResults()) {
                            capped[0] = true;
                            return FileVisitResult.TERMINATE;
                        }
                        hits.add(p + (directory ? "/" : ""));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            if (context != null) {
                context.checkCancelled();
            }
            if (hits.isEmpty()) {
                return ToolResult.text("No files matching '" + pattern + "' under " + dir);
            }
            StringBuilder out = new StringBuilder();
            hits.forEach(h -> out.append(h).append('\n'));
            if (capped[0]) {
                out.append("[search stopped at ").append(settings.maxResults()).append(" results]\n");
            }
            return ToolResult.text(out.toString().stripTrailing());
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return ioError("search", path, e);
        }
    }

    @McpTool(name = "search_file_contents", openWorld = false, title = "Search file contents",
            description = "Finds lines containing a text (a plain substring, not a regular expression) in the text "
                    + "files under a directory, recursively. Returns 'path:line: text' for each hit, at most "
                    + "max-results hits. Binary files and files larger than max-read-bytes are skipped.",
            readOnly = true, idempotent = true)
    public ToolResult searchFileContents(
            @Param(name = "query", description = "Text to look for") String query,
            @Param(name = "path", description = "Directory (or single file) to search; defaults to the first "
                    + "allowed directory", required = false) String path,
            @Param(name = "file_pattern", description = "Only search files whose name matches this glob, e.g. "
                    + "'*.java'", required = false) String filePattern,
            @Param(name = "ignore_case", description = "Match regardless of case (default false)",
                    required = false) Boolean ignoreCase,
            ToolContext context) {
        if (query == null || query.isEmpty()) {
            return ToolResult.error("query must not be empty");
        }
        PathMatcher fileMatcher = null;
        if (filePattern != null && !filePattern.isBlank()) {
            try {
                fileMatcher = FileSystems.getDefault().getPathMatcher("glob:" + filePattern);
            } catch (IllegalArgumentException e) {
                return ToolResult.error("Not a valid glob: " + filePattern + " (" + e.getMessage() + ")");
            }
        }
        boolean fold = Boolean.TRUE.equals(ignoreCase);
        String needle = fold ? query.toLowerCase(Locale.ROOT) : query;
        PathMatcher matcher = fileMatcher;
        try {
            Path start = guard.existing(path);
            List<String> hits = new ArrayList<>();
            boolean[] capped = {false};
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return context != null && context.isCancelled() ? FileVisitResult.TERMINATE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    // attributes are read without following links: symbolic links are skipped here
                    if (!attrs.isRegularFile() || attrs.size() > settings.maxReadBytes()
                            || (matcher != null && !matcher.matches(f.getFileName()))) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (context != null && context.isCancelled()) {
                        return FileVisitResult.TERMINATE;
                    }
                    try {
                        if (isBinary(f)) {
                            return FileVisitResult.CONTINUE;
                        }
                        List<String> lines = readLinesLenient(f);
                        for (int i = 0; i < lines.size(); i++) {
                            String line = lines.get(i);
                            String hay = fold ? line.toLowerCase(Locale.ROOT) : line;
                            if (hay.contains(needle)) {
                                if (hits.size() >= settings.maxResults()) {
                                    capped[0] = true;
                                    return FileVisitResult.TERMINATE;
                                }
                                hits.add(f + ":" + (i + 1) + ": " + shorten(line.strip()));
                            }
                        }
                    } catch (IOException | UncheckedIOException e) {
                        // unreadable files are skipped, like grep -s
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
            if (context != null) {
                context.checkCancelled();
            }
            if (hits.isEmpty()) {
                return ToolResult.text("No matches for '" + query + "' under " + start);
            }
            StringBuilder out = new StringBuilder();
            hits.forEach(h -> out.append(h).append('\n'));
            if (capped[0]) {
                out.append("[search stopped at ").append(settings.maxResults()).append(" matches]\n");
            }
            return ToolResult.text(out.toString().stripTrailing());
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return ioError("search", path, e);
        }
    }

    @McpTool(name = "get_file_info", openWorld = false, title = "File information",
            description = "Describes a file or directory: type, size, times, permissions and owner where the "
                    + "file system reports them, and whether the path is a symbolic link.",
            readOnly = true, idempotent = true)
    public ToolResult getFileInfo(
            @Param(name = "path", description = "File or directory; absolute or relative to an allowed directory")
            String path) {
        try {
            Path real = guard.existing(path);
            BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
            StringBuilder out = new StringBuilder();
            out.append("path: ").append(real).append('\n');
            out.append("type: ").append(attrs.isDirectory() ? "directory"
                    : attrs.isRegularFile() ? "file" : attrs.isSymbolicLink() ? "symbolic link" : "other").append('\n');
            out.append("size: ").append(attrs.size()).append('\n');
            out.append("modified: ").append(attrs.lastModifiedTime()).append('\n');
            out.append("created: ").append(attrs.creationTime()).append('\n');
            out.append("accessed: ").append(attrs.lastAccessTime()).append('\n');
            try {
                PosixFileAttributes posix = Files.readAttributes(real, PosixFileAttributes.class);
                out.append("permissions: ").append(PosixFilePermissions.toString(posix.permissions())).append('\n');
                out.append("owner: ").append(posix.owner().getName()).append('\n');
                out.append("group: ").append(posix.group().getName()).append('\n');
            } catch (UnsupportedOperationException e) {
                out.append("readable: ").append(Files.isReadable(real)).append('\n');
                out.append("writable: ").append(Files.isWritable(real)).append('\n');
            }
            boolean link = path != null && !path.isBlank() && isLink(path);
            out.append("symbolic link: ").append(link);
            return ToolResult.text(out.toString());
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return ioError("stat", path, e);
        }
    }

    /** Whether the path as asked for (before resolution) is itself a symbolic link. */
    private boolean isLink(String requested) {
        Path asked = Path.of(requested);
        if (asked.isAbsolute()) {
            return Files.isSymbolicLink(asked);
        }
        return guard.roots().stream().map(r -> r.real().resolve(asked))
                .filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS))
                .findFirst()
                .map(Files::isSymbolicLink)
                .orElse(false);
    }

    private static String describeEntry(Path entry) {
        String name = entry.getFileName().toString();
        try {
            BasicFileAttributes attrs = Files.readAttributes(entry, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (IOException e) {
                    target = "?";
                }
                return "[link] " + name + " -> " + target;
            }
            if (attrs.isDirectory()) {
                return "[dir]  " + name + "/";
            }
            return "[file] " + name + " (" + attrs.size() + " bytes)";
        } catch (IOException e) {
            return "[?]    " + name;
        }
    }

    static boolean isBinary(Path file) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ)) {
            return isBinary(channel);
        }
    }

    /** Sniffs the start of an open file for a NUL byte. */
    private static boolean isBinary(SeekableByteChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(SNIFF_BYTES);
        channel.position(0);
        channel.read(buffer);
        buffer.flip();
        while (buffer.hasRemaining()) {
            if (buffer.get() == 0) {
                return true;
            }
        }
        return false;
    }

    private static List<String> readLinesLenient(Path file) throws IOException {
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        return text.lines().toList();
    }

    private static String shorten(String line) {
        return line.length() <= MAX_HIT_LINE ? line : line.substring(0, MAX_HIT_LINE) + "…";
    }

    static ToolResult ioError(String action, String path, IOException e) {
        String what = path == null || path.isBlank() ? "the allowed directory" : path;
        if (e instanceof NoSuchFileException) {
            return ToolResult.error("No such file or directory: " + what);
        }
        if (e instanceof AccessDeniedException) {
            return ToolResult.error("Permission denied: cannot " + action + " " + what);
        }
        return ToolResult.error("Cannot " + action + " " + what + ": " + e.getMessage());
    }
}
