package io.mcpserver.plugins.filesystem;

/** A requested path may not be used; the message says why in words a user can act on. */
final class PathRefusedException extends Exception {

    PathRefusedException(String message) {
        super(message);
    }
}
