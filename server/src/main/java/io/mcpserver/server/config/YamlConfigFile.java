package io.mcpserver.server.config;

import io.helidon.config.spi.ConfigNode;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The configuration file as Helidon config nodes, parsed once. SnakeYAML composes the file, {@link YamlNesting}
 * checks the composed nodes, and the same nodes become the values and nodes Helidon's own YAML parser would have
 * made of them (SnakeYAML's safe types, each scalar as its {@code toString()}, null as an empty value).
 * Helidon's file source parsed the file a second time, after a digest of it (which set up the JDK's security
 * providers) and a media-type lookup: about a sixth of a start's time on its main thread went to reading the
 * 30 KB commented {@code conf/mcp-server.yaml}, and the second parse was half of it.
 */
final class YamlConfigFile {

    private YamlConfigFile() {
    }

    /**
     * @throws ConfigException naming the file and the problem: unreadable, not YAML, nested too deep, an empty key
     *                         part, or not a mapping of settings
     */
    static ConfigNode.ObjectNode read(Path file) {
        String text;
        try {
            // decoded leniently, as Helidon's reader did: a stray byte becomes U+FFFD and shows in a value
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration " + file + ": " + e);
        }
        LoaderOptions options = new LoaderOptions();
        options.setNestingDepthLimit(YamlNesting.MAX_DEPTH);
        try {
            // composed without a Yaml object: that makes its constructor first, whose logger waits for the JDK's
            // first logging lookup (every JAR of lib/ opened, on the metrics thread); composing overlaps it
            Node root = new Composer(new ParserImpl(new StreamReader(text), options), new Resolver(), options)
                    .getSingleNode();
            if (root == null) {
                return ConfigNode.ObjectNode.empty(); // empty, or only comments
            }
            YamlNesting.check(root, file);
            if (!(new Values(options).of(root) instanceof Map<?, ?> settings)) {
                throw new ConfigException("cannot read configuration " + file + ": line "
                        + (root.getStartMark().getLine() + 1) + ": the file must be a mapping of settings "
                        + "(transports:, security:, …), not a single " + root.getNodeId());
            }
            return object(settings);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) { // SnakeYAML's YAMLException, or a scalar its constructor cannot take
            throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
        }
    }

    private static ConfigNode.ObjectNode object(Map<?, ?> map) {
        ConfigNode.ObjectNode.Builder node = ConfigNode.ObjectNode.builder();
        map.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (value instanceof Map<?, ?> m) {
                node.addObject(name, object(m));
            } else if (value instanceof List<?> l) {
                node.addList(name, list(l));
            } else {
                node.addValue(name, value == null ? "" : value.toString());
            }
        });
        return node.build();
    }

    private static ConfigNode.ListNode list(List<?> items) {
        ConfigNode.ListNode.Builder node = ConfigNode.ListNode.builder();
        for (Object value : items) {
            if (value instanceof Map<?, ?> m) {
                node.addObject(object(m));
            } else if (value instanceof List<?> l) {
                node.addList(list(l));
            } else {
                node.addValue(value == null ? "" : value.toString());
            }
        }
        return node.build();
    }

    /** SnakeYAML's safe constructor, for nodes already composed (its {@code constructDocument} is protected). */
    private static final class Values extends SafeConstructor {

        Values(LoaderOptions options) {
            super(options);
        }

        Object of(Node root) {
            return constructDocument(root);
        }
    }
}
