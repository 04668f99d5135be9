package io.mcpserver.spi.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method of a public class, on an object returned by {@code McpPlugin.annotatedTools()}, as a tool.
 *
 * <p>Parameters become the properties of the input schema. Supported types: primitives and their boxes,
 * {@code String}, {@code BigDecimal}, {@code BigInteger}, enums, records (nested), arrays, {@code List},
 * {@code Set}, {@code Collection}, {@code Map} with {@code String} or enum keys, {@code Optional} (and
 * {@code OptionalInt}…), {@code UUID}, {@code URI}, the {@code java.time} values ({@code Instant},
 * {@code LocalDate}, {@code LocalDateTime}, {@code LocalTime}, {@code OffsetDateTime}, {@code OffsetTime},
 * {@code ZonedDateTime}, {@code Duration}, {@code Period}, {@code YearMonth}, {@code ZoneId}: ISO-8601 text), and
 * {@code Object} for any JSON value. Any other type refuses the plugin when it loads, naming the method and the
 * parameter. Name each parameter with {@link Param} or compile with {@code -parameters}. A parameter is required
 * unless it is {@code Optional}, has a {@link Param#defaultValue()}, or is marked {@code @Param(required = false)}
 * (it then arrives as null). A parameter of type {@link ToolContext} receives the call's context.
 *
 * <p>Return a {@link ToolResult} for full control, a String for one text block, {@code void} for an empty result,
 * a record or {@code Map} for structured content (with an output schema derived from a record's components, in which
 * every non-primitive component may be null and {@code Optional} components may also be absent), or any other
 * supported value, which is sent as structured content {@code {"result": value}}. The JSON text of the structured
 * content is the content block, for clients that ignore structure.
 *
 * <p>The four hints default to the protocol's own defaults (not read-only, destructive, not idempotent, open world)
 * and only those you change are published; a read-only tool is never described as destructive.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface McpTool {

    /** Tool name; defaults to the method name. */
    String name() default "";

    String title() default "";

    String description() default "";

    /** The tool does not change its environment. */
    boolean readOnly() default false;

    /** The tool may destroy or overwrite data (meaningful when not read-only); set {@code false} when it only adds. */
    boolean destructive() default true;

    /** Calling it again with the same arguments has no further effect. */
    boolean idempotent() default false;

    /** The tool reaches an open world (the web, other systems); set {@code false} when it only sees local state. */
    boolean openWorld() default true;
}
