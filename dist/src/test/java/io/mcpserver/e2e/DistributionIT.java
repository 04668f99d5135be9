package io.mcpserver.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tarball: its layout, and that it runs once unpacked anywhere. */
class DistributionIT {

    @Test
    void tarballHasTheDocumentedLayout() throws Exception {
        String base = "mcp-server-" + TestEnv.projectVersion() + "/";
        List<String> listing = run(Path.of("."), "tar", "-tzvf", TestEnv.distTarball().toString());
        List<String> names = listing.stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();

        for (String expected : List.of("bin/mcp-server", "bin/find-jdk", "conf/logging.properties", "conf/mcp-server.yaml",
                "plugins/filesystem.jar", "plugins/time.jar", "plugins/demo.jar", "plugins/interceptors.jar",
                "lib/mcp-server-" + TestEnv.projectVersion() + ".jar",
                "lib/mcp-plugin-api-" + TestEnv.projectVersion() + ".jar",
                sdk("mcp-plugin-api", ".jar"), sdk("mcp-plugin-api", ".pom"), sdk("mcp-plugin-testkit", ".jar"),
                sdk("mcp-plugin-testkit", ".pom"), sdk("mcp-plugin-testkit", "-sources.jar"),
                sdk("mcp-server-parent", ".pom"))) {
            assertTrue(names.contains(base + expected), "missing " + base + expected + " in\n" + String.join("\n", names));
        }
        for (String line : listing) {
            if (line.endsWith("/bin/mcp-server") || line.endsWith("/bin/find-jdk")) {
                assertTrue(line.startsWith("-rwxr-xr-x"), "not executable: " + line);
            }
        }
        assertFalse(names.stream().anyMatch(n -> n.contains("/lib/mcp-plugin-") && !n.contains("/lib/mcp-plugin-api-")),
                "plugin JARs belong in plugins/, not lib/:\n" + String.join("\n", names));
        assertTrue(names.stream().allMatch(n -> n.startsWith(base)), "every entry under " + base);
    }

    @Test
    void unpackedTarballServesOnStdio() throws Exception {
        Path target = Files.createTempDirectory(TestEnv.workRoot(), "unpacked-");
        run(target, "tar", "-xzf", TestEnv.distTarball().toString());
        Path home = target.resolve("mcp-server-" + TestEnv.projectVersion());

        try (ServerProcess server = ServerProcess.builder().name("unpacked").home(home).stdio().tcp(false).http(false).start()) {
            JsonRpcPeer peer = JsonRpcPeer.stdio(server);
            peer.initialize();
            JsonNode tools = peer.request("tools/list", Map.of());
            List<String> names = new ArrayList<>();
            tools.path("result").path("tools").forEach(tool -> names.add(tool.path("name").asText()));
            assertTrue(names.contains("echo"), "tools from the unpacked plugins/: " + names);
        }
    }

    /**
     * The unpacked tarball's README is written for that layout and everything it and the shipped docs link to
     * is there: the tarball used to carry the repository's README, which pointed at dist/bin/mcp-server and
     * docs/ that it did not contain.
     */
    @Test
    void theUnpackedReadmeAndDocsLinkOnlyToWhatTheTarballHolds() throws Exception {
        Path target = Files.createTempDirectory(TestEnv.workRoot(), "unpacked-docs-");
        run(target, "tar", "-xzf", TestEnv.distTarball().toString());
        Path home = target.resolve("mcp-server-" + TestEnv.projectVersion());
        String readme = Files.readString(home.resolve("README.md"));
        assertFalse(readme.contains("dist/"), "the README names paths of a clone:\n" + readme);
        assertTrue(readme.contains("bin/mcp-server"), readme);

        List<Path> pages = new ArrayList<>(List.of(home.resolve("README.md")));
        try (var docs = Files.walk(home.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        assertTrue(pages.size() > 5, "docs shipped: " + pages);
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            Matcher m = link.matcher(Files.readString(page));
            while (m.find()) {
                String href = m.group(1);
                if (href.matches("[a-z]+:.*") || href.startsWith("#")) {
                    continue; // a web address or an anchor in the same page
                }
                String file = href.replaceFirst("#.*", "");
                if (!Files.exists(page.getParent().resolve(file).normalize())) {
                    broken.add(home.relativize(page) + " -> " + href);
                }
            }
        }
        assertTrue(broken.isEmpty(), "links to what the tarball does not hold:\n" + String.join("\n", broken));
    }

    private static List<String> run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hangs");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        return output.lines().toList();
    }

    /** An artifact of the distribution's Maven repository (sdk/repository), which --new-plugin projects use. */
    private static String sdk(String artifactId, String suffix) {
        String v = TestEnv.projectVersion();
        return "sdk/repository/io/mcpserver/" + artifactId + "/" + v + "/" + artifactId + "-" + v + suffix;
    }
}
