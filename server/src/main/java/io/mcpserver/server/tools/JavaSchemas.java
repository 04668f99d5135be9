package io.mcpserver.server.tools;

import io.mcpserver.spi.tools.Param;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Derives JSON Schemas (as plain maps) from Java types, for arguments ({@link #input}) and for structured results
 * ({@link #output}). A type it cannot describe is refused with {@link UnsupportedTypeException}, so a tool never
 * loads with a parameter no client could fill.
 *
 * <p>Input and output differ in one way: a result is written by Jackson, which writes a null reference as JSON
 * {@code null}, so in an output schema every non-primitive value may be null; an argument may be null only when it
 * is optional. {@code Optional} values are the value or null (and may be absent) in both directions.
 */
final class JavaSchemas {

    /** What a parameter or record component may be; the message names the type and what is supported. */
    static final class UnsupportedTypeException extends IllegalArgumentException {
        UnsupportedTypeException(String message) {
            super(message);
        }
    }

    static final String SUPPORTED = "primitives and their boxes, String, BigDecimal, BigInteger, enums, records, "
            + "arrays, List, Set, Collection, Map with String or enum keys, Optional, UUID, URI, Instant, "
            + "LocalDate, LocalDateTime, LocalTime, OffsetDateTime, OffsetTime, ZonedDateTime, Duration, Period, "
            + "YearMonth, ZoneId, Object (any JSON)";

    private static final Map<Class<?>, Map<String, Object>> STRINGS = strings();

    private static Map<Class<?>, Map<String, Object>> strings() {
        Map<Class<?>, Map<String, Object>> m = new LinkedHashMap<>();
        m.put(String.class, Map.of("type", "string"));
        m.put(UUID.class, Map.of("type", "string", "format", "uuid"));
        m.put(URI.class, Map.of("type", "string", "format", "uri-reference"));
        m.put(Instant.class, Map.of("type", "string", "format", "date-time"));
        m.put(OffsetDateTime.class, Map.of("type", "string", "format", "date-time"));
        m.put(ZonedDateTime.class, Map.of("type", "string", "format", "date-time"));
        m.put(LocalDate.class, Map.of("type", "string", "format", "date"));
        // RFC 3339 "time" and "date-time" need an offset: local values get an example instead of a format
        m.put(LocalDateTime.class, Map.of("type", "string", "examples", List.of("2025-06-01T15:00:00")));
        m.put(LocalTime.class, Map.of("type", "string", "examples", List.of("15:00:00")));
        m.put(OffsetTime.class, Map.of("type", "string", "format", "time"));
        m.put(Duration.class, Map.of("type", "string", "format", "duration"));
        m.put(Period.class, Map.of("type", "string", "format", "duration"));
        m.put(YearMonth.class, Map.of("type", "string", "examples", List.of("2025-06")));
        m.put(ZoneId.class, Map.of("type", "string", "examples", List.of("Europe/Paris")));
        return m;
    }

    private JavaSchemas() {
    }

    /** The schema of an argument of type {@code type}. */
    static Map<String, Object> input(Type type) {
        return new Walk(false).schema(type, "");
    }

    /** The schema of a result value of type {@code type}. */
    static Map<String, Object> output(Type type) {
        return new Walk(true).schema(type, "");
    }

    /** Adds the constraints of {@code param} (description, default, min/max, pattern) to {@code schema}. */
    static void constrain(Map<String, Object> schema, Param param, Object defaultValue, String where) {
        if (param == null) {
            return;
        }
        if (!param.description().isEmpty()) {
            schema.put("description", param.description());
        }
        if (defaultValue != null) {
            schema.put("default", defaultValue);
        }
        boolean bounded = !Double.isNaN(param.min()) || !Double.isNaN(param.max());
        Object type = schema.get("type");
        List<?> types = type instanceof List<?> l ? l : type == null ? List.of() : List.of(type);
        if (bounded) {
            if (types.contains("integer") || types.contains("number")) {
                bound(schema, "minimum", param.min(), false, where);
                bound(schema, "maximum", param.max(), false, where);
            } else if (types.contains("string")) {
                bound(schema, "minLength", param.min(), true, where);
                bound(schema, "maxLength", param.max(), true, where);
            } else if (types.contains("array")) {
                bound(schema, "minItems", param.min(), true, where);
                bound(schema, "maxItems", param.max(), true, where);
            } else {
                throw new UnsupportedTypeException(where + ": min/max apply to numbers, strings and lists only");
            }
        }
        if (!param.pattern().isEmpty()) {
            if (!types.contains("string")) {
                throw new UnsupportedTypeException(where + ": pattern applies to strings only");
            }
            try {
                Pattern.compile(param.pattern());
            } catch (PatternSyntaxException e) {
                throw new UnsupportedTypeException(where + ": pattern is not a regular expression: "
                        + e.getDescription());
            }
            schema.put("pattern", param.pattern());
        }
    }

    private static void bound(Map<String, Object> schema, String key, double value, boolean count, String where) {
        if (Double.isNaN(value)) {
            return;
        }
        if (count && (value < 0 || value != Math.rint(value))) {
            throw new UnsupportedTypeException(where + ": " + key + " must be a whole number ≥ 0, was " + value);
        }
        schema.put(key, value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : value);
    }

    /** Whether a record component or parameter must be given. */
    static boolean isRequired(Class<?> type, Param param) {
        if (isOptional(type)) {
            return false;
        }
        return param == null || (param.required() && param.defaultValue().isEmpty());
    }

    static boolean isOptional(Class<?> raw) {
        return raw == Optional.class || raw == OptionalInt.class || raw == OptionalLong.class
                || raw == OptionalDouble.class;
    }

    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType g) {
            return java.lang.reflect.Array.newInstance(raw(g.getGenericComponentType()), 0).getClass();
        }
        if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?> v) {
            return raw(v.getBounds()[0]);
        }
        return Object.class;
    }

    static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            Type arg = p.getActualTypeArguments()[index];
            return arg instanceof WildcardType w ? w.getUpperBounds()[0] : arg;
        }
        return Object.class;
    }

    /** Marks a schema as also accepting JSON null. */
    static Map<String, Object> nullable(Map<String, Object> schema) {
        Object type = schema.get("type");
        if (type == null) {
            return schema; // already accepts anything
        }
        Map<String, Object> s = new LinkedHashMap<>(schema);
        List<Object> types = new ArrayList<>(type instanceof List<?> l ? l : List.of(type));
        if (!types.contains("null")) {
            types.add("null");
        }
        s.put("type", types);
        if (s.get("enum") instanceof List<?> values && !values.contains(null)) {
            List<Object> withNull = new ArrayList<>(values);
            withNull.add(null);
            s.put("enum", withNull);
        }
        return s;
    }

    private static final class Walk {
        private final boolean output;
        private final List<Class<?>> visiting = new ArrayList<>();

        Walk(boolean output) {
            this.output = output;
        }

        /** {@code path} names where the type sits, for messages: "" at the top, else e.g. "Address.city". */
        Map<String, Object> schema(Type type, String path) {
            Class<?> raw = raw(type);
            Map<String, Object> schema = new LinkedHashMap<>();
            if (raw == Optional.class) {
                return nullable(schema(typeArgument(type, 0), path));
            }
            if (raw == OptionalInt.class || raw == OptionalLong.class) {
                return nullable(Map.of("type", "integer"));
            }
            if (raw == OptionalDouble.class) {
                return nullable(Map.of("type", "number"));
            }
            Map<String, Object> string = STRINGS.get(raw);
            if (string != null) {
                return new LinkedHashMap<>(string);
            }
            if (raw == char.class || raw == Character.class) {
                schema.put("type", "string");
                schema.put("minLength", 1);
                schema.put("maxLength", 1);
            } else if (raw == boolean.class || raw == Boolean.class) {
                schema.put("type", "boolean");
            } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                    || raw == short.class || raw == Short.class || raw == byte.class || raw == Byte.class
                    || raw == BigInteger.class) {
                schema.put("type", "integer");
            } else if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class
                    || raw == BigDecimal.class) {
                schema.put("type", "number");
            } else if (raw.isEnum()) {
                schema.put("type", "string");
                schema.put("enum", Arrays.stream(raw.getEnumConstants()).map(e -> ((Enum<?>) e).name()).toList());
            } else if (raw.isArray()) {
                if (raw == byte[].class) {
                    throw unsupported(type, path, "byte[] (send base64 text as a String)");
                }
                schema.put("type", "array");
                Type component = type instanceof GenericArrayType g ? g.getGenericComponentType()
                        : raw.getComponentType();
                schema.put("items", element(component, path));
            } else if (raw == List.class || raw == Collection.class || raw == Set.class || raw == Iterable.class) {
                schema.put("type", "array");
                schema.put("items", element(typeArgument(type, 0), path));
                if (raw == Set.class) {
                    schema.put("uniqueItems", true);
                }
            } else if (raw == Map.class) {
                Class<?> key = raw(typeArgument(type, 0));
                if (key != String.class && key != Object.class && !key.isEnum()) {
                    throw unsupported(type, path, "a Map whose keys are " + key.getName()
                            + " (JSON object keys are strings: use String or an enum)");
                }
                schema.put("type", "object");
                Type valueType = typeArgument(type, 1);
                if (raw(valueType) != Object.class) {
                    schema.put("additionalProperties", element(valueType, path));
                }
            } else if (raw.isRecord()) {
                return record(raw, path);
            } else if (raw == Object.class) {
                return schema; // any JSON value
            } else {
                throw unsupported(type, path, null);
            }
            return schema;
        }

        /** A list, array or map element: in results it may be null. */
        private Map<String, Object> element(Type type, String path) {
            Map<String, Object> s = schema(type, path);
            return output && !raw(type).isPrimitive() ? nullable(s) : s;
        }

        private Map<String, Object> record(Class<?> raw, String path) {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "object");
            if (visiting.contains(raw)) {
                return schema; // a record that contains itself: described once, then as any object
            }
            visiting.add(raw);
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                Param p = c.getAnnotation(Param.class);
                String where = (path.isEmpty() ? raw.getSimpleName() : path) + "." + c.getName();
                if (p != null && !p.defaultValue().isEmpty()) {
                    throw new UnsupportedTypeException(where + ": defaultValue applies to tool method parameters "
                            + "only; make the component Optional or give the record a default in code");
                }
                Map<String, Object> property = schema(c.getGenericType(), where);
                boolean mayBeNull = !c.getType().isPrimitive()
                        && (output || (p != null && !p.required() && p.defaultValue().isEmpty()));
                if (mayBeNull) {
                    property = nullable(property);
                }
                property = new LinkedHashMap<>(property);
                if (!output) {
                    constrain(property, p, null, where);
                } else if (p != null && !p.description().isEmpty()) {
                    property.put("description", p.description());
                }
                properties.put(c.getName(), property);
                if (output ? !isOptional(c.getType()) : isRequired(c.getType(), p)) {
                    required.add(c.getName());
                }
            }
            schema.put("properties", properties);
            if (!required.isEmpty()) {
                schema.put("required", required);
            }
            visiting.remove(raw);
            return schema;
        }

        private static UnsupportedTypeException unsupported(Type type, String path, String what) {
            return new UnsupportedTypeException("unsupported type " + (what != null ? what : type.getTypeName())
                    + (path.isEmpty() ? "" : " at " + path) + "; supported: " + SUPPORTED);
        }
    }
}
