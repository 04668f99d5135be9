package io.mcpserver.spi.tools;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A typed view of a hand-written tool's arguments, instead of casting {@code Map} values:
 * {@code Arguments a = Arguments.of(args); String q = a.string("query"); long limit = a.integer("limit", 10);}.
 * The server has already checked the arguments against the input schema, so these accessors mostly meet what the
 * schema promised; when they do not (an argument the schema leaves open), they throw a {@link ToolException} naming
 * the argument, which the model reads. An argument sent as JSON {@code null} counts as absent.
 */
public final class Arguments {

    private final Map<String, Object> values;

    private Arguments(Map<String, ?> values) {
        this.values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Arguments of(Map<String, ?> arguments) {
        return new Arguments(arguments);
    }

    /** Whether the argument was given, and not as null. */
    public boolean has(String name) {
        return values.get(name) != null;
    }

    /** The raw value (String, Number, Boolean, List, Map), or null. */
    public Object get(String name) {
        return values.get(name);
    }

    /** The arguments as they arrived. */
    public Map<String, Object> asMap() {
        return values;
    }

    public String string(String name) {
        return text(name, required(name));
    }

    public String string(String name, String defaultValue) {
        return has(name) ? text(name, values.get(name)) : defaultValue;
    }

    public Optional<String> optionalString(String name) {
        return Optional.ofNullable(string(name, null));
    }

    /** A whole number (a JSON number without a fraction). */
    public long integer(String name) {
        return whole(name, required(name));
    }

    public long integer(String name, long defaultValue) {
        return has(name) ? whole(name, values.get(name)) : defaultValue;
    }

    public double number(String name) {
        return number(name, required(name));
    }

    public double number(String name, double defaultValue) {
        return has(name) ? number(name, values.get(name)) : defaultValue;
    }

    public boolean bool(String name) {
        return bool(name, required(name));
    }

    public boolean bool(String name, boolean defaultValue) {
        return has(name) ? bool(name, values.get(name)) : defaultValue;
    }

    /** The enum constant named by a text argument, ignoring case. */
    public <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        String text = string(name);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text)) {
                return constant;
            }
        }
        throw new ToolException("argument '" + name + "' must be one of " + List.of(type.getEnumConstants())
                .toString().toLowerCase(Locale.ROOT) + ", was '" + text + "'");
    }

    /** A list argument; empty when absent. */
    public List<Object> list(String name) {
        Object v = values.get(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return Collections.unmodifiableList(l);
        }
        throw wrongType(name, "a list", v);
    }

    /** A list of text; empty when absent. */
    public List<String> strings(String name) {
        List<Object> list = list(name);
        for (Object item : list) {
            if (!(item instanceof String)) {
                throw wrongType(name, "a list of text", item);
            }
        }
        return list.stream().map(String.class::cast).toList();
    }

    /** An object argument as its own {@code Arguments}; empty when absent. */
    @SuppressWarnings("unchecked")
    public Arguments object(String name) {
        Object v = values.get(name);
        if (v == null) {
            return of(Map.of());
        }
        if (v instanceof Map<?, ?> m) {
            return of((Map<String, ?>) m);
        }
        throw wrongType(name, "an object", v);
    }

    private Object required(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new ToolException("argument '" + name + "' is required");
        }
        return v;
    }

    private static String text(String name, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(name, "text", v);
    }

    private static long whole(String name, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                return n.longValue();
            }
        }
        throw wrongType(name, "a whole number", v);
    }

    private static double number(String name, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(name, "a number", v);
    }

    private static boolean bool(String name, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(name, "true or false", v);
    }

    private static ToolException wrongType(String name, String expected, Object v) {
        return new ToolException("argument '" + name + "' must be " + expected + ", was " + v);
    }

    @Override
    public String toString() {
        return "Arguments" + values;
    }
}
