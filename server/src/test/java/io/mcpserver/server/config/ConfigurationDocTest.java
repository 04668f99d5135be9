package io.mcpserver.server.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps {@code docs/configuration.md} and {@code conf/mcp-server.yaml} in step: every key of the file, set or
 * shown as a commented-out default ({@code # key: value}), has a row in the reference, and every row names a
 * key of the file. Sections ({@code transports.tcp:}) have no rows; their keys do. The shipped file is also a
 * valid configuration.
 */
class ConfigurationDocTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("..").normalize();
    /** {@code key:} or {@code key: value}: keys are lower case words joined by hyphens. */
    private static final Pattern KEY = Pattern.compile("^([a-z][a-z0-9-]*):(?:\\s+(.*))?$");
    /** A reference row: {@code | `a.b.c` | …}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z][a-z0-9.-]*)`\\s*\\|", Pattern.MULTILINE);

    @Test
    void everyKeyOfTheShippedFileIsDocumentedAndEveryDocumentedKeyExists() throws IOException {
        Set<String> inFile = yamlKeys(Files.readAllLines(ROOT.resolve("conf/mcp-server.yaml")));
        Set<String> inDocs = documentedKeys(Files.readString(ROOT.resolve("docs/configuration.md")));

        Set<String> undocumented = new TreeSet<>(inFile);
        undocumented.removeAll(inDocs);
        Set<String> unknown = new TreeSet<>(inDocs);
        unknown.removeAll(inFile);
        assertEquals(Set.of(), undocumented, "keys of conf/mcp-server.yaml missing from docs/configuration.md");
        assertEquals(Set.of(), unknown, "keys in docs/configuration.md that conf/mcp-server.yaml does not have");
    }

    @Test
    void theParserSeesSetKeysCommentedDefaultsAndSkipsProseAndExamples() {
        Set<String> keys = yamlKeys(List.of(
                "server:",
                "  # What clients see: a name.",
                "  name: mcp-server",
                "  # instructions: \"\"",
                "  # text: one line per record; json: one object per line",
                "  # match: a glob on the tool name, the resource URI or the prompt name",
                "  # host: 127.0.0.1   (default: server.host)",
                "  # tool-timeouts:",
                "  #   slow_report: 30m",
                "  rules:",
                "    tools: []",
                "    #  - match: \"write_*\"",
                "    #    scopes: [files:write]"));
        assertEquals(Set.of("server.name", "server.instructions", "server.host", "server.tool-timeouts",
                "server.rules.tools"), keys);
    }

    @Test
    void theShippedFileIsAValidConfiguration() {
        Path file = ROOT.resolve("conf/mcp-server.yaml");
        ServerConfig config = ServerConfig.from(ConfigLoader.load(file, null, Map.of(), Map.of()), ROOT, file, "test");
        assertTrue(config.observe().enabled());
        assertEquals("/ready", config.observe().readyPath());
    }

    /**
     * Key paths of a YAML file written the way conf/mcp-server.yaml is: set keys, and commented-out defaults
     * ({@code # key: value} at the indentation the key would have, the value a single token). Prose comments,
     * list items and the children of a commented-out section (examples of user-chosen names) are skipped.
     */
    static Set<String> yamlKeys(List<String> lines) {
        return yamlEntries(lines).keySet();
    }

    /** {@link #yamlKeys} with each key's value as written (a trailing note after two spaces aside), or null. */
    static Map<String, String> yamlEntries(List<String> lines) {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        Deque<Entry> stack = new ArrayDeque<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            boolean commented = trimmed.startsWith("#");
            int indent;
            String body;
            if (commented) {
                int hash = line.indexOf('#');
                String after = line.substring(hash + 1);
                if (!after.startsWith(" ")) {
                    continue;
                }
                body = after.stripLeading();
                indent = hash + (after.length() - body.length()) - 1;
            } else {
                indent = line.length() - line.stripLeading().length();
                body = trimmed;
            }
            if (body.startsWith("- ")) { // a list item: what follows at a deeper indentation belongs to it
                popTo(stack, indent);
                stack.push(new Entry(indent, "-", true));
                continue;
            }
            Matcher m = KEY.matcher(body);
            if (!m.matches() || (commented && !isSingleValue(m.group(2)))) {
                continue;
            }
            popTo(stack, indent);
            boolean example = commented && stack.stream().anyMatch(Entry::commented);
            StringBuilder path = new StringBuilder();
            stack.descendingIterator().forEachRemaining(e -> path.append(e.key()).append('.'));
            path.append(m.group(1));
            stack.push(new Entry(indent, m.group(1), commented));
            boolean section = !commented && m.group(2) == null; // its keys are listed, not it
            if (!example && !section) {
                keys.put(path.toString(), m.group(2) == null ? null : m.group(2).split("\\s{2,}", 2)[0].strip());
            }
        }
        return keys;
    }

    /** A commented default shows one value (a trailing note after two spaces aside); prose has several words. */
    private static boolean isSingleValue(String value) {
        if (value == null) {
            return true;
        }
        String v = value.split("\\s{2,}", 2)[0].strip();
        return v.startsWith("\"") || v.startsWith("[") || v.startsWith("{") || !v.contains(" ");
    }

    private static void popTo(Deque<Entry> stack, int indent) {
        while (!stack.isEmpty() && stack.peek().indent() >= indent) {
            stack.pop();
        }
    }

    static Set<String> documentedKeys(String markdown) {
        Set<String> keys = new LinkedHashSet<>();
        Matcher m = ROW.matcher(markdown);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private record Entry(int indent, String key, boolean commented) {
    }
}
