package io.mcpserver.plugins.filesystem;

import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.ToolResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The tools that change files; they exist only when {@code plugins.filesystem.allow-write} is true. */
public final class FileWriteTools {

    private final PathGuard guard;

    FileWriteTools(PathGuard guard) {
        this.guard = guard;
    }

    @McpTool(name = "write_file", openWorld = false, title = "Write file",
            description = "Writes UTF-8 text to a file inside an allowed directory, replacing it if it exists "
                    + "(or appending when append is true). The parent directory must exist.",
            destructive = true)
    public ToolResult writeFile(
            @Param(name = "path", description = "File to write; absolute or relative to an allowed directory")
            String path,
            @Param(name = "content", description = "Text to write") String content,
            @Param(name = "append", description = "Append instead of replacing (default false)", required = false)
            Boolean append) {
        if (path == null || path.isBlank()) {
            return ToolResult.error("path must not be empty");
        }
        try {
            Path file = guard.resolve(path);
            if (Files.isDirectory(file)) {
                return ToolResult.error("Is a directory, not a file: " + file);
            }
            Path parent = file.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                return ToolResult.error("The parent directory of " + file + " does not exist (create it with "
                        + "create_directory first)");
            }
            byte[] bytes = (content == null ? "" : content).getBytes(StandardCharsets.UTF_8);
            boolean appending = Boolean.TRUE.equals(append);
            // opened without following links on the way: a link swapped in after the check is not written through
            try (OutputStream out = java.nio.channels.Channels.newOutputStream(guard.open(file, java.util.Set.of(
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    appending ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)))) {
                out.write(bytes);
            }
            return ToolResult.text((appending ? "Appended " : "Wrote ") + bytes.length + " bytes to " + file);
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (IOException e) {
            return FileReadTools.ioError("write", path, e);
        }
    }

    @McpTool(name = "create_directory", openWorld = false, destructive = false, title = "Create directory",
            description = "Creates a directory inside an allowed directory, with any missing parents. Succeeds if "
                    + "it already exists.",
            idempotent = true)
    public ToolResult createDirectory(
            @Param(name = "path", description = "Directory to create; absolute or relative to an allowed directory")
            String path) {
        if (path == null || path.isBlank()) {
            return ToolResult.error("path must not be empty");
        }
        try {
            Path dir = guard.resolve(path);
            if (Files.isDirectory(dir)) {
                return ToolResult.text("Directory already exists: " + dir);
            }
            Files.createDirectories(dir);
            return ToolResult.text("Created directory " + dir);
        } catch (PathRefusedException e) {
            return ToolResult.error(e.getMessage());
        } catch (FileAlreadyExistsException e) {
            return ToolResult.error("A file (not a directory) already exists at " + e.getFile());
        } catch (IOException e) {
            return FileReadTools.ioError("create", path, e);
        }
    }
}
