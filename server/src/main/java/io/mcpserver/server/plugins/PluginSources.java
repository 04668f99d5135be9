package io.mcpserver.server.plugins;

import io.mcpserver.spi.McpPlugin;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finding plugin sources: each {@code *.jar} and each subdirectory of JARs in the plugins directory (names
 * starting with '.' are a deploy's temporary files and skipped), the JARs of one source, and the SPI version
 * they declare.
 */
final class PluginSources {

    /** The manifest attribute a plugin JAR may use to declare the SPI version it was built for. */
    static final Attributes.Name SPI_VERSION = new Attributes.Name("Mcp-Spi-Version");

    private PluginSources() {
    }

    /** The sources in {@code dir}, in file-name order. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !isHidden(p))
                    .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar"))
                    .sorted().toList();
        }
    }

    static boolean isHidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    /** The JARs of a source (itself, or the JARs in the directory), each checked to be a readable JAR. */
    static URL[] jars(Path source) throws PluginException {
        List<Path> files;
        if (Files.isDirectory(source)) {
            try (Stream<Path> s = Files.list(source)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            } catch (IOException e) {
                throw new PluginException("cannot list directory: " + e.getMessage());
            }
            if (files.isEmpty()) {
                throw new PluginException("directory holds no JAR files");
            }
        } else {
            files = List.of(source);
        }
        URL[] urls = new URL[files.size()];
        for (int i = 0; i < urls.length; i++) {
            Path f = files.get(i);
            try (JarFile jar = new JarFile(f.toFile())) {
                jar.getManifest(); // reads the central directory: a corrupt file fails here
            } catch (IOException e) {
                throw new PluginException(f.getFileName() + " is not a valid JAR file (" + e.getMessage() + ")");
            }
            try {
                urls[i] = f.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new PluginException("bad path " + f + ": " + e.getMessage());
            }
        }
        checkSpiVersion(urls);
        return urls;
    }

    /** A JAR may declare the SPI version it was built for; a different major version cannot work. */
    private static void checkSpiVersion(URL[] jars) throws PluginException {
        for (URL url : jars) {
            try (JarFile jar = new JarFile(Path.of(url.toURI()).toFile())) {
                var manifest = jar.getManifest();
                String declared = manifest == null ? null : manifest.getMainAttributes().getValue(SPI_VERSION);
                if (declared == null) {
                    continue;
                }
                int version;
                try {
                    version = Integer.parseInt(declared.trim());
                } catch (NumberFormatException e) {
                    throw new PluginException("manifest Mcp-Spi-Version '" + declared + "' is not a number");
                }
                if (version != McpPlugin.SPI_VERSION) {
                    throw new PluginException("built for SPI version " + version + ", this server provides SPI version "
                            + McpPlugin.SPI_VERSION);
                }
            } catch (IOException | URISyntaxException e) {
                throw new PluginException("cannot read " + url + ": " + e.getMessage());
            }
        }
    }
}
