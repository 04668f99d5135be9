package io.mcpserver.plugins.filesystem;

import io.mcpserver.testkit.RecordingToolContext;
import io.mcpserver.testkit.TestPluginContext;
import io.mcpserver.spi.content.TextContent;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilesystemPluginTest {

    @TempDir
    Path temp;

    private Path root;
    private Path outside;

    @BeforeEach
    void layout() throws IOException {
        root = Files.createDirectories(temp.resolve("root"));
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(root.resolve("hello.txt"), "hello world\nsecond line\n");
        Files.createDirectories(root.resolve("src/main"));
        Files.writeString(root.resolve("src/main/App.java"), "class App { /* needle */ }\n");
        Files.writeString(root.resolve("src/Notes.md"), "nothing here\nNEEDLE in caps\n");
        Files.writeString(outside.resolve("secret.txt"), "top secret needle\n");
    }

    private List<Object> tools(Map<String, Object> config) throws Exception {
        FilesystemPlugin plugin = new FilesystemPlugin();
        plugin.init(TestPluginContext.of("filesystem").config(config));
        return plugin.annotatedTools();
    }

    private FileReadTools readTools() throws Exception {
        return (FileReadTools) tools(Map.of("roots", List.of(root.toString()))).getFirst();
    }

    private FileWriteTools writeTools() throws Exception {
        List<Object> all = tools(Map.of("roots", List.of(root.toString()), "allow-write", true));
        return (FileWriteTools) all.get(1);
    }

    private static List<String> toolNames(List<Object> objects) {
        List<String> names = new ArrayList<>();
        for (Object o : objects) {
            for (Method m : o.getClass().getMethods()) {
                McpTool t = m.getAnnotation(McpTool.class);
                if (t != null) {
                    names.add(t.name());
                }
            }
        }
        return names;
    }

    private static String text(ToolResult r) {
        return r.content().stream().map(c -> ((TextContent) c).text()).collect(Collectors.joining("\n"));
    }

    private static void assertRefused(ToolResult r, String expectedFragment) {
        assertTrue(r.isError(), () -> "expected an error result, got: " + text(r));
        assertTrue(text(r).contains(expectedFragment), () -> "message '" + text(r) + "' lacks '" + expectedFragment
                + "'");
    }

    @Test
    void writeToolsAbsentByDefault() throws Exception {
        List<Object> objects = tools(Map.of("roots", List.of(root.toString())));
        List<String> names = toolNames(objects);
        assertTrue(names.containsAll(List.of("list_directory", "read_file", "search_files", "search_file_contents",
                "get_file_info", "list_allowed_directories")), names::toString);
        assertFalse(names.contains("write_file"));
        assertFalse(names.contains("create_directory"));
    }

    @Test
    void writeToolsPresentWhenAllowed() throws Exception {
        List<String> names = toolNames(tools(Map.of("roots", List.of(root.toString()), "allow-write", "true")));
        assertTrue(names.contains("write_file"));
        assertTrue(names.contains("create_directory"));
    }

    @Test
    void readOnlyToolsAreMarkedReadOnly() throws Exception {
        for (Method m : FileReadTools.class.getMethods()) {
            McpTool t = m.getAnnotation(McpTool.class);
            if (t != null) {
                assertTrue(t.readOnly(), t.name());
                assertFalse(t.description().isBlank(), t.name());
            }
        }
        McpTool write = FileWriteTools.class.getMethod("writeFile", String.class, String.class, Boolean.class)
                .getAnnotation(McpTool.class);
        assertFalse(write.readOnly());
        assertTrue(write.destructive());
    }

    @Test
    void withoutRootsEveryCallSaysSo() throws Exception {
        FileReadTools tools = (FileReadTools) tools(Map.of()).getFirst();
        String expected = "No root directory is configured";
        assertRefused(tools.listDirectory(null), expected);
        assertRefused(tools.readFile("hello.txt", null, null), expected);
        assertRefused(tools.readFile(root.resolve("hello.txt").toString(), null, null), expected);
        assertRefused(tools.searchFiles("*.txt", null, new RecordingToolContext()), expected);
        assertRefused(tools.searchFileContents("x", null, null, null, new RecordingToolContext()), expected);
        assertRefused(tools.getFileInfo("hello.txt"), expected);
        assertRefused(tools.listAllowedDirectories(), expected);
    }

    @Test
    void missingOrRelativeRootsAreSkipped() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("roots", List.of("relative/dir", temp.resolve("nope").toString(), root.toString()));
        FileReadTools tools = (FileReadTools) tools(config).getFirst();
        ToolResult r = tools.listAllowedDirectories();
        assertFalse(r.isError());
        assertEquals("Allowed directories:\n" + root.toRealPath(), text(r));
    }

    @Test
    void rootsMayComeAsOnePathSeparatedString() throws Exception {
        String both = root + java.io.File.pathSeparator + outside;
        FileReadTools tools = (FileReadTools) tools(Map.of("roots", both)).getFirst();
        assertFalse(tools.readFile(outside.resolve("secret.txt").toString(), null, null).isError());
    }

    @Test
    void listsDirectory() throws Exception {
        ToolResult r = readTools().listDirectory(null);
        assertFalse(r.isError(), text(r));
        String out = text(r);
        assertTrue(out.contains("[file] hello.txt (24 bytes)"), out);
        assertTrue(out.contains("[dir]  src/"), out);
    }

    @Test
    void readsWholeSmallFile() throws Exception {
        ToolResult r = readTools().readFile("hello.txt", null, null);
        assertFalse(r.isError());
        assertEquals("hello world\nsecond line\n", text(r));
        ToolResult abs = readTools().readFile(root.resolve("hello.txt").toString(), null, null);
        assertEquals("hello world\nsecond line\n", text(abs));
    }

    @Test
    void readsWithOffsetAndLimit() throws Exception {
        ToolResult r = readTools().readFile("hello.txt", 6L, 5L);
        assertFalse(r.isError());
        assertEquals(2, r.content().size());
        assertEquals("world", ((TextContent) r.content().get(0)).text());
        assertTrue(((TextContent) r.content().get(1)).text().contains("offset=11"), text(r));
    }

    @Test
    void maxReadBytesCapsEveryRead() throws Exception {
        FileReadTools tools = (FileReadTools) tools(Map.of("roots", List.of(root.toString()),
                "max-read-bytes", 4)).getFirst();
        ToolResult r = tools.readFile("hello.txt", null, 1000L);
        assertEquals("hell", ((TextContent) r.content().getFirst()).text());
        assertTrue(text(r).contains("offset=4"));
    }

    @Test
    void refusesBinaryFilesAndDirectories() throws Exception {
        Files.write(root.resolve("blob.bin"), new byte[] {1, 2, 0, 3});
        assertRefused(readTools().readFile("blob.bin", null, null), "binary");
        assertRefused(readTools().readFile("src", null, null), "Is a directory");
        assertRefused(readTools().readFile("missing.txt", null, null), "No such file");
        assertRefused(readTools().readFile("hello.txt", -1L, null), "offset");
    }

    @Test
    void refusesTraversal() throws Exception {
        FileReadTools tools = readTools();
        assertRefused(tools.readFile("../outside/secret.txt", null, null), "traversal");
        assertRefused(tools.readFile("src/../hello.txt", null, null), "traversal");
        assertRefused(tools.readFile(root + "/../outside/secret.txt", null, null), "traversal");
        assertRefused(tools.listDirectory(".."), "traversal");
        assertRefused(tools.searchFiles("*", "..", new RecordingToolContext()), "traversal");
        assertRefused(tools.getFileInfo("src/main/../../../outside"), "traversal");
    }

    @Test
    void refusesAbsolutePathsOutsideRoots() throws Exception {
        FileReadTools tools = readTools();
        assertRefused(tools.readFile(outside.resolve("secret.txt").toString(), null, null), "outside the allowed");
        assertRefused(tools.listDirectory("/"), "outside the allowed");
        assertRefused(tools.getFileInfo("/etc/passwd"), "outside the allowed");
        // a sibling whose name merely starts with the root's name is not inside it
        Path sibling = Files.createDirectories(temp.resolve("root-evil"));
        Files.writeString(sibling.resolve("x.txt"), "x");
        assertRefused(tools.readFile(sibling.resolve("x.txt").toString(), null, null), "outside the allowed");
    }

    @Test
    void refusesSymlinkEscapes() throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("secret-link.txt"), outside.resolve("secret.txt"));
        FileReadTools tools = readTools();
        assertRefused(tools.readFile("escape/secret.txt", null, null), "symbolic link");
        assertRefused(tools.readFile("secret-link.txt", null, null), "symbolic link");
        assertRefused(tools.readFile(root.resolve("secret-link.txt").toString(), null, null), "symbolic link");
        assertRefused(tools.listDirectory("escape"), "symbolic link");
        assertRefused(tools.getFileInfo("escape"), "symbolic link");
        assertRefused(tools.searchFileContents("needle", "escape", null, null, new RecordingToolContext()),
                "symbolic link");
        // the listing of the root shows the link but searching does not follow it out
        assertTrue(text(tools.listDirectory(null)).contains("[link] escape -> " + outside));
        String hits = text(tools.searchFileContents("needle", null, null, true, new RecordingToolContext()));
        assertFalse(hits.contains("secret"), hits);
        assertFalse(text(tools.searchFiles("secret*", null, new RecordingToolContext())).contains("outside"));
    }

    @Test
    void symlinksStayingInsideTheRootAreFine() throws Exception {
        Files.createSymbolicLink(root.resolve("alias.txt"), root.resolve("hello.txt"));
        ToolResult r = readTools().readFile("alias.txt", null, null);
        assertFalse(r.isError(), text(r));
        assertTrue(text(readTools().getFileInfo("alias.txt")).contains("symbolic link: true"));
    }

    @Test
    void searchesByGlob() throws Exception {
        FileReadTools tools = readTools();
        String byName = text(tools.searchFiles("*.java", null, new RecordingToolContext()));
        assertTrue(byName.endsWith("src/main/App.java"), byName);
        String byPath = text(tools.searchFiles("src/**.md", null, new RecordingToolContext()));
        assertTrue(byPath.endsWith("src/Notes.md"), byPath);
        assertTrue(text(tools.searchFiles("*.nothing", null, new RecordingToolContext())).startsWith("No files"));
        assertRefused(tools.searchFiles("", null, new RecordingToolContext()), "pattern");
    }

    @Test
    void searchResultsAreCapped() throws Exception {
        for (int i = 0; i < 10; i++) {
            Files.writeString(root.resolve("f" + i + ".log"), "x");
        }
        FileReadTools tools = (FileReadTools) tools(Map.of("roots", List.of(root.toString()), "max-results", 3))
                .getFirst();
        String out = text(tools.searchFiles("*.log", null, new RecordingToolContext()));
        assertEquals(4, out.lines().count(), out);
        assertTrue(out.contains("stopped at 3"), out);
        assertTrue(text(tools.listDirectory(null)).contains("stopped at 3"));
    }

    @Test
    void searchesContent() throws Exception {
        FileReadTools tools = readTools();
        String sensitive = text(tools.searchFileContents("needle", null, null, null, new RecordingToolContext()));
        assertTrue(sensitive.contains("App.java:1: class App { /* needle */ }"), sensitive);
        assertFalse(sensitive.contains("Notes.md"), sensitive);
        String folded = text(tools.searchFileContents("needle", null, null, true, new RecordingToolContext()));
        assertTrue(folded.contains("Notes.md:2: NEEDLE in caps"), folded);
        String filtered = text(tools.searchFileContents("needle", null, "*.md", true, new RecordingToolContext()));
        assertFalse(filtered.contains("App.java"), filtered);
        assertTrue(text(tools.searchFileContents("absent", null, null, null, new RecordingToolContext()))
                .startsWith("No matches"));
    }

    @Test
    void statsAPath() throws Exception {
        String info = text(readTools().getFileInfo("hello.txt"));
        assertTrue(info.contains("type: file"), info);
        assertTrue(info.contains("size: 24"), info);
        assertTrue(text(readTools().getFileInfo("src")).contains("type: directory"));
    }

    @Test
    void writesAndCreatesDirectoriesInsideRoot() throws Exception {
        FileWriteTools tools = writeTools();
        ToolResult dir = tools.createDirectory("new/deeper");
        assertFalse(dir.isError(), text(dir));
        assertTrue(Files.isDirectory(root.resolve("new/deeper")));
        ToolResult w = tools.writeFile("new/deeper/out.txt", "héllo", null);
        assertFalse(w.isError(), text(w));
        assertEquals("héllo", Files.readString(root.resolve("new/deeper/out.txt"), StandardCharsets.UTF_8));
        tools.writeFile("new/deeper/out.txt", "!", true);
        assertEquals("héllo!", Files.readString(root.resolve("new/deeper/out.txt")));
        assertRefused(tools.writeFile("nowhere/out.txt", "x", null), "parent directory");
    }

    @Test
    void writeToolsRefuseEscapes() throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("not-yet.txt"));
        FileWriteTools tools = writeTools();
        assertRefused(tools.writeFile("../outside/x.txt", "x", null), "traversal");
        assertRefused(tools.writeFile(outside.resolve("x.txt").toString(), "x", null), "outside the allowed");
        assertRefused(tools.writeFile("escape/x.txt", "x", null), "symbolic link");
        assertRefused(tools.writeFile("dangling", "x", null), "dangling");
        assertRefused(tools.createDirectory("escape/newdir"), "symbolic link");
        assertRefused(tools.createDirectory("../evil"), "traversal");
        assertFalse(Files.exists(outside.resolve("x.txt")));
        assertFalse(Files.exists(outside.resolve("not-yet.txt")));
        assertFalse(Files.exists(outside.resolve("newdir")));
        assertEquals(List.of("secret.txt"), Arrays.stream(outside.toFile().list()).toList());
    }

    @Test
    void resultsAreTextOnly() throws Exception {
        ToolResult r = readTools().listDirectory("src");
        assertInstanceOf(TextContent.class, r.content().getFirst());
    }

    /**
     * Outside testing: with a directory inside the root swapped for a link to outside between the check and the
     * open, 2 of 1,348 reads returned /etc/passwd and 13 of 1,348 writes landed outside the root. Here a racer swaps
     * {@code d} (a directory) and a link to {@code outside} as fast as it can while reads and writes go on.
     */
    @Test
    void aDirectorySwappedForALinkDuringTheCallIsNeverFollowed() throws Exception {
        Path d = Files.createDirectories(root.resolve("d"));
        Path parked = root.resolve("d-parked");
        Files.writeString(d.resolve("f.txt"), "inside\n");
        Files.writeString(outside.resolve("f.txt"), "SECRET\n");
        FileReadTools read = readTools();
        FileWriteTools write = writeTools();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread racer = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try {
                    Files.move(d, parked);
                    Files.createSymbolicLink(d, outside);
                    Thread.onSpinWait();
                    Files.delete(d);
                    Files.move(parked, d);
                } catch (IOException e) {
                    // a step raced with itself: go on
                }
            }
        });
        int leaked = 0;
        int escaped = 0;
        try {
            for (int i = 0; i < 3000; i++) {
                ToolResult r = read.readFile("d/f.txt", null, null);
                if (!r.isError() && text(r).contains("SECRET")) {
                    leaked++;
                }
                write.writeFile("d/w.txt", "x", null);
                if (Files.exists(outside.resolve("w.txt"))) {
                    escaped++;
                    Files.delete(outside.resolve("w.txt"));
                }
            }
        } finally {
            stop.set(true);
            racer.join();
        }
        assertEquals(0, leaked, "reads that followed the swapped-in link");
        assertEquals(0, escaped, "writes that landed outside the root");
    }
}
