package io.mcpserver.server;

import io.mcpserver.spi.McpPlugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code mcp-server --new-plugin DIR}: writes a plugin project that builds, tests and loads as it is — a Maven
 * project depending on this server's plugin API ({@code provided}) and test kit ({@code test}), a plugin with one
 * annotated tool that reads its configuration, its {@code META-INF/services} entry, and tests through the kit's
 * server and its test doubles. The plugin's name is the directory's name. When the distribution carries its own
 * Maven repository ({@code sdk/repository}: the API, the kit and their parent POM) the project refers to it, so it
 * builds without installing anything first.
 */
final class NewPluginProject {

    private static final String SDK_REPOSITORY = "sdk/repository";

    private final Path dir;
    private final String name;
    private final Path home;

    private NewPluginProject(Path dir, String name, Path home) {
        this.dir = dir;
        this.name = name;
        this.home = home;
    }

    /**
     * Writes the project into {@code dir}, which must be missing or empty.
     *
     * @param version the server's version: the plugin API and test kit the project depends on
     * @param home    the server's home, for its {@code sdk/repository} and {@code plugins/}
     * @throws IllegalArgumentException when {@code dir} is not empty or its name makes no plugin name
     */
    static NewPluginProject write(Path dir, String version, Path home) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new IllegalArgumentException(target + " exists and is not an empty directory");
        }
        String name = pluginName(target.getFileName() == null ? "" : target.getFileName().toString());
        NewPluginProject project = new NewPluginProject(target, name, home);
        for (Map.Entry<String, String> file : project.files(version).entrySet()) {
            Path path = target.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return project;
    }

    /** A plugin name ({@code [a-z0-9][a-z0-9-]*}) from a directory name: lower case, other characters as dashes. */
    static String pluginName(String directoryName) {
        String name = directoryName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "").replaceAll("-plugin$", "");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the directory's name '" + directoryName + "' has no letters or"
                    + " digits to name the plugin after");
        }
        return name;
    }

    String className() {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("-")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return (Character.isDigit(out.charAt(0)) ? "P" : "") + out + "Plugin";
    }

    String packageName() {
        String last = name.replace("-", "");
        return "com.example." + (Character.isDigit(last.charAt(0)) ? "p" : "") + last;
    }

    String toolName() {
        return name.replace('-', '_') + "_greet";
    }

    String jarName() {
        return name + "-plugin-1.0.0.jar";
    }

    /** What to do next, for the console. */
    String nextSteps() {
        return """
                Wrote the plugin project '%1$s' to %2$s
                  %3$s  the plugin: one tool, %4$s
                  %5$s  its tests (the test kit's server and client, and its test doubles)
                Build and test it (Maven 3.8 or later, JDK 21 or later):
                  cd %2$s && mvn package
                Then install it and restart the server (or set plugins.watch: true):
                  cp %2$s/target/%6$s %7$s/
                Writing plugins: docs/plugin-authoring.md
                """.formatted(name, dir, mainSource(), toolName(), testSource(), jarName(),
                home.resolve("plugins"));
    }

    private String mainSource() {
        return "src/main/java/" + packageName().replace('.', '/') + "/" + className() + ".java";
    }

    private String testSource() {
        return "src/test/java/" + packageName().replace('.', '/') + "/" + className() + "Test.java";
    }

    private Map<String, String> files(String version) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml", fill(POM.replace("@REPOSITORIES@", repositories()), version));
        files.put(mainSource(), fill(PLUGIN, version));
        files.put("src/main/resources/META-INF/services/" + McpPlugin.class.getName(),
                packageName() + "." + className() + "\n");
        files.put(testSource(), fill(TEST, version));
        files.put(".gitignore", "target/\n");
        return files;
    }

    /** The distribution's own repository of the API and kit, when it has one. */
    private String repositories() {
        Path repository = home.resolve(SDK_REPOSITORY);
        if (!Files.isDirectory(repository)) {
            return "";
        }
        return """

                  <!-- the plugin API and test kit of the server that wrote this project, until they are in a repository
                       you use: then remove this section -->
                  <repositories>
                    <repository>
                      <id>mcp-server-sdk</id>
                      <url>%s</url>
                      <snapshots><enabled>true</enabled></snapshots>
                    </repository>
                  </repositories>
                """.formatted(repository.toUri());
    }

    private String fill(String template, String version) {
        return template.replace("@NAME@", name).replace("@CLASS@", className()).replace("@PACKAGE@", packageName())
                .replace("@TOOL@", toolName()).replace("@VERSION@", version)
                .replace("@SPI@", String.valueOf(McpPlugin.SPI_VERSION));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- A plugin for mcp-server, written by its new-plugin option. `mvn package` builds and tests it and
                 gives target/@NAME@-plugin-1.0.0.jar; copy that into the server's plugins/ folder. -->
            <project xmlns="http://maven.apache.org/POM/4.0.0"
                     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
              <modelVersion>4.0.0</modelVersion>

              <groupId>com.example</groupId>
              <artifactId>@NAME@-plugin</artifactId>
              <version>1.0.0</version>
              <name>@NAME@ plugin for mcp-server</name>

              <properties>
                <maven.compiler.release>21</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                <!-- the server release whose plugin API and test kit this plugin is built with -->
                <mcp.version>@VERSION@</mcp.version>
                <!-- that API's SPI version (McpPlugin.SPI_VERSION): the server refuses a JAR built for another -->
                <mcp.spi.version>@SPI@</mcp.spi.version>
                <junit.version>5.14.1</junit.version>
              </properties>
            @REPOSITORIES@
              <dependencies>
                <!-- provided: the server supplies the API at runtime; never bundle it -->
                <dependency>
                  <groupId>io.mcpserver</groupId>
                  <artifactId>mcp-plugin-api</artifactId>
                  <version>${mcp.version}</version>
                  <scope>provided</scope>
                </dependency>
                <!-- the test kit: a real server (isolated from this project's libraries), a client, test doubles -->
                <dependency>
                  <groupId>io.mcpserver</groupId>
                  <artifactId>mcp-plugin-testkit</artifactId>
                  <version>${mcp.version}</version>
                  <scope>test</scope>
                </dependency>
                <dependency>
                  <groupId>org.junit.jupiter</groupId>
                  <artifactId>junit-jupiter</artifactId>
                  <version>${junit.version}</version>
                  <scope>test</scope>
                </dependency>
              </dependencies>

              <build>
                <plugins>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-compiler-plugin</artifactId>
                    <version>3.14.1</version>
                    <configuration>
                      <!-- keeps parameter names: the server names tool arguments after them -->
                      <parameters>true</parameters>
                    </configuration>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-surefire-plugin</artifactId>
                    <version>3.5.4</version>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-jar-plugin</artifactId>
                    <version>3.4.2</version>
                    <configuration>
                      <archive>
                        <manifest>
                          <!-- Implementation-Version: what McpPlugin.version() reports by default -->
                          <addDefaultImplementationEntries>true</addDefaultImplementationEntries>
                        </manifest>
                        <manifestEntries>
                          <Mcp-Spi-Version>${mcp.spi.version}</Mcp-Spi-Version>
                        </manifestEntries>
                      </archive>
                    </configuration>
                  </plugin>
                </plugins>
              </build>
            </project>
            """;

    private static final String PLUGIN = """
            package @PACKAGE@;

            import io.mcpserver.spi.McpPlugin;
            import io.mcpserver.spi.PluginContext;
            import io.mcpserver.spi.tools.McpTool;
            import io.mcpserver.spi.tools.Param;

            import java.util.List;

            /**
             * The @NAME@ plugin. Add tools (annotated methods like the one below, or {@code tools()}), resources,
             * prompts and completions: see docs/plugin-authoring.md of mcp-server.
             */
            public final class @CLASS@ implements McpPlugin {

                private volatile String greeting = "Hello";

                @Override
                public String name() {
                    return "@NAME@";                 // names the configuration section plugins.@NAME@
                }

                @Override
                public void init(PluginContext context) {
                    greeting = context.config().string("greeting", greeting);
                }

                @Override
                public List<Object> annotatedTools() {
                    return List.of(this);
                }

                /** Sent as the tool's structured content; its schema is derived from the record. */
                public record Greeting(String text, int length) {
                }

                @McpTool(name = "@TOOL@", description = "Greets someone by name")
                public Greeting greet(@Param(description = "Who to greet") String name) {
                    String text = greeting + ", " + name + "!";
                    return new Greeting(text, text.length());
                }
            }
            """;

    private static final String TEST = """
            package @PACKAGE@;

            import io.mcpserver.testkit.McpTestClient;
            import io.mcpserver.testkit.McpTestServer;
            import io.mcpserver.testkit.TestPluginContext;
            import io.mcpserver.testkit.ToolCallResult;
            import org.junit.jupiter.api.Test;

            import java.util.Map;

            import static org.junit.jupiter.api.Assertions.assertEquals;
            import static org.junit.jupiter.api.Assertions.assertFalse;

            class @CLASS@Test {

                /** Through a real server (the plugin loaded as the distribution loads it) and a real client. */
                @Test
                void greetsAClient() {
                    try (McpTestServer server = McpTestServer.with(@CLASS@.class).config("greeting", "Hi").start();
                         McpTestClient client = server.client()) {
                        ToolCallResult result = client.callTool("@TOOL@", Map.of("name", "Ada"));
                        assertFalse(result.isError(), result.toString());
                        assertEquals("Hi, Ada!", result.structured().get("text"));
                    }
                }

                /** The plain Java way, with the kit's stand-in for what the server hands the plugin. */
                @Test
                void readsItsConfiguration() {
                    @CLASS@ plugin = new @CLASS@();
                    plugin.init(TestPluginContext.of("@NAME@").config(Map.of("greeting", "Hej")));
                    assertEquals("Hej, Bo!", plugin.greet("Bo").text());
                }
            }
            """;
}
