package io.mcpserver.plugins.filesystem;

import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.OpenOption;
import java.nio.file.SecureDirectoryStream;
import java.util.HashSet;
import java.util.Set;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a path a client asked for into a real path inside one of the configured roots, or refuses it.
 *
 * <p>Every check runs on the real path (symbolic links resolved), so a link inside a root that points
 * outside it is refused like any other outside path. A path that does not exist yet (for writes) is
 * checked through its deepest existing ancestor.
 */
final class PathGuard {

    private static final System.Logger LOG = System.getLogger(PathGuard.class.getName());

    private final List<Root> roots;

    private PathGuard(List<Root> roots) {
        this.roots = List.copyOf(roots);
    }

    /** A configured root: as written (normalized, absolute) and its real path. */
    record Root(Path configured, Path real) {
    }

    /**
     * Builds a guard from the configured root strings. Roots that are not absolute, do not exist or
     * are not directories are skipped with a warning, so one typo does not disable the others.
     */
    static PathGuard of(List<String> configuredRoots, System.Logger logger) {
        System.Logger log = logger == null ? LOG : logger;
        List<Root> roots = new ArrayList<>();
        for (String raw : configuredRoots) {
            try {
                Path p = expandHome(raw.trim());
                if (!p.isAbsolute()) {
                    log.log(System.Logger.Level.WARNING,
                            "filesystem root ''{0}'' skipped: it must be an absolute path", raw);
                    continue;
                }
                p = p.normalize();
                if (!Files.isDirectory(p)) {
                    log.log(System.Logger.Level.WARNING,
                            "filesystem root ''{0}'' skipped: no such directory", raw);
                    continue;
                }
                roots.add(new Root(p, p.toRealPath()));
            } catch (IOException | InvalidPathException e) {
                log.log(System.Logger.Level.WARNING, "filesystem root ''{0}'' skipped: {1}", raw, e.getMessage());
            }
        }
        return new PathGuard(roots);
    }

    private static Path expandHome(String raw) {
        if (raw.equals("~")) {
            return Path.of(System.getProperty("user.home"));
        }
        if (raw.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), raw.substring(2));
        }
        return Path.of(raw);
    }

    List<Root> roots() {
        return roots;
    }

    boolean hasRoots() {
        return !roots.isEmpty();
    }

    /** The real path of an existing file or directory inside a root. */
    Path existing(String requested) throws PathRefusedException {
        Path real = resolve(requested);
        if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathRefusedException("No such file or directory: " + requested);
        }
        return real;
    }

    /**
     * The real path {@code requested} names, which need not exist yet. A blank request names the
     * first root.
     */
    Path resolve(String requested) throws PathRefusedException {
        if (roots.isEmpty()) {
            throw new PathRefusedException(
                    "No root directory is configured for the filesystem plugin: list the directories it may use "
                            + "under plugins.filesystem.roots");
        }
        if (requested == null || requested.isBlank()) {
            return roots.getFirst().real();
        }
        if (requested.indexOf('\0') >= 0) {
            throw new PathRefusedException("The path contains a NUL character");
        }
        Path asked;
        try {
            asked = Path.of(requested);
        } catch (InvalidPathException e) {
            throw new PathRefusedException("Not a valid path: " + requested + " (" + e.getReason() + ")");
        }
        for (Path element : asked) {
            if (element.toString().equals("..")) {
                throw new PathRefusedException("Path traversal ('..') is not allowed: " + requested);
            }
        }
        Path candidate = asked.isAbsolute() ? asked.normalize() : relativeToRoots(asked);
        if (asked.isAbsolute() && rootContaining(candidate) == null) {
            throw new PathRefusedException("Access denied: " + requested + " is outside the allowed directories "
                    + describeRoots());
        }
        Path real = realPath(candidate, requested);
        if (realRootContaining(real) == null) {
            throw new PathRefusedException("Access denied: " + requested
                    + " resolves through a symbolic link to a location outside the allowed directories "
                    + describeRoots());
        }
        return real;
    }

    /**
     * Opens a file that {@link #resolve} or {@link #existing} checked, without following any symbolic link on the
     * way: from the root's directory, each directory is opened relative to the one before it and the file relative
     * to the last ({@link SecureDirectoryStream}, i.e. {@code openat} with {@code O_NOFOLLOW}). Checking a path and
     * then opening it by name lets anyone who can write inside a root swap a directory for a link in between
     * (outside testing read {@code /etc/passwd} and wrote outside the root that way); this cannot be swapped.
     *
     * @param real    a real path inside a root, as the guard returned it
     * @param options how to open it; {@link LinkOption#NOFOLLOW_LINKS} is always added
     */
    SeekableByteChannel open(Path real, Set<? extends OpenOption> options) throws IOException, PathRefusedException {
        Root root = realRootContaining(real);
        if (root == null) {
            throw new PathRefusedException("Access denied: " + real + " is outside the allowed directories "
                    + describeRoots());
        }
        Set<OpenOption> noFollow = new HashSet<>(options);
        noFollow.add(LinkOption.NOFOLLOW_LINKS);
        Path relative = root.real().relativize(real);
        if (relative.toString().isEmpty()) {
            throw new IOException("Is a directory: " + real);
        }
        DirectoryStream<Path> top = Files.newDirectoryStream(root.real());
        if (!(top instanceof SecureDirectoryStream<Path> dir)) {
            // no openat on this platform: at least the last component is not followed
            top.close();
            return Files.newByteChannel(real, noFollow);
        }
        SecureDirectoryStream<Path> current = dir;
        try {
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                SecureDirectoryStream<Path> next;
                try {
                    next = current.newDirectoryStream(relative.getName(i), LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    throw new PathRefusedException("Access denied: " + real + " changed while it was being opened ("
                            + relative.getName(i) + " is no longer a directory inside the root)");
                }
                current.close();
                current = next;
            }
            try {
                return current.newByteChannel(relative.getFileName(), noFollow);
            } catch (java.nio.file.FileSystemException e) {
                if (Files.isSymbolicLink(real)) {
                    throw new PathRefusedException("Access denied: " + real + " is a symbolic link now");
                }
                throw e;
            }
        } finally {
            current.close();
        }
    }

    /** The root whose real path contains {@code real}, or null. */
    Root realRootContaining(Path real) {
        for (Root root : roots) {
            if (real.startsWith(root.real())) {
                return root;
            }
        }
        return null;
    }

    String describeRoots() {
        return roots.stream().map(r -> r.real().toString()).collect(Collectors.joining(", ", "[", "]"));
    }

    private Root rootContaining(Path absolute) {
        for (Root root : roots) {
            if (absolute.startsWith(root.configured()) || absolute.startsWith(root.real())) {
                return root;
            }
        }
        return null;
    }

    /** A relative path names the first root's entry that exists, else the one in the first root. */
    private Path relativeToRoots(Path relative) {
        for (Root root : roots) {
            Path p = root.real().resolve(relative).normalize();
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        return roots.getFirst().real().resolve(relative).normalize();
    }

    /** Resolves links in the deepest existing ancestor and appends the rest, which does not exist yet. */
    private static Path realPath(Path candidate, String requested) throws PathRefusedException {
        Path existing = candidate;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new PathRefusedException("No such file or directory: " + requested);
        }
        try {
            Path real = existing.toRealPath();
            return real.resolve(existing.relativize(candidate)).normalize();
        } catch (NoSuchFileException e) {
            throw new PathRefusedException("Access denied: " + requested + " is a dangling symbolic link");
        } catch (IOException e) {
            throw new PathRefusedException("Cannot resolve " + requested + ": " + e.getMessage());
        }
    }
}
