package com.example.notes;

import io.mcpserver.spi.tools.ToolException;
import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ClientRequestException;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.tools.McpTool;
import io.mcpserver.spi.tools.Param;
import io.mcpserver.spi.tools.ToolContext;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The notes tools, written as plain methods: the server derives each tool's input schema from the
 * parameters (names, types, {@link Param} descriptions, which are required) and turns the returned
 * records into structured content.
 */
public final class NoteTools {

    /** What the tools say about a note; {@code uri} reads it whole. */
    public record NoteSummary(String id, String title, List<String> tags, String created, String uri) {

        static NoteSummary of(NoteStore.Note note) {
            return new NoteSummary(note.id(), note.title(), note.tags(), note.created().toString(),
                    NotesPlugin.noteUri(note.id()));
        }
    }

    public record SearchResult(int count, List<NoteSummary> notes) {
    }

    private final NoteStore store;
    private final int maxLength;
    private final List<String> defaultTags;
    private final Consumer<String> changed;

    NoteTools(NoteStore store, int maxLength, List<String> defaultTags, Consumer<String> changed) {
        this.store = store;
        this.maxLength = maxLength;
        this.defaultTags = defaultTags;
        this.changed = changed;
    }

    @McpTool(name = "add_note", openWorld = false, destructive = false, title = "Add a note",
            description = "Saves a note with a title, Markdown text and optional tags. Returns its id and the "
                    + "URI that reads it (notes://note/<id>).")
    public NoteSummary addNote(
            @Param(description = "A short title") String title,
            @Param(description = "The note itself, Markdown") String text,
            @Param(description = "Tags to find it by, e.g. [\"work\", \"ideas\"]", required = false) List<String> tags,
            ToolContext context) {
        if (title.isBlank()) {
            // thrown exceptions become an isError result carrying this message, for the model to read
            throw new ToolException("title must not be blank");
        }
        if (text.length() > maxLength) {
            throw new ToolException("text is " + text.length() + " characters; this server keeps notes "
                    + "of at most " + maxLength + " (plugins.notes.max-length)");
        }
        List<String> allTags = new java.util.ArrayList<>(defaultTags);
        if (tags != null) {
            allTags.addAll(tags);
        }
        NoteStore.Note note = store.add(title, text, NoteStore.normalize(allTags));
        context.log(LogLevel.INFO, "notes", "saved note " + note.id() + " '" + note.title() + "'");
        changed.accept(NotesPlugin.INDEX_URI);
        return NoteSummary.of(note);
    }

    @McpTool(name = "search_notes", openWorld = false, title = "Search notes", readOnly = true,
            description = "Finds notes whose title or text contains the query (case-insensitive), optionally "
                    + "only those with a tag. With neither, lists every note.")
    public SearchResult searchNotes(
            @Param(description = "Words to look for", required = false) String query,
            @Param(description = "Only notes with this tag", required = false) String tag,
            ToolContext context) {
        String q = query == null ? "" : query.toLowerCase(Locale.ROOT);
        List<NoteStore.Note> notes = store.all();
        List<NoteSummary> found = new java.util.ArrayList<>();
        for (int i = 0; i < notes.size(); i++) {
            context.checkCancelled(); // a long search stops when the client cancels it
            NoteStore.Note n = notes.get(i);
            boolean text = q.isEmpty() || n.title().toLowerCase(Locale.ROOT).contains(q)
                    || n.text().toLowerCase(Locale.ROOT).contains(q);
            boolean tagged = tag == null || tag.isBlank() || n.tags().contains(tag.strip().toLowerCase(Locale.ROOT));
            if (text && tagged) {
                found.add(NoteSummary.of(n));
            }
            context.progress(i + 1, (double) notes.size(), "searched " + (i + 1) + " of " + notes.size());
        }
        return new SearchResult(found.size(), found);
    }

    @McpTool(name = "delete_note", openWorld = false, title = "Delete a note", destructive = true, idempotent = true,
            description = "Deletes the note with this id. Deleting a note that does not exist is not an error.")
    public String deleteNote(@Param(description = "The note's id, as add_note or search_notes gave it") String id) {
        boolean deleted = store.delete(id);
        if (deleted) {
            changed.accept(NotesPlugin.INDEX_URI);
        }
        return deleted ? "Deleted note " + id : "There is no note " + id;
    }

    @McpTool(name = "suggest_title", title = "Suggest a title", readOnly = true,
            description = "Suggests a short title for a text, asking the client's model when the client allows "
                    + "sampling, else taking the text's first words.")
    public String suggestTitle(@Param(description = "The text to title") String text, ToolContext context)
            throws InterruptedException {
        if (context.clientSupports(ClientFeature.SAMPLING)) {
            try {
                String answer = context.sample(SamplingRequest.ofUserText(
                        "Suggest a title of at most six words for this note. Answer with the title only.\n\n" + text,
                        30)).text();
                if (answer != null && !answer.isBlank()) {
                    return answer.strip();
                }
            } catch (ClientRequestException e) {
                context.log(LogLevel.WARNING, "notes", "the client's model did not answer: " + e.getMessage());
            }
        }
        String[] words = text.strip().split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(words, Math.min(6, words.length)));
    }
}
