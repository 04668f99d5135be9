package io.mcpserver.server.registry;

import io.mcpserver.server.tools.OutputSchemaCheck;
import io.mcpserver.server.tools.SchemaValidator;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * All tools, resources, templates, prompts and completion providers, by plugin. Readers see an
 * immutable snapshot (sorted by name, so list order is deterministic); a plugin's contributions
 * are added or replaced all at once, and a duplicate name refuses the whole set.
 */
public final class FeatureRegistry {

    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

    /** A tool with its compiled argument validator and the check of its results against its output schema. */
    public record RegisteredTool(Tool tool, SchemaValidator validator, OutputSchemaCheck output, Owner owner) {
        public String name() {
            return tool.descriptor().name();
        }
    }

    public record RegisteredResource(Resource resource, Owner owner) {
    }

    public record RegisteredTemplate(ResourceTemplate template, UriTemplate uriTemplate, Owner owner) {
    }

    public record RegisteredPrompt(Prompt prompt, Owner owner) {
    }

    public record RegisteredCompletion(CompletionProvider provider, Owner owner) {
    }

    /** An interceptor with the plugin it came from. */
    public record RegisteredInterceptor(Interceptor interceptor, String name, int order, Owner owner) {
        /** Lowest order first, then plugin name, then interceptor name: the order requests pass them in. */
        static final Comparator<RegisteredInterceptor> RUN_ORDER = Comparator
                .comparingInt(RegisteredInterceptor::order)
                .thenComparing(i -> i.owner().pluginName())
                .thenComparing(RegisteredInterceptor::name);
    }

    /**
     * One consistent view of everything registered; {@code interceptors} in the order requests pass them
     * (outermost first).
     */
    public record Snapshot(Map<String, RegisteredTool> tools, Map<String, RegisteredResource> resources,
                           Map<String, RegisteredTemplate> templates, Map<String, RegisteredPrompt> prompts,
                           Map<CompletionRef, RegisteredCompletion> completions,
                           List<RegisteredInterceptor> interceptors) {
    }

    private final Object writeLock = new Object();
    private final Map<String, Contributions> byPlugin = new LinkedHashMap<>();
    private volatile Snapshot snapshot = build(Map.of(), new CompiledSchemas(Map.of())).snapshot();
    /** The compiled schemas of {@link #snapshot}, reused by the next build (guarded by writeLock). */
    private Map<com.fasterxml.jackson.databind.JsonNode, SchemaValidator> schemas = Map.of();
    private final List<Consumer<Set<ChangeKind>>> listeners = new CopyOnWriteArrayList<>();

    public Snapshot snapshot() {
        return snapshot;
    }

    public void onChange(Consumer<Set<ChangeKind>> listener) {
        listeners.add(listener);
    }

    /**
     * Adds (or replaces) one plugin's contributions.
     *
     * @throws IllegalArgumentException naming the first duplicate or invalid contribution; nothing changes then
     */
    public void register(Contributions contributions) {
        Set<ChangeKind> changed;
        synchronized (writeLock) {
            Map<String, Contributions> next = new LinkedHashMap<>(byPlugin);
            Contributions previous = next.put(contributions.owner().pluginName(), contributions);
            Built built = build(next, new CompiledSchemas(schemas));
            byPlugin.put(contributions.owner().pluginName(), contributions);
            install(built);
            changed = kinds(previous, contributions);
        }
        fire(changed);
    }

    /** Removes a plugin's contributions; returns them, or null if it had none. */
    public Contributions unregister(String pluginName) {
        Contributions removed;
        synchronized (writeLock) {
            removed = byPlugin.remove(pluginName);
            if (removed == null) {
                return null;
            }
            install(build(byPlugin, new CompiledSchemas(schemas)));
        }
        fire(kinds(null, removed));
        return removed;
    }

    /**
     * Swaps plugins in one step, as a runtime reload needs: removes {@code removed}, adds (or replaces)
     * {@code added}; clients see one set of list_changed notifications and never a state in between.
     *
     * @throws IllegalArgumentException naming the first duplicate or invalid contribution; nothing changes then
     */
    public void replace(Collection<String> removed, Collection<Contributions> added) {
        Set<ChangeKind> changed = EnumSet.noneOf(ChangeKind.class);
        synchronized (writeLock) {
            Map<String, Contributions> next = new LinkedHashMap<>(byPlugin);
            for (String name : removed) {
                changed.addAll(kinds(next.remove(name), null));
            }
            for (Contributions c : added) {
                changed.addAll(kinds(next.put(c.owner().pluginName(), c), c));
            }
            Built built = build(next, new CompiledSchemas(schemas));
            byPlugin.clear();
            byPlugin.putAll(next);
            install(built);
        }
        fire(changed);
    }

    public Optional<RegisteredTool> tool(String name) {
        return Optional.ofNullable(snapshot.tools().get(name));
    }

    public Optional<RegisteredPrompt> prompt(String name) {
        return Optional.ofNullable(snapshot.prompts().get(name));
    }

    public Optional<RegisteredCompletion> completion(CompletionRef ref) {
        return Optional.ofNullable(snapshot.completions().get(ref));
    }

    /** The static resource at {@code uri}, or the first template (in name order) that matches it. */
    public Optional<Object> resolveResource(String uri) {
        Snapshot s = snapshot;
        RegisteredResource r = s.resources().get(uri);
        if (r != null) {
            return Optional.of(r);
        }
        for (RegisteredTemplate t : s.templates().values()) {
            if (t.uriTemplate().matches(uri)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public Collection<Contributions> plugins() {
        synchronized (writeLock) {
            return List.copyOf(byPlugin.values());
        }
    }

    private static final Pattern INTERCEPTOR_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** A snapshot with the compiled schemas it uses. */
    private record Built(Snapshot snapshot, Map<com.fasterxml.jackson.databind.JsonNode, SchemaValidator> schemas) {
    }

    /** Called under writeLock. */
    private void install(Built built) {
        schemas = built.schemas();
        snapshot = built.snapshot();
    }

    private static Built build(Map<String, Contributions> plugins, CompiledSchemas compiled) {
        List<RegisteredInterceptor> interceptors = new ArrayList<>();
        Map<String, RegisteredTool> tools = new TreeMap<>();
        Map<String, RegisteredResource> resources = new TreeMap<>();
        Map<String, RegisteredTemplate> templates = new TreeMap<>();
        Map<String, RegisteredPrompt> prompts = new TreeMap<>();
        Map<CompletionRef, RegisteredCompletion> completions = new LinkedHashMap<>();
        for (Contributions c : plugins.values()) {
            Owner owner = c.owner();
            for (Tool tool : c.tools()) {
                String name = Objects.requireNonNull(tool.descriptor(), "tool descriptor").name();
                if (!TOOL_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("invalid tool name '" + name
                            + "' (1-128 characters of A-Z a-z 0-9 _ . -)");
                }
                SchemaValidator validator;
                try {
                    validator = compiled.compile(tool.descriptor().inputSchema());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("tool '" + name + "' has an " + e.getMessage(), e);
                }
                OutputSchemaCheck output = OutputSchemaCheck.of(tool.descriptor(), compiled::compile);
                RegisteredTool prev = tools.put(name, new RegisteredTool(tool, validator, output, owner));
                if (prev != null) {
                    throw new IllegalArgumentException("duplicate tool name '" + name + "' (already provided by plugin "
                            + prev.owner().pluginName() + ")");
                }
            }
            for (Resource resource : c.resources()) {
                String uri = resource.descriptor().uri();
                RegisteredResource prev = resources.put(uri, new RegisteredResource(resource, owner));
                if (prev != null) {
                    throw new IllegalArgumentException("duplicate resource '" + uri + "' (already provided by plugin "
                            + prev.owner().pluginName() + ")");
                }
            }
            for (ResourceTemplate template : c.templates()) {
                String t = template.descriptor().uriTemplate();
                RegisteredTemplate prev = templates.put(t,
                        new RegisteredTemplate(template, UriTemplate.parse(t), owner));
                if (prev != null) {
                    throw new IllegalArgumentException("duplicate resource template '" + t
                            + "' (already provided by plugin " + prev.owner().pluginName() + ")");
                }
            }
            for (Prompt prompt : c.prompts()) {
                String name = prompt.descriptor().name();
                RegisteredPrompt prev = prompts.put(name, new RegisteredPrompt(prompt, owner));
                if (prev != null) {
                    throw new IllegalArgumentException("duplicate prompt '" + name + "' (already provided by plugin "
                            + prev.owner().pluginName() + ")");
                }
            }
            Set<String> interceptorNames = new HashSet<>();
            for (Interceptor interceptor : c.interceptors()) {
                String name = interceptor.name();
                if (name == null || !INTERCEPTOR_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("invalid interceptor name '" + name + "' ([a-z0-9][a-z0-9-]*)");
                }
                if (!interceptorNames.add(name)) {
                    throw new IllegalArgumentException("duplicate interceptor name '" + name + "'");
                }
                interceptors.add(new RegisteredInterceptor(interceptor, name, interceptor.order(), owner));
            }
            for (CompletionProvider provider : c.completions()) {
                RegisteredCompletion prev = completions.put(provider.ref(), new RegisteredCompletion(provider, owner));
                if (prev != null) {
                    throw new IllegalArgumentException("duplicate completion provider for " + provider.ref()
                            + " (already provided by plugin " + prev.owner().pluginName() + ")");
                }
            }
        }
        return new Built(new Snapshot(Collections.unmodifiableMap(tools), Collections.unmodifiableMap(resources),
                Collections.unmodifiableMap(templates), Collections.unmodifiableMap(prompts),
                Collections.unmodifiableMap(completions), interceptors.stream()
                        .sorted(RegisteredInterceptor.RUN_ORDER).toList()), Map.copyOf(compiled.used()));
    }

    private static Set<ChangeKind> kinds(Contributions before, Contributions after) {
        Set<ChangeKind> kinds = EnumSet.noneOf(ChangeKind.class);
        List<Contributions> both = new ArrayList<>();
        if (before != null) {
            both.add(before);
        }
        if (after != null) {
            both.add(after);
        }
        for (Contributions c : both) {
            if (!c.tools().isEmpty()) {
                kinds.add(ChangeKind.TOOLS);
            }
            if (!c.resources().isEmpty() || !c.templates().isEmpty()) {
                kinds.add(ChangeKind.RESOURCES);
            }
            if (!c.prompts().isEmpty()) {
                kinds.add(ChangeKind.PROMPTS);
            }
        }
        return kinds;
    }

    private void fire(Set<ChangeKind> kinds) {
        if (kinds.isEmpty()) {
            return;
        }
        for (Consumer<Set<ChangeKind>> l : listeners) {
            l.accept(kinds);
        }
    }
}
