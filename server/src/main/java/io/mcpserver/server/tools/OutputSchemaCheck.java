package io.mcpserver.server.tools;

import io.mcpserver.server.json.Json;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.util.Optional;

/**
 * Checks a tool's result against its output schema the way clients do (the official TypeScript SDK rejects the
 * whole call otherwise), so a mismatch is caught by the server, and by the test kit in a plugin's own tests,
 * instead of in front of a user. An error result is not checked: clients do not check it either.
 */
public final class OutputSchemaCheck {

    private static final OutputSchemaCheck NONE = new OutputSchemaCheck(null, null);

    private final String tool;
    private final SchemaValidator validator;

    private OutputSchemaCheck(String tool, SchemaValidator validator) {
        this.tool = tool;
        this.validator = validator;
    }

    /**
     * The check for {@code descriptor}'s output schema; it passes everything when there is none.
     *
     * @throws IllegalArgumentException when the output schema is not a usable JSON Schema
     */
    public static OutputSchemaCheck of(ToolDescriptor descriptor) {
        return of(descriptor, SchemaValidator::compile);
    }

    /**
     * The same, compiling the output schema with {@code compiler} (the registry's, which reuses what an earlier
     * registration compiled from an equal schema).
     */
    public static OutputSchemaCheck of(ToolDescriptor descriptor,
                                       java.util.function.Function<java.util.Map<String, Object>, SchemaValidator> compiler) {
        if (descriptor.outputSchema() == null) {
            return NONE;
        }
        try {
            return new OutputSchemaCheck(descriptor.name(), compiler.apply(descriptor.outputSchema()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tool '" + descriptor.name() + "' has an invalid output schema: "
                    + e.getMessage(), e);
        }
    }

    /** What is wrong with {@code result}, in a sentence naming the tool and the fields; empty when it conforms. */
    public Optional<String> problem(ToolResult result) {
        if (validator == null || result.isError()) {
            return Optional.empty();
        }
        if (result.structuredContent() == null) {
            return Optional.of("Tool '" + tool + "' declares an output schema but returned no structured content");
        }
        return validator.validate(Json.toTree(result.structuredContent()))
                .map(why -> "Tool '" + tool + "' returned structured content that does not match its output schema: "
                        + why);
    }
}
