package io.mcpserver.server.tools;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.tools.ToolResult;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Turns the {@link McpTool} methods of a plugin object into tools: the input schema comes from the parameters,
 * arguments are bound to them with Jackson, and the return value becomes the result (with an output schema derived
 * from its type). Everything that would fail at call time — a class or method the server cannot call, a type no
 * schema describes, a default that does not fit its parameter — is refused here, when the plugin loads.
 */
public final class AnnotatedTools {

    private AnnotatedTools() {
    }

    /** The tools declared by {@code target}'s public {@link McpTool} methods, in name order. */
    public static List<Tool> from(Object target) {
        Class<?> type = target.getClass();
        List<Tool> tools = new ArrayList<>();
        for (Method method : annotated(type)) {
            tools.add(new MethodTool(target, method, method.getAnnotation(McpTool.class)));
        }
        if (tools.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no public @McpTool methods");
        }
        return tools;
    }

    /** The class's {@link McpTool} methods, each checked to be callable by the server. */
    static List<Method> annotated(Class<?> type) {
        List<Method> found = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(McpTool.class) && !Modifier.isPublic(m.getModifiers())) {
                    throw new IllegalArgumentException("@McpTool method " + describe(m) + " is not public");
                }
            }
        }
        Method[] methods = type.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            if (!m.isAnnotationPresent(McpTool.class)) {
                continue;
            }
            if (Modifier.isStatic(m.getModifiers())) {
                throw new IllegalArgumentException("@McpTool method " + describe(m) + " must not be static");
            }
            try {
                MethodHandles.publicLookup().unreflect(m); // what the call will need: a public class, a public method
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("@McpTool method " + describe(m) + " cannot be called: its class "
                        + m.getDeclaringClass().getName() + " is not public (make it a public top-level or public "
                        + "static nested class)");
            }
            found.add(m);
        }
        return found;
    }

    static String describe(Method m) {
        return m.getDeclaringClass().getName() + "." + m.getName() + Arrays.stream(m.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }

    private record Argument(String name, Type type, boolean isContext, JsonNode defaultValue) {
    }

    private static final class MethodTool implements Tool {
        private final Object target;
        private final Method method;
        private final List<Argument> arguments = new ArrayList<>();
        private final ToolDescriptor descriptor;
        private final boolean wrapsResult;

        MethodTool(Object target, Method method, McpTool annotation) {
            this.target = target;
            this.method = method;
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            for (Parameter p : method.getParameters()) {
                if (ToolContext.class.isAssignableFrom(p.getType())) {
                    arguments.add(new Argument(null, p.getType(), true, null));
                    continue;
                }
                Param param = p.getAnnotation(Param.class);
                if (!p.isNamePresent() && (param == null || param.name().isEmpty())) {
                    throw new IllegalArgumentException("@McpTool method " + describe(method) + ": parameter "
                            + p.getName() + " has no name: annotate it with @Param(name = ...) or compile with "
                            + "-parameters");
                }
                String name = param != null && !param.name().isEmpty() ? param.name() : p.getName();
                String where = "@McpTool method " + describe(method) + ", parameter '" + name + "'";
                Map<String, Object> schema;
                JsonNode defaultValue;
                try {
                    schema = new LinkedHashMap<>(JavaSchemas.input(p.getParameterizedType()));
                    defaultValue = defaultValue(p, param, schema);
                    boolean isRequired = JavaSchemas.isRequired(p.getType(), param);
                    if (!isRequired && defaultValue == null && !p.getType().isPrimitive()) {
                        schema = JavaSchemas.nullable(schema); // absent and null mean the same: no value
                    }
                    JavaSchemas.constrain(schema, param, defaultValue == null ? null : Json.toPlain(defaultValue),
                            where);
                    if (isRequired) {
                        required.add(name);
                    }
                } catch (JavaSchemas.UnsupportedTypeException e) {
                    throw new IllegalArgumentException(e.getMessage().startsWith("@McpTool") ? e.getMessage()
                            : where + ": " + e.getMessage(), e);
                }
                properties.put(name, schema);
                arguments.add(new Argument(name, p.getParameterizedType(), false, defaultValue));
            }
            Map<String, Object> inputSchema = new LinkedHashMap<>();
            inputSchema.put("type", "object");
            inputSchema.put("properties", properties);
            if (!required.isEmpty()) {
                inputSchema.put("required", required);
            }
            Map<String, Object> outputSchema;
            try {
                outputSchema = outputSchema(method.getGenericReturnType());
            } catch (JavaSchemas.UnsupportedTypeException e) {
                throw new IllegalArgumentException("@McpTool method " + describe(method) + " returns "
                        + e.getMessage(), e);
            }
            this.wrapsResult = outputSchema != null && !isObject(method.getReturnType());
            String name = annotation.name().isEmpty() ? method.getName() : annotation.name();
            this.descriptor = ToolDescriptor.builder(name)
                    .title(blankToNull(annotation.title()))
                    .description(blankToNull(annotation.description()))
                    .inputSchema(inputSchema)
                    .outputSchema(outputSchema)
                    .annotations(hints(annotation))
                    .build();
        }

        /**
         * Hints the author changed from the protocol's defaults, or null when none: an annotation's defaults are the
         * protocol's, so what is left out means to clients exactly what the author left alone.
         */
        private static ToolAnnotations hints(McpTool a) {
            String title = blankToNull(a.title());
            Boolean readOnly = a.readOnly() ? Boolean.TRUE : null;
            Boolean destructive = !a.readOnly() && !a.destructive() ? Boolean.FALSE : null;
            Boolean idempotent = a.idempotent() ? Boolean.TRUE : null;
            Boolean openWorld = a.openWorld() ? null : Boolean.FALSE;
            if (title == null && readOnly == null && destructive == null && idempotent == null && openWorld == null) {
                return null;
            }
            return ToolAnnotations.builder().title(title).readOnlyHint(readOnly).destructiveHint(destructive)
                    .idempotentHint(idempotent).openWorldHint(openWorld).build();
        }

        /** The parameter's {@code defaultValue} as JSON, checked to fit the parameter's type; null when none. */
        private JsonNode defaultValue(Parameter p, Param param, Map<String, Object> schema) {
            if (param == null || param.defaultValue().isEmpty()) {
                return null;
            }
            String text = param.defaultValue();
            JsonNode node;
            if ("string".equals(schema.get("type"))) {
                node = TextNode.valueOf(text);
            } else {
                try {
                    node = Json.parse(text);
                } catch (Exception e) {
                    node = TextNode.valueOf(text);
                }
            }
            try {
                convert(node, p.getParameterizedType());
            } catch (Exception e) {
                throw new JavaSchemas.UnsupportedTypeException("defaultValue \"" + text + "\" is not a valid "
                        + JavaSchemas.raw(p.getParameterizedType()).getSimpleName());
            }
            return node;
        }

        /** Records and maps are structured content as they are; other values are wrapped as {"result": value}. */
        private static Map<String, Object> outputSchema(Type returns) {
            Class<?> raw = JavaSchemas.raw(returns);
            if (raw == void.class || raw == Void.class || raw == ToolResult.class || raw == String.class
                    || raw == Object.class || JavaSchemas.isOptional(raw)) {
                return null; // text, a full result, or a value that may be missing: no fixed structure
            }
            Map<String, Object> schema = JavaSchemas.output(returns);
            if (isObject(raw)) {
                return schema;
            }
            Map<String, Object> wrapper = new LinkedHashMap<>();
            wrapper.put("type", "object");
            wrapper.put("properties", Map.of("result", raw.isPrimitive() ? schema : JavaSchemas.nullable(schema)));
            wrapper.put("required", List.of("result"));
            return wrapper;
        }

        private static boolean isObject(Class<?> raw) {
            return raw.isRecord() || raw == Map.class;
        }

        @Override
        public ToolDescriptor descriptor() {
            return descriptor;
        }

        @Override
        public ToolResult call(Map<String, Object> args, ToolContext context) throws Exception {
            Object[] values = new Object[arguments.size()];
            for (int i = 0; i < values.length; i++) {
                Argument a = arguments.get(i);
                values[i] = a.isContext() ? context : bind(a, args.get(a.name()));
            }
            Object result;
            try {
                result = method.invoke(target, values);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
            return toResult(result);
        }

        private static Object bind(Argument a, Object value) {
            JsonNode node = value == null ? a.defaultValue() : Json.toTree(value);
            Class<?> raw = JavaSchemas.raw(a.type());
            if (node == null || node.isNull()) {
                if (raw.isPrimitive()) {
                    return Json.MAPPER.convertValue(raw == boolean.class ? false : raw == char.class ? "\0" : 0, raw);
                }
                if (raw == Optional.class) {
                    return Optional.empty();
                }
                if (raw == OptionalInt.class) {
                    return OptionalInt.empty();
                }
                if (raw == OptionalLong.class) {
                    return OptionalLong.empty();
                }
                return raw == OptionalDouble.class ? OptionalDouble.empty() : null;
            }
            try {
                return convert(node, a.type());
            } catch (Exception e) {
                // Jackson's message names its own classes and offsets; the client needs the argument and the type
                throw new ToolException("argument '" + a.name() + "' is not a valid "
                        + JavaSchemas.raw(a.type()).getSimpleName() + ": " + abbreviate(node));
            }
        }

        private static Object convert(JsonNode node, Type type) throws Exception {
            JavaType javaType = Json.MAPPER.getTypeFactory().constructType(type);
            return Json.MAPPER.treeToValue(node, javaType);
        }

        private static String abbreviate(JsonNode node) {
            String s = Json.write(node);
            return s.length() > 80 ? s.substring(0, 77) + "..." : s;
        }

        @SuppressWarnings("unchecked")
        private ToolResult toResult(Object value) {
            if (value instanceof Optional<?> o) {
                value = o.orElse(null);
            }
            if (value == null) {
                return ToolResult.empty();
            }
            if (value instanceof ToolResult r) {
                return r;
            }
            if (value instanceof String s) {
                return ToolResult.text(s);
            }
            JsonNode tree;
            try {
                tree = Json.toTree(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("@McpTool method " + describe(method) + " returned a "
                        + value.getClass().getName() + " that cannot be written as JSON", e);
            }
            Map<String, Object> structured = tree.isObject() && !wrapsResult
                    ? Json.MAPPER.convertValue(tree, Map.class)
                    : wrap(Json.toPlain(tree));
            return ToolResult.structured(structured, Json.write(tree));
        }

        private static Map<String, Object> wrap(Object value) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", value);
            return m;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }
}
