package com.example.notes;

import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.PluginContext;
import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.completion.Completion;
import io.mcpserver.spi.completion.CompletionProvider;
import io.mcpserver.spi.completion.CompletionRef;
import io.mcpserver.spi.content.ResourceContents;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.resources.Resource;
import io.mcpserver.spi.resources.ResourceDescriptor;
import io.mcpserver.spi.resources.ResourceNotFoundException;
import io.mcpserver.spi.resources.ResourceTemplate;
import io.mcpserver.spi.resources.ResourceTemplateDescriptor;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Notes kept in the plugin's data directory: tools to add, search and delete them, a resource listing
 * them and one per note, a prompt that summarizes notes, and completions for note ids and tags.
 *
 * <p>Configuration ({@code plugins.notes} in the server's YAML): {@code max-length} (characters per
 * note, default 10000) and {@code default-tags} (tags every new note gets, default none).
 */
public final class NotesPlugin implements McpPlugin {

    static final String INDEX_URI = "notes://index";
    static final String NOTE_TEMPLATE = "notes://note/{id}";
    static final String SUMMARIZE = "summarize_notes";

    private NoteStore store;
    private NoteTools tools;

    /** The server creates plugins with this constructor; all setting up happens in {@link #init}. */
    public NotesPlugin() {
    }

    static String noteUri(String id) {
        return "notes://note/" + id;
    }

    @Override
    public String name() {
        return "notes";
    }

    @Override
    public String description() {
        return "Notes kept in the plugin's data directory";
    }

    @Override
    public void init(PluginContext context) {
        long maxLength = context.config().number("max-length", 10_000);
        if (maxLength < 1 || maxLength > 1_000_000) {
            // failing init skips the plugin with this message in the server log; the server still starts
            throw new IllegalArgumentException("max-length must be between 1 and 1000000, was " + maxLength);
        }
        List<String> defaultTags = NoteStore.normalize(context.config().strings("default-tags"));
        store = new NoteStore(context.dataDirectory(), Clock.systemUTC());
        tools = new NoteTools(store, (int) maxLength, defaultTags, context::resourceUpdated);
        context.logger().log(System.Logger.Level.INFO, "Keeping notes in " + context.dataDirectory());
    }

    @Override
    public List<Object> annotatedTools() {
        return List.of(tools);
    }

    @Override
    public List<Resource> resources() {
        return List.of(Resource.of(
                ResourceDescriptor.of(INDEX_URI, "index", "Every note: id, title and tags", "text/markdown"),
                context -> List.of(ResourceContents.text(INDEX_URI, "text/markdown", index()))));
    }

    private String index() {
        List<NoteStore.Note> notes = store.all();
        if (notes.isEmpty()) {
            return "# Notes\n\nNo notes yet: add one with the add_note tool.\n";
        }
        return notes.stream().map(n -> "- [" + n.title() + "](" + noteUri(n.id()) + ")"
                        + (n.tags().isEmpty() ? "" : " — " + String.join(", ", n.tags())))
                .collect(Collectors.joining("\n", "# Notes\n\n", "\n"));
    }

    @Override
    public List<ResourceTemplate> resourceTemplates() {
        return List.of(ResourceTemplate.of(
                ResourceTemplateDescriptor.of(NOTE_TEMPLATE, "note", "One note, by id", "text/markdown"),
                (uri, variables, context) -> {
                    NoteStore.Note note = store.get(variables.get("id"))
                            .orElseThrow(() -> new ResourceNotFoundException(uri)); // → "resource not found" error
                    return List.of(ResourceContents.text(uri, "text/markdown", "# " + note.title() + "\n\n"
                            + note.text()));
                }));
    }

    @Override
    public List<Prompt> prompts() {
        PromptDescriptor descriptor = PromptDescriptor.builder(SUMMARIZE)
                .title("Summarize notes")
                .description("Asks the model to summarize the notes, or only those with a tag.")
                .argument("tag", "Only notes with this tag", false)
                .build();
        return List.of(Prompt.of(descriptor, (args, context) -> summarize(args.get("tag"))));
    }

    private PromptResult summarize(String tag) {
        List<NoteStore.Note> notes = store.all().stream()
                .filter(n -> tag == null || tag.isBlank() || n.tags().contains(tag.strip().toLowerCase(java.util.Locale.ROOT)))
                .toList();
        if (notes.isEmpty()) {
            // an exception here would reach the client as an internal error: answer something useful instead
            return PromptResult.ofUserText("No notes", "There are no notes" + (tag == null ? "" : " tagged " + tag)
                    + " yet. Offer to add one with the add_note tool.");
        }
        String text = notes.stream().map(n -> "## " + n.title() + "\n" + n.text())
                .collect(Collectors.joining("\n\n", "Summarize these notes in a few bullet points, grouping related "
                        + "ones:\n\n", ""));
        return PromptResult.ofUserText("Summary of " + notes.size() + " notes", text);
    }

    @Override
    public List<CompletionProvider> completions() {
        return List.of(
                provider(CompletionRef.prompt(SUMMARIZE), "tag", prefix -> Completion.filter(store.tags(), prefix)),
                provider(CompletionRef.resourceTemplate(NOTE_TEMPLATE), "id", prefix -> Completion.filter(
                        store.all().stream().map(NoteStore.Note::id).toList(), prefix)));
    }

    private static CompletionProvider provider(CompletionRef ref, String argument,
                                               java.util.function.Function<String, Completion> complete) {
        return new CompletionProvider() {
            @Override
            public CompletionRef ref() {
                return ref;
            }

            @Override
            public Completion complete(String argumentName, String prefix, Map<String, String> context,
                                       RequestContext request) {
                return argumentName.equals(argument) ? complete.apply(prefix) : new Completion(List.of(), 0, false);
            }
        };
    }
}
