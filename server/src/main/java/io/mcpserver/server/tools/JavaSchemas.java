package io.mcpserver.server.tools;

import io.mcpserver.spi.tools.Param;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Derives JSON Schemas (as plain maps) from Java types: primitives, String, enums, records, lists, maps. */
final class JavaSchemas {

    private JavaSchemas() {
    }

    static Map<String, Object> of(Type type) {
        return of(type, new ArrayList<>());
    }

    private static Map<String, Object> of(Type type, List<Class<?>> visiting) {
        Map<String, Object> schema = new LinkedHashMap<>();
        Class<?> raw = raw(type);
        if (raw == Optional.class) {
            return of(typeArgument(type, 0), visiting);
        }
        if (raw == String.class || raw == char.class || raw == Character.class) {
            schema.put("type", "string");
        } else if (raw == boolean.class || raw == Boolean.class) {
            schema.put("type", "boolean");
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                || raw == short.class || raw == Short.class || raw == byte.class || raw == Byte.class
                || raw == BigInteger.class) {
            schema.put("type", "integer");
        } else if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class
                || raw == BigDecimal.class || raw == Number.class) {
            schema.put("type", "number");
        } else if (raw.isEnum()) {
            schema.put("type", "string");
            schema.put("enum", Arrays.stream(raw.getEnumConstants()).map(e -> ((Enum<?>) e).name()).toList());
        } else if (raw.isArray()) {
            schema.put("type", "array");
            Type component = type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
            schema.put("items", of(component, visiting));
        } else if (Collection.class.isAssignableFrom(raw)) {
            schema.put("type", "array");
            schema.put("items", of(typeArgument(type, 0), visiting));
        } else if (Map.class.isAssignableFrom(raw)) {
            schema.put("type", "object");
            Type valueType = typeArgument(type, 1);
            if (valueType != Object.class) {
                schema.put("additionalProperties", of(valueType, visiting));
            }
        } else if (raw.isRecord()) {
            if (visiting.contains(raw)) {
                schema.put("type", "object"); // recursive record: stop here
                return schema;
            }
            visiting.add(raw);
            schema.put("type", "object");
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                Param p = c.getAnnotation(Param.class);
                Map<String, Object> property = new LinkedHashMap<>(of(c.getGenericType(), visiting));
                if (p != null && !p.description().isEmpty()) {
                    property.put("description", p.description());
                }
                properties.put(c.getName(), property);
                if (isRequired(c.getType(), p)) {
                    required.add(c.getName());
                }
            }
            schema.put("properties", properties);
            if (!required.isEmpty()) {
                schema.put("required", required);
            }
            visiting.remove(raw);
        } else {
            schema.put("type", "object"); // any other class: accepted as an object, bound by Jackson
        }
        return schema;
    }

    static boolean isRequired(Class<?> type, Param param) {
        if (type == Optional.class) {
            return false;
        }
        return param == null || param.required();
    }

    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType g) {
            return Array.newInstance(raw(g.getGenericComponentType()), 0).getClass();
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
}
