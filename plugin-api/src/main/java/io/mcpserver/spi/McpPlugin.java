package io.mcpserver.spi;

import io.mcpserver.spi.auth.CredentialChecker;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.transport.TransportFactory;

import java.util.List;

/**
 * The one entry point of a plugin, found with {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.mcpserver.spi.McpPlugin}.
 *
 * <p>Lifecycle: the server constructs the plugin (public no-arg constructor), calls {@link #init}
 * once, then reads its contributions. It reads them again after the plugin calls
 * {@link PluginContext#contributionsChanged()}. {@link #close()} is called when the server stops or
 * the plugin is unloaded, after its in-flight calls have finished; it is not called when {@code init} threw.
 *
 * <p>Every contribution method has a default returning an empty list; new kinds of contribution
 * are added the same way, so a plugin compiled against an older SPI keeps working.
 */
public interface McpPlugin {

    /** The SPI version this interface belongs to; plugin JARs declare theirs in the manifest. */
    int SPI_VERSION = 1;

    /** Unique plugin name: {@code [a-z0-9][a-z0-9-]*}. It names the config section {@code plugins.<name>}. */
    String name();

    /** Plugin version shown in logs and {@code --list-plugins}. */
    default String version() {
        Package p = getClass().getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "unversioned" : v;
    }

    /** One line describing the plugin, for {@code --list-plugins}. */
    default String description() {
        return "";
    }

    /**
     * Whether the plugin runs when its config section says nothing about {@code enabled}.
     * Test fixtures return {@code false} so that they only run where a config turns them on.
     */
    default boolean enabledByDefault() {
        return true;
    }

    /**
     * The keys of this plugin's section {@code plugins.<name>} (besides {@code enabled}, which every plugin has).
     * When the list is not empty the server refuses any other key and any value of the wrong type, before
     * {@link #init} and in {@code --check-config}, and the plugin's {@link PluginConfig} holds the declared
     * defaults. Called on a new instance before {@code init}, so it must not depend on state set there.
     * The default, an empty list, declares nothing: every key is accepted as before.
     */
    default List<PluginConfigKey> configKeys() {
        return List.of();
    }

    /**
     * Called once before any contribution is read. Throwing here skips the plugin, and {@link #close()} is then
     * not called: release what {@code init} acquired before it throws.
     */
    default void init(PluginContext context) throws Exception {
    }

    /** Tools with hand-written descriptors. */
    default List<Tool> tools() {
        return List.of();
    }

    /**
     * Objects whose methods annotated with {@link io.mcpserver.spi.tools.McpTool} become tools; the
     * server derives each input schema from the method's parameters and binds arguments to them.
     */
    default List<Object> annotatedTools() {
        return List.of();
    }

    default List<Resource> resources() {
        return List.of();
    }

    default List<ResourceTemplate> resourceTemplates() {
        return List.of();
    }

    default List<Prompt> prompts() {
        return List.of();
    }

    default List<CompletionProvider> completions() {
        return List.of();
    }

    /** Extra transports (framing over some other medium) that feed messages to the server. */
    default List<TransportFactory> transports() {
        return List.of();
    }

    /**
     * Code that runs around every request on every transport (logging, caching, refusing, rewriting); see
     * {@link Interceptor}. Read again with the other contributions, so a reload swaps them.
     */
    default List<Interceptor> interceptors() {
        return List.of();
    }

    /**
     * Checkers for credentials clients present at the network transports' edges (a token scheme of your own, an
     * opaque-token introspection, a directory lookup): asked after the server's own JWT and API-key checks, for the
     * schemes they name. Read when the plugin is loaded or reloaded, like tools.
     */
    default List<CredentialChecker> credentialCheckers() {
        return List.of();
    }

    /**
     * Release resources. Called once for every plugin whose {@link #init} returned normally (also when reading
     * its contributions failed afterwards), never for one whose {@code init} threw; in-flight calls have
     * finished or been cancelled.
     */
    default void close() throws Exception {
    }
}
