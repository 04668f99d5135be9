package io.mcpserver.spi.completion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method of an object returned by {@code McpPlugin.annotatedTools()} as the completion of one argument
 * of a prompt ({@link #prompt()}) or one variable of a resource template ({@link #resourceTemplate()}, the URI
 * template as written). The method takes the {@code String} prefix typed so far and, optionally, a
 * {@code Map<String, String>} of the arguments already resolved and a {@code RequestContext}; it returns a
 * {@code List<String>} or a {@link Completion}. Several methods may complete different arguments of one prompt.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface McpCompletion {

    /** The prompt whose argument this completes; set this or {@link #resourceTemplate()}. */
    String prompt() default "";

    /** The URI template whose variable this completes; set this or {@link #prompt()}. */
    String resourceTemplate() default "";

    /** The argument or variable completed. */
    String argument();
}
