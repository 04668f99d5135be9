package io.mcpserver.server.tools;

import io.mcpserver.server.registry.UriTemplate;
import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.completion.McpCompletion;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.McpPrompt;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.McpResource;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceNotFoundException;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.Tool;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything an object returned by {@code McpPlugin.annotatedTools()} contributes through annotations: tools
 * ({@link McpTool}, see {@link AnnotatedTools}), prompts ({@link McpPrompt}), resources and resource templates
 * ({@link McpResource}) and completions ({@link McpCompletion}). Like the tools, each method is checked when the
 * plugin loads: what could not be called or bound refuses the plugin with a line naming the method.
 */
public record AnnotatedObjects(List<Tool> tools, List<Prompt> prompts, List<Resource> resources,
                               List<ResourceTemplate> templates, List<CompletionProvider> completions) {

    /** Scans {@code target}; throws IllegalArgumentException when it has no annotated method or one is unusable. */
    public static AnnotatedObjects scan(Object target) {
        Class<?> type = target.getClass();
        List<Method> prompts = annotated(type, McpPrompt.class);
        List<Method> resources = annotated(type, McpResource.class);
        List<Method> completions = annotated(type, McpCompletion.class);
        boolean hasTools = Arrays.stream(type.getMethods()).anyMatch(m -> m.isAnnotationPresent(McpTool.class))
                || Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> m.isAnnotationPresent(McpTool.class));
        if (!hasTools && prompts.isEmpty() && resources.isEmpty() && completions.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no public @McpTool, @McpPrompt, @McpResource "
                    + "or @McpCompletion methods");
        }
        List<Tool> tools = hasTools ? AnnotatedTools.from(target) : List.of();
        List<Prompt> p = prompts.stream().map(m -> prompt(target, m)).toList();
        List<Resource> fixed = new ArrayList<>();
        List<ResourceTemplate> templates = new ArrayList<>();
        for (Method m : resources) {
            McpResource a = m.getAnnotation(McpResource.class);
            if (a.uri().contains("{")) {
                templates.add(template(target, m, a));
            } else {
                fixed.add(resource(target, m, a));
            }
        }
        return new AnnotatedObjects(tools, p, fixed, templates, completions(target, completions));
    }

    private static List<Method> annotated(Class<?> type, Class<? extends Annotation> annotation) {
        String at = "@" + annotation.getSimpleName();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(annotation) && !Modifier.isPublic(m.getModifiers())) {
                    throw new IllegalArgumentException(at + " method " + AnnotatedTools.describe(m) + " is not public");
                }
            }
        }
        List<Method> found = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (!m.isAnnotationPresent(annotation)) {
                continue;
            }
            if (Modifier.isStatic(m.getModifiers())) {
                throw new IllegalArgumentException(at + " method " + AnnotatedTools.describe(m) + " must not be static");
            }
            try {
                MethodHandles.publicLookup().unreflect(m);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException(at + " method " + AnnotatedTools.describe(m) + " cannot be called: "
                        + "its class " + m.getDeclaringClass().getName() + " is not public");
            }
            found.add(m);
        }
        found.sort(Comparator.comparing(Method::getName));
        return found;
    }

    // ---- prompts ----

    private static Prompt prompt(Object target, Method m) {
        McpPrompt a = m.getAnnotation(McpPrompt.class);
        String where = "@McpPrompt method " + AnnotatedTools.describe(m);
        PromptDescriptor.Builder d = PromptDescriptor.builder(a.name().isEmpty() ? m.getName() : a.name())
                .title(blank(a.title())).description(blank(a.description()));
        List<String> names = new ArrayList<>();
        for (Parameter p : m.getParameters()) {
            if (RequestContext.class.isAssignableFrom(p.getType())) {
                names.add(null);
                continue;
            }
            boolean optional = p.getType() == Optional.class;
            if (p.getType() != String.class && !optional) {
                throw new IllegalArgumentException(where + ": parameter '" + p.getName() + "' must be a String, an "
                        + "Optional<String> or a RequestContext (prompt arguments are text)");
            }
            Param param = p.getAnnotation(Param.class);
            String name = name(p, param, where);
            d.argument(PromptDescriptor.Argument.builder(name)
                    .description(param == null ? null : blank(param.description()))
                    .required(!optional && (param == null || param.required()))
                    .build());
            names.add(name);
        }
        Class<?> returns = m.getReturnType();
        if (returns != PromptResult.class && returns != String.class) {
            throw new IllegalArgumentException(where + " must return a PromptResult or a String");
        }
        PromptDescriptor descriptor = d.build();
        return Prompt.of(descriptor, (args, context) -> {
            Object[] values = new Object[names.size()];
            Parameter[] params = m.getParameters();
            for (int i = 0; i < values.length; i++) {
                String n = names.get(i);
                values[i] = n == null ? context
                        : params[i].getType() == Optional.class ? Optional.ofNullable(args.get(n)) : args.get(n);
            }
            Object result = invoke(target, m, values);
            return result instanceof String s ? PromptResult.ofUserText(descriptor.description(), s)
                    : (PromptResult) result;
        });
    }

    // ---- resources ----

    private static Resource resource(Object target, Method m, McpResource a) {
        String where = "@McpResource method " + AnnotatedTools.describe(m);
        List<String> names = variables(m, List.of(), where);
        ResourceDescriptor descriptor = ResourceDescriptor.builder(a.uri(), a.name().isEmpty() ? m.getName() : a.name())
                .title(blank(a.title())).description(blank(a.description())).mimeType(blank(a.mimeType())).build();
        checkReturn(m, where);
        return Resource.of(descriptor, context -> contents(a.uri(), a, invoke(target, m, values(names, Map.of(),
                context))));
    }

    private static ResourceTemplate template(Object target, Method m, McpResource a) {
        String where = "@McpResource method " + AnnotatedTools.describe(m);
        UriTemplate uriTemplate;
        try {
            uriTemplate = UriTemplate.parse(a.uri());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        List<String> names = variables(m, uriTemplate.variables(), where);
        ResourceTemplateDescriptor descriptor = ResourceTemplateDescriptor.builder(a.uri(),
                        a.name().isEmpty() ? m.getName() : a.name())
                .title(blank(a.title())).description(blank(a.description())).mimeType(blank(a.mimeType())).build();
        checkReturn(m, where);
        return ResourceTemplate.of(descriptor, (uri, variables, context) ->
                contents(uri, a, invoke(target, m, values(names, variables, context))));
    }

    /** The parameters' names (null for the context), checked to be exactly the template's variables. */
    private static List<String> variables(Method m, List<String> expected, String where) {
        List<String> names = new ArrayList<>();
        for (Parameter p : m.getParameters()) {
            if (RequestContext.class.isAssignableFrom(p.getType())) {
                names.add(null);
            } else if (p.getType() == String.class) {
                names.add(name(p, p.getAnnotation(Param.class), where));
            } else {
                throw new IllegalArgumentException(where + ": parameter '" + p.getName() + "' must be a String (a "
                        + "URI template variable) or a RequestContext");
            }
        }
        Set<String> given = new HashSet<>(names);
        given.remove(null);
        if (!given.equals(new HashSet<>(expected))) {
            throw new IllegalArgumentException(where + ": its String parameters " + given + " must be the URI "
                    + "template's variables " + expected);
        }
        return names;
    }

    private static void checkReturn(Method m, String where) {
        Class<?> r = m.getReturnType();
        boolean list = r == List.class && m.getGenericReturnType() instanceof ParameterizedType pt
                && pt.getActualTypeArguments()[0] instanceof Class<?> c && ResourceContents.class.isAssignableFrom(c);
        if (r != String.class && r != byte[].class && !ResourceContents.class.isAssignableFrom(r) && !list) {
            throw new IllegalArgumentException(where + " must return a String, a byte[], a ResourceContents or a "
                    + "List<ResourceContents>");
        }
    }

    private static Object[] values(List<String> names, Map<String, String> variables, RequestContext context) {
        Object[] values = new Object[names.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = names.get(i) == null ? context : variables.get(names.get(i));
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static List<ResourceContents> contents(String uri, McpResource a, Object value) {
        return switch (value) {
            case null -> throw new ResourceNotFoundException(uri);
            case String s -> List.of(ResourceContents.text(uri, a.mimeType().isEmpty() ? "text/plain" : a.mimeType(),
                    s));
            case byte[] b -> List.of(ResourceContents.blob(uri, a.mimeType().isEmpty() ? "application/octet-stream"
                    : a.mimeType(), Base64.getEncoder().encodeToString(b)));
            case ResourceContents c -> List.of(c);
            default -> (List<ResourceContents>) value;
        };
    }

    // ---- completions ----

    private static List<CompletionProvider> completions(Object target, List<Method> methods) {
        Map<CompletionRef, Map<String, Method>> byRef = new LinkedHashMap<>();
        for (Method m : methods) {
            McpCompletion a = m.getAnnotation(McpCompletion.class);
            String where = "@McpCompletion method " + AnnotatedTools.describe(m);
            if (a.prompt().isEmpty() == a.resourceTemplate().isEmpty()) {
                throw new IllegalArgumentException(where + ": set exactly one of prompt and resourceTemplate");
            }
            for (Parameter p : m.getParameters()) {
                if (p.getType() != String.class && p.getType() != Map.class
                        && !RequestContext.class.isAssignableFrom(p.getType())) {
                    throw new IllegalArgumentException(where + ": parameter '" + p.getName() + "' must be the String "
                            + "prefix, the Map<String, String> of resolved arguments, or a RequestContext");
                }
            }
            if (m.getReturnType() != List.class && m.getReturnType() != Completion.class) {
                throw new IllegalArgumentException(where + " must return a List<String> or a Completion");
            }
            CompletionRef ref = a.prompt().isEmpty() ? CompletionRef.resourceTemplate(a.resourceTemplate())
                    : CompletionRef.prompt(a.prompt());
            if (byRef.computeIfAbsent(ref, r -> new LinkedHashMap<>()).put(a.argument(), m) != null) {
                throw new IllegalArgumentException(where + ": argument '" + a.argument() + "' of " + ref.name()
                        + " is completed twice");
            }
        }
        List<CompletionProvider> providers = new ArrayList<>();
        byRef.forEach((ref, arguments) -> providers.add(new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return ref;
            }

            @Override
            @SuppressWarnings("unchecked")
            public Completion complete(String argumentName, String prefix, Map<String, String> context,
                                       RequestContext request) throws Exception {
                Method m = arguments.get(argumentName);
                if (m == null) {
                    return new Completion(List.of(), 0, false);
                }
                Object[] values = Arrays.stream(m.getParameterTypes())
                        .map(t -> t == String.class ? prefix : t == Map.class ? (Object) context : request)
                        .toArray();
                Object result = invoke(target, m, values);
                if (result instanceof Completion c) {
                    return c;
                }
                List<String> list = result == null ? List.of() : (List<String>) result;
                return new Completion(list, list.size(), false);
            }
        }));
        return providers;
    }

    // ---- shared ----

    private static String name(Parameter p, Param param, String where) {
        if (param != null && !param.name().isEmpty()) {
            return param.name();
        }
        if (!p.isNamePresent()) {
            throw new IllegalArgumentException(where + ": parameter " + p.getName() + " has no name: annotate it "
                    + "with @Param(name = ...) or compile with -parameters");
        }
        return p.getName();
    }

    private static Object invoke(Object target, Method m, Object[] values) throws Exception {
        try {
            return m.invoke(target, values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
