package io.mcpserver.server.tools;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolAnnotations;
import io.mcpserver.spi.tools.ToolContext;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

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

/**
 * Turns the {@link McpTool} methods of a plugin object into tools: the input schema comes from the
 * parameters, arguments are bound to them with Jackson, and the return value becomes the result.
 */
public final class AnnotatedTools {

    private AnnotatedTools() {
    }

    /** The tools declared by {@code target}'s public {@link McpTool} methods, in name order. */
    public static List<Tool> from(Object target) {
        List<Tool> tools = new ArrayList<>();
        Method[] methods = target.getClass().getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method method : methods) {
            McpTool annotation = method.getAnnotation(McpTool.class);
            if (annotation != null) {
                if (Modifier.isStatic(method.getModifiers())) {
                    throw new IllegalArgumentException("@McpTool method " + method + " must not be static");
                }
                tools.add(new MethodTool(target, method, annotation));
            }
        }
        if (tools.isEmpty()) {
            throw new IllegalArgumentException(target.getClass().getName() + " has no public @McpTool methods");
        }
        return tools;
    }

    private record Argument(String name, Type type, boolean required, boolean isContext) {
    }

    private static final class MethodTool implements Tool {
        private final Object target;
        private final Method method;
        private final List<Argument> arguments = new ArrayList<>();
        private final ToolDescriptor descriptor;

        MethodTool(Object target, Method method, McpTool annotation) {
            this.target = target;
            this.method = method;
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            for (Parameter p : method.getParameters()) {
                if (ToolContext.class.isAssignableFrom(p.getType())) {
                    arguments.add(new Argument(null, p.getType(), false, true));
                    continue;
                }
                Param param = p.getAnnotation(Param.class);
                String name = param != null && !param.name().isEmpty() ? param.name() : p.getName();
                if (!p.isNamePresent() && (param == null || param.name().isEmpty())) {
                    throw new IllegalArgumentException("parameter " + p.getName() + " of " + method
                            + " has no name: annotate it with @Param(name = ...) or compile with -parameters");
                }
                Map<String, Object> schema = new LinkedHashMap<>(JavaSchemas.of(p.getParameterizedType()));
                if (param != null && !param.description().isEmpty()) {
                    schema.put("description", param.description());
                }
                properties.put(name, schema);
                boolean isRequired = JavaSchemas.isRequired(p.getType(), param) && !isNullableBox(p, param);
                if (isRequired) {
                    required.add(name);
                }
                arguments.add(new Argument(name, p.getParameterizedType(), isRequired, false));
            }
            Map<String, Object> inputSchema = new LinkedHashMap<>();
            inputSchema.put("type", "object");
            inputSchema.put("properties", properties);
            if (!required.isEmpty()) {
                inputSchema.put("required", required);
            }
            Class<?> returns = method.getReturnType();
            // A record result is structured content; ToolResult is a record too, but it is the result itself.
            Map<String, Object> outputSchema = returns.isRecord() && returns != ToolResult.class
                    ? JavaSchemas.of(method.getGenericReturnType()) : null;
            String name = annotation.name().isEmpty() ? method.getName() : annotation.name();
            this.descriptor = ToolDescriptor.builder(name)
                    .title(blankToNull(annotation.title()))
                    .description(blankToNull(annotation.description()))
                    .inputSchema(inputSchema)
                    .outputSchema(outputSchema)
                    .annotations(ToolAnnotations.builder()
                            .title(blankToNull(annotation.title()))
                            .readOnlyHint(annotation.readOnly())
                            .destructiveHint(annotation.readOnly() ? null : annotation.destructive())
                            .idempotentHint(annotation.idempotent() ? Boolean.TRUE : null)
                            .openWorldHint(annotation.openWorld())
                            .build())
                    .build();
        }

        /** A boxed parameter explicitly marked {@code required = false} may be null. */
        private static boolean isNullableBox(Parameter p, Param param) {
            return param != null && !param.required() && !p.getType().isPrimitive();
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
            Class<?> raw = JavaSchemas.raw(a.type());
            if (raw == Optional.class) {
                Type inner = JavaSchemas.typeArgument(a.type(), 0);
                return value == null ? Optional.empty() : Optional.of(convert(a.name(), value, inner));
            }
            if (value == null) {
                if (raw.isPrimitive()) {
                    return primitiveDefault(raw);
                }
                return null;
            }
            return convert(a.name(), value, a.type());
        }

        private static Object convert(String name, Object value, Type type) {
            try {
                JavaType javaType = Json.MAPPER.getTypeFactory().constructType(type);
                JsonNode node = Json.toTree(value);
                return Json.MAPPER.treeToValue(node, javaType);
            } catch (Exception e) {
                throw new IllegalArgumentException("argument '" + name + "' cannot be read as "
                        + JavaSchemas.raw(type).getSimpleName() + ": " + e.getMessage(), e);
            }
        }

        private static Object primitiveDefault(Class<?> type) {
            if (type == boolean.class) {
                return false;
            }
            if (type == char.class) {
                return '\0';
            }
            return Json.MAPPER.convertValue(0, type);
        }

        @SuppressWarnings("unchecked")
        private static ToolResult toResult(Object value) {
            if (value == null) {
                return ToolResult.empty();
            }
            if (value instanceof ToolResult r) {
                return r;
            }
            if (value instanceof String s) {
                return ToolResult.text(s);
            }
            JsonNode tree = Json.toTree(value);
            Map<String, Object> structured = tree.isObject()
                    ? Json.MAPPER.convertValue(tree, Map.class)
                    : Map.of("result", Json.toPlain(tree));
            return ToolResult.structured(structured, Json.write(tree));
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }
}
