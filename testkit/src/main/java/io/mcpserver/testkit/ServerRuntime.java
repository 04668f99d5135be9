package io.mcpserver.testkit;

import io.mcpserver.testkit.bridge.EmbeddedServer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Where the kit's server runs: a class loader over the server's JARs (nested in the kit under
 * {@value #NESTED}) and the kit's own classes, whose parent shows only the JDK, the SPI and the bridge. So the
 * server never sees the test's class path and the test's class path (the plugin's libraries) never sees the
 * server's: each keeps its own Jackson. One such loader per JVM, shared by every {@link McpTestServer}.
 */
final class ServerRuntime {

    static final String NESTED = "META-INF/mcp-testkit/server/";
    private static final String STARTER = "io.mcpserver.testkit.runtime.KitServer$Starter";

    private static EmbeddedServer.Starter starter;
    private static Path kitLocation;

    private ServerRuntime() {
    }

    /** The server side's entry, loading it on first use. */
    static synchronized EmbeddedServer.Starter starter() {
        if (starter == null) {
            Path kit = kitLocation();
            List<URL> urls = new ArrayList<>();
            for (Path jar : nestedJars(kit)) {
                urls.add(url(jar));
            }
            if (urls.isEmpty()) {
                throw new IllegalStateException("the test kit at " + kit + " holds no server JARs under " + NESTED
                        + " (build it with its pom: `mvn package` nests them)");
            }
            urls.add(url(kit));
            ClassLoader loader = new URLClassLoader("mcp-testkit-server", urls.toArray(URL[]::new),
                    new SharedOnly(ServerRuntime.class.getClassLoader()));
            try {
                starter = (EmbeddedServer.Starter) Class.forName(STARTER, true, loader).getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot start the test kit's server side: " + e, e);
            }
        }
        return starter;
    }

    /**
     * The test's class path without the kit itself: what a plugin under test is loaded from, as the distribution
     * loads a plugin directory. Test-scope libraries are on it too: harmless, only the plugin's code uses them.
     */
    static List<Path> pluginClassPath() {
        String classPath = System.getProperty("java.class.path", "");
        Path kit = kitLocation();
        List<Path> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (!path.equals(kit) && Files.exists(path)) {
                entries.add(path);
            }
        }
        return entries;
    }

    /** The kit's JAR (or classes directory, inside its own build). */
    static synchronized Path kitLocation() {
        if (kitLocation == null) {
            try {
                kitLocation = Path.of(ServerRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .toAbsolutePath().normalize();
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where the test kit was loaded from", e);
            }
        }
        return kitLocation;
    }

    /** The nested server JARs: used in place in a classes directory, copied out of a JAR once per JVM. */
    private static List<Path> nestedJars(Path kit) {
        try {
            if (Files.isDirectory(kit)) {
                Path dir = kit.resolve(NESTED);
                if (!Files.isDirectory(dir)) {
                    return List.of();
                }
                try (Stream<Path> files = Files.list(dir)) {
                    return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
                }
            }
            Path target = Files.createTempDirectory("mcp-testkit-server-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(target)));
            List<Path> jars = new ArrayList<>();
            try (JarFile jar = new JarFile(kit.toFile())) {
                for (var entry : jar.stream().filter(e -> e.getName().startsWith(NESTED) && e.getName().endsWith(".jar"))
                        .sorted(Comparator.comparing(java.util.zip.ZipEntry::getName)).toList()) {
                    Path out = target.resolve(entry.getName().substring(NESTED.length()));
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    jars.add(out);
                }
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the test kit's server from " + kit, e);
        }
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(path.toString(), e);
        }
    }

    static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp folder left behind is harmless
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // same
        }
    }

    /** Parent of the server's loader: the JDK, and from the test's loader only the SPI and the bridge. */
    private static final class SharedOnly extends ClassLoader {

        private static final List<String> SHARED = List.of("io.mcpserver.spi.", "io.mcpserver.testkit.bridge.");

        static {
            registerAsParallelCapable();
        }

        private final ClassLoader testLoader;

        SharedOnly(ClassLoader testLoader) {
            super("mcp-testkit-shared", ClassLoader.getPlatformClassLoader());
            this.testLoader = testLoader;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (SHARED.stream().anyMatch(name::startsWith)) {
                return testLoader.loadClass(name);
            }
            throw new ClassNotFoundException(name);
        }

        @Override
        public String toString() {
            return getName() + Arrays.toString(SHARED.toArray());
        }
    }
}
