package io.mcpserver.spi.prompts;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method of an object returned by {@code McpPlugin.annotatedTools()} as a prompt. Each {@code String}
 * parameter is an argument (named by {@code @Param(name = …)} or the parameter's name; required unless
 * {@code @Param(required = false)} or {@code Optional<String>}, described by {@code @Param(description = …)}); a
 * {@code RequestContext} parameter receives the request's context. Return a {@link PromptResult}, or a
 * {@code String}, which becomes one user message.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface McpPrompt {

    /** Prompt name; defaults to the method name. */
    String name() default "";

    String title() default "";

    String description() default "";
}
