package io.mcpserver.spi.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method of an object returned by {@code McpPlugin.annotatedTools()} as a tool.
 *
 * <p>Parameters become the properties of the input schema: primitives and their boxes, String,
 * enums, records, {@code List}s and {@code Map<String, ?>} are supported; records nest. Name each
 * with {@link Param} or compile with {@code -parameters}. A parameter is required unless it is
 * {@code Optional}, annotated {@code @Param(required = false)}, or a boxed type marked not required.
 * A parameter of type {@link ToolContext} receives the call's context and is not in the schema.
 *
 * <p>Return a {@link ToolResult} for full control, a String for one text block, {@code void} for an
 * empty result, or any other value (record, Map, List, number) which is returned as structured
 * content with its JSON text as the content block.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface McpTool {

    /** Tool name; defaults to the method name. */
    String name() default "";

    String title() default "";

    String description() default "";

    boolean readOnly() default false;

    boolean destructive() default false;

    boolean idempotent() default false;

    boolean openWorld() default false;
}
