package io.mcpserver.server.protocol;

/** JSON-RPC and MCP error codes. */
public final class ErrorCodes {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** Legacy-era "resource not found" (2024-11-05 … 2025-11-25). */
    public static final int RESOURCE_NOT_FOUND = -32002;
    /** Server-defined: a limit (rate, in-flight, size) refused the request. */
    public static final int LIMIT_EXCEEDED = -32000;
    /** Server-defined: the caller is not authenticated or not allowed. */
    public static final int UNAUTHORIZED = -32001;
    public static final int FORBIDDEN = -32003;
    /** 2026-07-28: HTTP headers disagree with the body. */
    public static final int HEADER_MISMATCH = -32020;
    /** 2026-07-28: the request needs a client capability the client did not declare. */
    public static final int MISSING_CLIENT_CAPABILITY = -32021;
    /** 2026-07-28: the requested protocol version is not supported. */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private ErrorCodes() {
    }
}
