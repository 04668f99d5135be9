package io.mcpserver.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.tools.SchemaValidator;

import java.util.HashMap;
import java.util.Map;

/**
 * The tool schemas of one registry snapshot, compiled once per distinct content. Every registration rebuilds the
 * whole snapshot; without this it compiled the schemas of every plugin registered before again, so that a start
 * with n plugins compiled the first one's n times (a quarter of the plugin loading in a start-up profile, issue
 * 14). A schema equal (as JSON) to one the previous snapshot holds gets that validator; anything else is compiled
 * as before, with the same errors.
 */
final class CompiledSchemas {

    private final Map<JsonNode, SchemaValidator> previous;
    private final Map<JsonNode, SchemaValidator> used = new HashMap<>();

    CompiledSchemas(Map<JsonNode, SchemaValidator> previous) {
        this.previous = previous;
    }

    /**
     * The validator of {@code schema}.
     *
     * @throws IllegalArgumentException as {@link SchemaValidator#compile(Map)} when it is not a usable schema
     */
    SchemaValidator compile(Map<String, Object> schema) {
        // a tree of our own: the plugin's maps may change later, the key must not
        JsonNode tree = Json.toTree(schema);
        SchemaValidator validator = used.get(tree);
        if (validator == null) {
            validator = previous.get(tree);
            if (validator == null) {
                validator = SchemaValidator.compile(tree);
            }
            used.put(tree, validator);
        }
        return validator;
    }

    /** What this snapshot uses: the next build starts from it (and what it no longer uses is dropped). */
    Map<JsonNode, SchemaValidator> used() {
        return used;
    }
}
