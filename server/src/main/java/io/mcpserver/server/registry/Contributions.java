package io.mcpserver.server.registry;

import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.intercept.Interceptor;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.tools.Tool;

import java.util.List;

/** Everything one plugin contributes to the feature registry. */
public record Contributions(Owner owner, List<Tool> tools, List<Resource> resources,
                            List<ResourceTemplate> templates, List<Prompt> prompts,
                            List<CompletionProvider> completions, List<Interceptor> interceptors) {

    /** Contributions without interceptors. */
    public Contributions(Owner owner, List<Tool> tools, List<Resource> resources, List<ResourceTemplate> templates,
                         List<Prompt> prompts, List<CompletionProvider> completions) {
        this(owner, tools, resources, templates, prompts, completions, List.of());
    }

    public Contributions {
        tools = List.copyOf(tools);
        resources = List.copyOf(resources);
        templates = List.copyOf(templates);
        prompts = List.copyOf(prompts);
        completions = List.copyOf(completions);
        interceptors = List.copyOf(interceptors);
    }

    public int size() {
        return tools.size() + resources.size() + templates.size() + prompts.size() + completions.size() + interceptors.size();
    }
}
