package io.mcpserver.server.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import io.mcpserver.server.json.Json;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates tool arguments against a tool's input schema (JSON Schema 2020-12 unless the schema's
 * {@code $schema} says otherwise), compiled once when the tool is registered.
 */
public final class SchemaValidator {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final JsonSchema schema;

    private SchemaValidator(JsonSchema schema) {
        this.schema = schema;
    }

    /** Compiles {@code schema}; throws IllegalArgumentException naming the problem when it is not a usable schema. */
    public static SchemaValidator compile(Map<String, Object> schema) {
        JsonNode node = Json.toTree(schema);
        try {
            JsonSchemaFactory factory = node.has("$schema")
                    ? JsonSchemaFactory.getInstance(SpecVersionDetector.detect(node))
                    : FACTORY;
            JsonSchema compiled = factory.getSchema(node);
            compiled.initializeValidators();
            return new SchemaValidator(compiled);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid JSON Schema: " + e.getMessage(), e);
        }
    }

    /** A message naming every failing field, or empty when the value is valid. */
    public Optional<String> validate(JsonNode value) {
        Set<ValidationMessage> errors = schema.validate(value);
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(errors.stream()
                .sorted(Comparator.comparing(ValidationMessage::getMessage))
                .map(ValidationMessage::getMessage)
                .collect(Collectors.joining("; ")));
    }
}
