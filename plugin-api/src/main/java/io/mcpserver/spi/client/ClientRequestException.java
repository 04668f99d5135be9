package io.mcpserver.spi.client;

/** The client answered a server→client request with an error, or did not answer in time. */
public class ClientRequestException extends RuntimeException {

    private final int code;

    public ClientRequestException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The JSON-RPC error code the client sent; 0 for a timeout. */
    public int code() {
        return code;
    }
}
