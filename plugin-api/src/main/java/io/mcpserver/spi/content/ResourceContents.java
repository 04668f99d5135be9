package io.mcpserver.spi.content;

/** The contents of a resource: text or a base64 blob. */
public sealed interface ResourceContents permits ResourceContents.Text, ResourceContents.Blob {

    String uri();

    String mimeType();

    static Text text(String uri, String mimeType, String text) {
        return new Text(uri, mimeType, text);
    }

    static Blob blob(String uri, String mimeType, String base64) {
        return new Blob(uri, mimeType, base64);
    }

    record Text(String uri, String mimeType, String text) implements ResourceContents {
    }

    /** {@code blob} is base64-encoded. */
    record Blob(String uri, String mimeType, String blob) implements ResourceContents {
    }
}
