package io.mcpserver.spi.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes a parameter of an {@link McpTool} method, or a component of a record used as one. Everything set here
 * ends up in the input schema, so clients and models see it and the server enforces it before the method runs.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
public @interface Param {

    /** Argument name; defaults to the parameter's name (needs {@code -parameters}). */
    String name() default "";

    String description() default "";

    /** Whether the argument must be given; false makes a non-primitive parameter arrive as null when it is not. */
    boolean required() default true;

    /**
     * The value used when the argument is not given, as it would be written in JSON ({@code "10"}, {@code "true"},
     * {@code "[\"a\"]"}; text as it is, e.g. {@code "CELSIUS"}); the parameter is then optional and the schema shows
     * the default. Checked against the parameter's type when the plugin loads. Method parameters only.
     */
    String defaultValue() default "";

    /**
     * Lower bound: {@code minimum} for numbers, {@code minLength} for text, {@code minItems} for lists and arrays.
     * {@code NaN} (the default) means none.
     */
    double min() default Double.NaN;

    /**
     * Upper bound: {@code maximum} for numbers, {@code maxLength} for text, {@code maxItems} for lists and arrays.
     * {@code NaN} (the default) means none.
     */
    double max() default Double.NaN;

    /** A regular expression text arguments must match (JSON Schema {@code pattern}: unanchored); empty means none. */
    String pattern() default "";
}
