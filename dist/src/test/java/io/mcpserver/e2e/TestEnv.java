package io.mcpserver.e2e;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where the end-to-end tests find things. Failsafe passes them as system properties (see dist/pom.xml);
 * the fallbacks let a test run from an IDE with the dist module as working directory, after one
 * {@code ./mvnw verify} has built the distribution and set up the test environment.
 */
public final class TestEnv {

    private static Properties testEnv;

    private TestEnv() {
    }

    /** The unpacked distribution, {@code dist/target/mcp-server-<version>}. */
    public static Path distHome() {
        String home = System.getProperty("mcp.dist.home");
        if (home != null) {
            return Path.of(home);
        }
        try (Stream<Path> candidates = Files.list(Path.of("target"))) {
            return candidates.filter(p -> p.getFileName().toString().startsWith("mcp-server-"))
                    .filter(Files::isDirectory)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/mcp-server-<version>/: run ./mvnw package first"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tarball, {@code dist/target/mcp-server-<version>.tar.gz}. */
    public static Path distTarball() {
        String tarball = System.getProperty("mcp.dist.tarball");
        return tarball != null ? Path.of(tarball) : Path.of(distHome() + ".tar.gz");
    }

    /** The project's version, as the build knows it. */
    public static String projectVersion() {
        String version = System.getProperty("mcp.project.version");
        if (version != null) {
            return version;
        }
        return distHome().getFileName().toString().substring("mcp-server-".length());
    }

    /** The distribution's launcher, {@code bin/mcp-server}. */
    public static Path launcher() {
        return distHome().resolve("bin/mcp-server");
    }

    /** A bundled plugin's JAR in the distribution, e.g. {@code plugins/demo.jar}. */
    public static Path bundledPlugin(String name) {
        return distHome().resolve("plugins").resolve(name + ".jar");
    }

    /**
     * The standalone example plugin's JAR ({@code docs/examples/notes-plugin}), built in
     * {@code pre-integration-test} by {@code src/test/build-example-plugin.sh} against this build's plugin API.
     */
    public static Path examplePluginJar() {
        Path jar = Path.of(System.getProperty("mcp.example.plugin.jar",
                "../docs/examples/notes-plugin/target/notes-plugin-1.0.0.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no example plugin JAR at " + jar.toAbsolutePath()
                    + ": src/test/build-example-plugin.sh did not run or failed");
        }
        return jar;
    }

    /** The repository's root folder (where {@code mvnw} is). */
    public static Path projectRoot() {
        return Path.of(System.getProperty("mcp.project.root", "..")).toAbsolutePath().normalize();
    }

    /** Where tests keep their temporary files (configs, logs), under target/ so they survive for inspection. */
    public static Path workRoot() {
        Path root = Path.of(System.getProperty("mcp.test.work.dir", "target/e2e"));
        try {
            return Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder of the Node scripts, {@code dist/src/test/node}. */
    public static Path nodeScripts() {
        return Path.of(System.getProperty("mcp.test.node.dir", "src/test/node")).toAbsolutePath();
    }

    /** The Node 22 binary installed by setup-test-env.sh. */
    public static Path node() {
        String node = testEnv().getProperty("node", "");
        if (node.isBlank() || !Files.isExecutable(Path.of(node))) {
            throw new IllegalStateException("no Node 22 (node=" + node + " in " + testEnvFile()
                    + "): src/test/setup-test-env.sh did not run or failed");
        }
        return Path.of(node);
    }

    /** Debian's nginx (setup-test-env.sh installs it), for NginxIT. */
    public static Path nginx() {
        String nginx = testEnv().getProperty("nginx", "");
        if (nginx.isBlank() || !Files.isExecutable(Path.of(nginx))) {
            throw new IllegalStateException("no nginx (nginx=" + nginx + " in " + testEnvFile()
                    + "): src/test/setup-test-env.sh did not install it; apt-get install -y nginx");
        }
        return Path.of(nginx);
    }

    /** Debian's chromium when setup-test-env.sh found or installed it. */
    public static Optional<Path> chromium() {
        String chromium = testEnv().getProperty("chromium", "");
        return chromium.isBlank() ? Optional.empty() : Optional.of(Path.of(chromium));
    }

    /**
     * A command setup-test-env.sh found or installed ({@code nc}, {@code python3}); a test that needs it fails, naming
     * what is missing, rather than quietly testing something else.
     */
    public static Path tool(String name) {
        String path = testEnv().getProperty(name, "");
        if (path.isBlank() || !Files.isExecutable(Path.of(path))) {
            throw new AssertionError(name + " is missing (" + name + "=" + path + " in " + testEnvFile()
                    + "): src/test/setup-test-env.sh installs it with apt-get when run as root; install it by hand otherwise");
        }
        return Path.of(path);
    }

    private static Path testEnvFile() {
        return Path.of(System.getProperty("mcp.test.env", "target/test-env.properties"));
    }

    private static synchronized Properties testEnv() {
        if (testEnv == null) {
            Properties properties = new Properties();
            Path file = testEnvFile();
            if (Files.isRegularFile(file)) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    properties.load(reader);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            testEnv = properties;
        }
        return testEnv;
    }
}
