package io.mcpserver.spi.tools;

import io.mcpserver.spi.content.Icon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@code tools/list} shows of a tool. Build with {@link #builder}. */
public final class ToolDescriptor {

    private final String name;
    private final String title;
    private final String description;
    private final Map<String, Object> inputSchema;
    private final Map<String, Object> outputSchema;
    private final ToolAnnotations annotations;
    private final List<Icon> icons;
    private final Map<String, Object> meta;
    private final TaskSupport taskSupport;
    private final boolean deferTaskStart;

    /**
     * @param name         unique name, 1–128 characters of {@code [A-Za-z0-9_.-]}
     * @param title        human-readable name, may be null
     * @param description  what the tool does, for the model
     * @param inputSchema  JSON Schema (an object schema) of the arguments, as plain maps and lists
     * @param outputSchema JSON Schema of {@code structuredContent}, or null
     * @param annotations  behaviour hints, or null
     * @deprecated use {@link #builder}; kept so plugins built against 0.1 still link
     */
    @Deprecated
    public ToolDescriptor(String name, String title, String description, Map<String, Object> inputSchema,
                          Map<String, Object> outputSchema, ToolAnnotations annotations) {
        this(builder(name).title(title).description(description).inputSchema(inputSchema == null
                ? Map.of("type", "object") : inputSchema).outputSchema(outputSchema).annotations(annotations));
    }

    private ToolDescriptor(Builder b) {
        this.name = Values.required(b.name, "tool name");
        this.title = b.title;
        this.description = b.description;
        this.inputSchema = Values.object(b.schema());
        this.outputSchema = Values.object(b.outputSchema);
        this.annotations = b.annotations;
        this.icons = Values.list(b.icons);
        this.meta = Values.meta(b.meta);
        this.taskSupport = b.taskSupport == null ? TaskSupport.FORBIDDEN : b.taskSupport;
        this.deferTaskStart = b.deferTaskStart;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder holding this descriptor's values, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder(name).title(title).description(description).inputSchema(inputSchema)
                .outputSchema(outputSchema).annotations(annotations).icons(icons).meta(meta).taskSupport(taskSupport)
                .deferTaskStart(deferTaskStart);
    }

    /** Unique name, 1–128 characters of {@code [A-Za-z0-9_.-]}. */
    public String name() {
        return name;
    }

    /** Human-readable name, or null. */
    public String title() {
        return title;
    }

    /** What the tool does, for the model; or null. */
    public String description() {
        return description;
    }

    /** JSON Schema (an object schema) of the arguments, as plain maps and lists. */
    public Map<String, Object> inputSchema() {
        return inputSchema;
    }

    /** JSON Schema of {@code structuredContent}, or null when the tool declares none. */
    public Map<String, Object> outputSchema() {
        return outputSchema;
    }

    /** Behaviour hints, or null. */
    public ToolAnnotations annotations() {
        return annotations;
    }

    /** Icons; empty when none. */
    public List<Icon> icons() {
        return icons;
    }

    /** {@code _meta} of the tool; empty when none. */
    public Map<String, Object> meta() {
        return meta;
    }

    /** Whether the tool may run as a task; {@link TaskSupport#FORBIDDEN} unless set. */
    public TaskSupport taskSupport() {
        return taskSupport;
    }

    /**
     * True when the tool starts its task itself ({@link ToolContext#startTask()}), after asking for input within the
     * request.
     */
    public boolean deferTaskStart() {
        return deferTaskStart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolDescriptor d && name.equals(d.name) && Objects.equals(title, d.title)
                && Objects.equals(description, d.description) && inputSchema.equals(d.inputSchema)
                && Objects.equals(outputSchema, d.outputSchema) && Objects.equals(annotations, d.annotations)
                && icons.equals(d.icons) && meta.equals(d.meta) && taskSupport == d.taskSupport
                && deferTaskStart == d.deferTaskStart;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, title, description, inputSchema, outputSchema, annotations, icons, meta,
                taskSupport, deferTaskStart);
    }

    @Override
    public String toString() {
        return "ToolDescriptor[name=" + name + ", title=" + title + ", description=" + description + ", inputSchema="
                + inputSchema + ", outputSchema=" + outputSchema + ", annotations=" + annotations + ", icons="
                + icons + ", meta=" + meta + ", taskSupport=" + taskSupport + ", deferTaskStart=" + deferTaskStart + "]";
    }

    /** Builds a descriptor; {@link #param} adds properties to an object input schema. */
    public static final class Builder {
        private final String name;
        private String title;
        private String description;
        private Map<String, Object> inputSchema;
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final List<String> required = new ArrayList<>();
        private Map<String, Object> outputSchema;
        private ToolAnnotations annotations;
        private List<Icon> icons;
        private Map<String, ?> meta;
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

        /** JSON Schema of {@code structuredContent}; the server checks every result against it. */
        public Builder outputSchema(Map<String, Object> schema) {
            this.outputSchema = schema;
            return this;
        }

        public Builder annotations(ToolAnnotations annotations) {
            this.annotations = annotations;
            return this;
        }

        public Builder icons(List<Icon> icons) {
            this.icons = icons;
            return this;
        }

        /** {@code _meta}: extra fields for clients that understand them. */
        public Builder meta(Map<String, ?> meta) {
            this.meta = meta;
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

        private Map<String, Object> schema() {
            if (inputSchema != null) {
                return inputSchema;
            }
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "object");
            schema.put("properties", new LinkedHashMap<>(properties));
            if (!required.isEmpty()) {
                schema.put("required", List.copyOf(required));
            }
            return schema;
        }

        public ToolDescriptor build() {
            return new ToolDescriptor(this);
        }
    }
}
