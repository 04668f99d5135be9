package io.mcpserver.spi.tools;

/**
 * A tool failed in a way the model should hear about: the call answers with an {@code isError} result whose text is
 * this exception's message, so write it for the model ("no note with id 42; search_notes lists the ids"). Any other
 * exception a tool throws is answered with a generic message and logged with its details, because messages of
 * unexpected exceptions tend to carry internals (paths, SQL, host names) that the model should not see.
 */
public class ToolException extends RuntimeException {

    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
