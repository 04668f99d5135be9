package io.mcpserver.spi.tools;

import java.util.Map;

/**
 * A tool with a hand-written descriptor. The server validates {@code arguments} against the
 * descriptor's input schema before {@link #call} runs, on a thread of its own (a virtual thread):
 * block freely. An exception becomes a result with {@code isError: true} carrying its message.
 */
public interface Tool {

    ToolDescriptor descriptor();

    ToolResult call(Map<String, Object> arguments, ToolContext context) throws Exception;

    /** A tool from a descriptor and a lambda. */
    static Tool of(ToolDescriptor descriptor, Handler handler) {
        return new Tool() {
            @Override
            public ToolDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public ToolResult call(Map<String, Object> arguments, ToolContext context) throws Exception {
                return handler.call(arguments, context);
            }
        };
    }

    @FunctionalInterface
    interface Handler {
        ToolResult call(Map<String, Object> arguments, ToolContext context) throws Exception;
    }
}
