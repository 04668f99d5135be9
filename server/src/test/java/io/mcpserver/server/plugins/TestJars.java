package io.mcpserver.server.plugins;

import io.mcpserver.spi.McpPlugin;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Builds real plugin JARs in tests: compiles Java sources against plugin-api and packs them with their service file. */
public final class TestJars {

    private TestJars() {
    }

    /**
     * @param sources    class name → Java source
     * @param provider   the McpPlugin implementation to list in META-INF/services, or null for none
     * @param spiVersion the Mcp-Spi-Version manifest value, or null to leave it out
     * @param classpath  extra JARs to compile against (e.g. a library the plugin bundles)
     */
    public static Path jar(Path target, Map<String, String> sources, String provider, String spiVersion, Path... classpath)
            throws IOException {
        Path work = Files.createTempDirectory("plugin-src");
        Path src = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<String> files = new ArrayList<>();
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file.toString());
        }
        StringBuilder cp = new StringBuilder(apiLocation().toString());
        for (Path p : classpath) {
            cp.append(java.io.File.pathSeparator).append(p);
        }
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", cp.toString(), "-parameters",
                "--release", "21", "-proc:none"));
        args.addAll(files);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = compiler.run(null, errors, errors, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("test plugin does not compile:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        if (provider != null) {
            Path services = classes.resolve("META-INF/services/" + McpPlugin.class.getName());
            Files.createDirectories(services.getParent());
            Files.writeString(services, provider + "\n");
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (spiVersion != null) {
            manifest.getMainAttributes().put(PluginSources.SPI_VERSION, spiVersion);
        }
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target);
             JarOutputStream jar = new JarOutputStream(out, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        }
        return target;
    }

    /** Where plugin-api's classes are (a directory or JAR), to compile plugins against. */
    static Path apiLocation() {
        try {
            return Path.of(McpPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Source of a plugin named {@code name} with one tool {@code tool} that answers {@code body} (a Java expression). */
    public static String pluginSource(String pkg, String className, String name, String tool, String body) {
        return """
                package %s;

                import io.mcpserver.spi.McpPlugin;
                import io.mcpserver.spi.tools.Tool;
                import io.mcpserver.spi.tools.ToolDescriptor;
                import io.mcpserver.spi.tools.ToolResult;
                import java.util.List;

                public class %s implements McpPlugin {
                    public String name() { return "%s"; }
                    public List<Tool> tools() {
                        return List.of(Tool.of(ToolDescriptor.builder("%s").description("test tool").build(),
                                (args, ctx) -> ToolResult.text(String.valueOf(%s))));
                    }
                }
                """.formatted(pkg, className, name, tool, body);
    }
}
