package io.mcpserver.spi.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Describes a parameter of an {@link McpTool} method, or a component of a record used as one. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
public @interface Param {

    /** Argument name; defaults to the parameter's name (needs {@code -parameters}). */
    String name() default "";

    String description() default "";

    boolean required() default true;
}
