package io.mcpserver.spi.resources;

/** No resource exists at the requested URI; the client gets a "resource not found" error. */
public class ResourceNotFoundException extends RuntimeException {

    public ResourceNotFoundException(String uri) {
        super("Resource not found: " + uri);
    }
}
