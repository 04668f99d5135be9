package io.mcpserver.server.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Validates tool arguments against a tool's input schema (JSON Schema 2020-12 unless the schema's
 * {@code $schema} says otherwise), compiled once when the tool is registered.
 */
public final class SchemaValidator {

    private static final Map<SpecVersion.VersionFlag, JsonSchemaFactory> FACTORIES = new ConcurrentHashMap<>();

    /**
     * A factory that knows {@code x-mcp-header} (2026-07-28: a property mirrored into an {@code Mcp-Param-*} header)
     * as an annotation, so that it is kept and not reported as an unknown keyword.
     */
    private static JsonSchemaFactory factory(SpecVersion.VersionFlag version) {
        return FACTORIES.computeIfAbsent(version, v -> {
            JsonMetaSchema base = switch (v) {
                case V4 -> JsonMetaSchema.getV4();
                case V6 -> JsonMetaSchema.getV6();
                case V7 -> JsonMetaSchema.getV7();
                case V201909 -> JsonMetaSchema.getV201909();
                case V202012 -> JsonMetaSchema.getV202012();
            };
            JsonMetaSchema withHeader = JsonMetaSchema.builder(base).keyword(new AnnotationKeyword("x-mcp-header"))
                    .build();
            return JsonSchemaFactory.getInstance(v, b -> b.metaSchema(withHeader));
        });
    }

    private final JsonSchema schema;

    private SchemaValidator(JsonSchema schema) {
        this.schema = schema;
    }

    /** Compiles {@code schema}; throws IllegalArgumentException naming the problem when it is not a usable schema. */
    public static SchemaValidator compile(Map<String, Object> schema) {
        return compile(Json.toTree(schema));
    }

    /** Compiles a schema already turned into a tree (which the validator may keep: do not change it afterwards). */
    public static SchemaValidator compile(JsonNode node) {
        try {
            JsonSchemaFactory factory = factory(node.has("$schema") ? SpecVersionDetector.detect(node)
                    : SpecVersion.VersionFlag.V202012);
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
