package io.mcpserver.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/mcp-server --list-plugins} shows the bundled plugins and their tools, and honours --plugins-dir. */
class ListPluginsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void listsTheBundledPluginsWithTheirTools() throws Exception {
        ServerProcess.Result result = ServerProcess.builder().name("list-plugins").args("--list-plugins").run(TIMEOUT);
        assertEquals(0, result.exitCode(), describe(result));

        Map<String, Plugin> plugins = parse(result.stdout());
        for (String name : List.of("filesystem", "time", "demo")) {
            Plugin plugin = plugins.get(name);
            assertTrue(plugin != null, name + " not listed\n" + describe(result));
            assertTrue(plugin.header().contains("[loaded]"), name + " is not loaded: " + plugin.header() + "\n" + describe(result));
            assertFalse(plugin.tools().isEmpty(), name + " lists no tools\n" + describe(result));
        }
        assertTrue(plugins.get("demo").tools().containsAll(List.of("echo", "slow_count", "sleep")),
                "demo tools: " + plugins.get("demo").tools());
        assertTrue(plugins.get("filesystem").tools().contains("read_file"),
                "filesystem tools: " + plugins.get("filesystem").tools());
    }

    @Test
    void listsOnlyWhatIsInTheGivenPluginsDirectory() throws Exception {
        ServerProcess.Result result = ServerProcess.builder()
                .name("list-plugins-dir")
                .plugins("time")
                .args("--list-plugins")
                .run(TIMEOUT);
        assertEquals(0, result.exitCode(), describe(result));
        Map<String, Plugin> plugins = parse(result.stdout());
        assertEquals(List.of("time"), List.copyOf(plugins.keySet()), describe(result));
    }

    /** One plugin of the listing: its header line and the names on its "tool" lines. */
    record Plugin(String header, List<String> tools) {
    }

    /**
     * The listing has one block per plugin, separated by blank lines: a header line starting with the
     * plugin's name, then indented lines, among them {@code tool <name>}.
     */
    static Map<String, Plugin> parse(String listing) {
        Map<String, Plugin> plugins = new LinkedHashMap<>();
        String header = null;
        List<String> tools = null;
        for (String line : listing.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                if (line.endsWith(":") && header == null && plugins.isEmpty()) {
                    continue; // "Plugins in <dir>:"
                }
                header = line;
                tools = new ArrayList<>();
                plugins.put(line.split("\\s+")[0], new Plugin(header, tools));
            } else if (tools != null) {
                String[] words = line.strip().split("\\s+");
                if (words.length >= 2 && words[0].equals("tool")) {
                    tools.add(words[1]);
                }
            }
        }
        return plugins;
    }

    private static String describe(ServerProcess.Result result) {
        return "exit " + result.exitCode() + "\n--- stdout ---\n" + result.stdout() + "--- stderr ---\n" + result.stderr();
    }
}
