package io.mcpserver.spi.resources;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method of an object returned by {@code McpPlugin.annotatedTools()} as a resource, or — when
 * {@link #uri()} is an RFC 6570 template such as {@code notes://note/{id}} — as a resource template. The method has
 * one {@code String} parameter per template variable (named by {@code @Param(name = …)} or the parameter's name;
 * values arrive percent-decoded) and may take a {@code RequestContext}. Return a {@code String} (text contents with
 * {@link #mimeType()}), a {@code byte[]} (a blob), a {@code ResourceContents}, or a list of them; returning null or
 * throwing {@link ResourceNotFoundException} answers "resource not found".
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface McpResource {

    /** The resource's URI, or a URI template with {@code {variables}}. */
    String uri();

    /** Name; defaults to the method name. */
    String name() default "";

    String title() default "";

    String description() default "";

    /** MIME type of the contents; {@code text/plain} for a String and {@code application/octet-stream} for bytes. */
    String mimeType() default "";
}
