package io.mcpserver.spi.tools;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code tools/list} shows of a tool.
 *
 * @param name         unique name, 1–128 characters of {@code [A-Za-z0-9_.-]}
 * @param title        human-readable name, may be null
 * @param description  what the tool does, for the model
 * @param inputSchema  JSON Schema (an object schema) of the arguments, as plain maps and lists
 * @param outputSchema JSON Schema of {@code structuredContent}, or null
 * @param annotations  behaviour hints, or null
 * @param taskSupport  whether the tool may run as a task; null means {@link TaskSupport#FORBIDDEN}
 * @param deferTaskStart true when the tool starts its task itself ({@link ToolContext#startTask()}), after
 *                     asking for input within the request
 */
public record ToolDescriptor(String name, String title, String description, Map<String, Object> inputSchema,
                             Map<String, Object> outputSchema, ToolAnnotations annotations, TaskSupport taskSupport,
                             boolean deferTaskStart) {

    public ToolDescriptor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tool name must not be blank");
        }
        inputSchema = inputSchema == null ? Map.of("type", "object") : inputSchema;
        taskSupport = taskSupport == null ? TaskSupport.FORBIDDEN : taskSupport;
    }

    public ToolDescriptor(String name, String title, String description, Map<String, Object> inputSchema,
                          Map<String, Object> outputSchema, ToolAnnotations annotations) {
        this(name, title, description, inputSchema, outputSchema, annotations, TaskSupport.FORBIDDEN, false);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a descriptor; {@link #param} adds simple properties to an object input schema. */
    public static final class Builder {
        private final String name;
        private String title;
        private String description;
        private Map<String, Object> inputSchema;
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final List<String> required = new java.util.ArrayList<>();
        private Map<String, Object> outputSchema;
        private ToolAnnotations annotations;
        private TaskSupport taskSupport = TaskSupport.FORBIDDEN;
        private boolean deferTaskStart;

        private Builder(String name) {
            this.name = name;
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** Sets the whole input schema; overrides {@link #param}. */
        public Builder inputSchema(Map<String, Object> schema) {
            this.inputSchema = schema;
            return this;
        }

        /**
         * Adds a property to the input schema.
         *
         * @param type a JSON Schema type: string, integer, number, boolean, array, object
         */
        public Builder param(String name, String type, String description, boolean required) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("type", type);
            if (description != null) {
                p.put("description", description);
            }
            return param(name, p, required);
        }

        /** Adds a property with a full JSON Schema of its own. */
        public Builder param(String name, Map<String, Object> schema, boolean required) {
            properties.put(name, schema);
            if (required) {
                this.required.add(name);
            }
            return this;
        }

        public Builder outputSchema(Map<String, Object> schema) {
            this.outputSchema = schema;
            return this;
        }

        public Builder annotations(ToolAnnotations annotations) {
            this.annotations = annotations;
            return this;
        }

        /** Whether the tool may run as a task (default {@link TaskSupport#FORBIDDEN}). */
        public Builder taskSupport(TaskSupport support) {
            this.taskSupport = support;
            return this;
        }

        /**
         * The tool starts its task itself with {@link ToolContext#startTask()}: what it asks before that is
         * answered within the request (multi-round), what it asks after waits in the task.
         */
        public Builder deferTaskStart(boolean defer) {
            this.deferTaskStart = defer;
            return this;
        }

        public ToolDescriptor build() {
            Map<String, Object> schema = inputSchema;
            if (schema == null) {
                schema = new LinkedHashMap<>();
                schema.put("type", "object");
                schema.put("properties", new LinkedHashMap<>(properties));
                if (!required.isEmpty()) {
                    schema.put("required", List.copyOf(required));
                }
            }
            return new ToolDescriptor(name, title, description, schema, outputSchema, annotations, taskSupport,
                    deferTaskStart);
        }
    }
}
