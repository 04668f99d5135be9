package io.mcpserver.server.config;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses a YAML file nested deeper than {@link #MAX_DEPTH} levels before its nodes become Helidon's: Helidon's config
 * recurses once per level, and an anchor used inside itself ({@code a: &a [x, *a]}, legal YAML) nests without end,
 * so the server died of a {@code StackOverflowError} instead of naming the problem (found by ConfigFuzzTest).
 * SnakeYAML already refuses more than 50 levels written out; aliases can nest past that, so the depth counted here
 * follows them. It also refuses a key with an empty part ({@code .protocol}): Helidon takes the empty part for the
 * root again and recurses without end too (found by ConfigFuzzTest).
 */
final class YamlNesting {

    /** SnakeYAML's own limit for nesting written out ({@code LoaderOptions.nestingDepthLimit}), so one number holds. */
    static final int MAX_DEPTH = 50;

    private final Path file;
    private final Set<Node> path = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Node, Integer> heights = new IdentityHashMap<>(); // a node reached again through an alias

    private YamlNesting(Path file) {
        this.file = file;
    }

    /** Throws a {@link ConfigException} naming the limit and the line when the composed {@code root} nests too deep. */
    static void check(Node root, Path file) {
        new YamlNesting(file).height(root, 1);
    }

    /** The levels under and including {@code node}, reached at {@code depth}; each node is measured once. */
    private int height(Node node, int depth) {
        Integer known = heights.get(node);
        if (known != null) {
            if (depth + known - 1 > MAX_DEPTH) {
                throw tooDeep(node);
            }
            return known;
        }
        if (path.contains(node)) {
            throw new ConfigException("cannot read configuration " + file + ": line " + line(node) + ": the anchor"
                    + (node.getAnchor() == null ? "" : " &" + node.getAnchor())
                    + " is used inside itself, which nests without end (at most " + MAX_DEPTH + " levels are read)");
        }
        if (depth > MAX_DEPTH) {
            throw tooDeep(node);
        }
        if (node instanceof MappingNode mapping) {
            for (NodeTuple entry : mapping.getValue()) {
                if (entry.getKeyNode() instanceof ScalarNode key && ConfigLoader.hasEmptyPart(key.getValue())) {
                    throw new ConfigException("cannot read configuration " + file + ": line " + line(key) + ": "
                            + ConfigLoader.emptyPart(key.getValue()));
                }
            }
        }
        path.add(node);
        int height = 1;
        for (Node child : children(node)) {
            height = Math.max(height, 1 + height(child, depth + 1));
        }
        path.remove(node);
        heights.put(node, height);
        return height;
    }

    private ConfigException tooDeep(Node node) {
        return new ConfigException("cannot read configuration " + file + ": line " + line(node)
                + ": nested deeper than " + MAX_DEPTH + " levels, the most the server reads");
    }

    /** The mappings and sequences directly inside {@code node}: a level is a collection, as SnakeYAML counts. */
    private static List<Node> children(Node node) {
        List<Node> children = new ArrayList<>();
        if (node instanceof MappingNode mapping) {
            for (NodeTuple entry : mapping.getValue()) {
                children.add(entry.getKeyNode());
                children.add(entry.getValueNode());
            }
        } else if (node instanceof SequenceNode sequence) {
            children.addAll(sequence.getValue());
        }
        children.removeIf(child -> !(child instanceof MappingNode || child instanceof SequenceNode));
        return children;
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }
}
