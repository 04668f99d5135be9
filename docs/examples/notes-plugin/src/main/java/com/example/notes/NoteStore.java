package com.example.notes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Notes as files in the plugin's data directory, one {@code <id>.md} each: a few header lines
 * ({@code title:}, {@code tags:}, {@code created:}), a blank line, then the text. Plain files keep
 * the plugin free of libraries, and a person can read or back them up.
 */
final class NoteStore {

    /** A note; {@code id} is a number as text, unique in the store. */
    record Note(String id, String title, List<String> tags, Instant created, String text) {
    }

    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,9}");

    private final Path dir;
    private final Clock clock;

    NoteStore(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** Saves a new note and returns it with its id. */
    synchronized Note add(String title, String text, List<String> tags) {
        long next = all().stream().mapToLong(n -> Long.parseLong(n.id())).max().orElse(0) + 1;
        Note note = new Note(Long.toString(next), title.strip(), normalize(tags),
                clock.instant().truncatedTo(ChronoUnit.SECONDS), text);
        String file = "title: " + note.title().replace('\n', ' ') + "\n"
                + "tags: " + String.join(", ", note.tags()) + "\n"
                + "created: " + note.created() + "\n\n"
                + note.text();
        try {
            // write then rename: a reader never sees half a note
            Path temp = Files.createTempFile(dir, ".note-", ".tmp");
            Files.writeString(temp, file, StandardCharsets.UTF_8);
            Files.move(temp, dir.resolve(note.id() + ".md"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the note: " + e.getMessage(), e);
        }
        return note;
    }

    /** The note with this id; empty when there is none (or the id is not one of ours). */
    Optional<Note> get(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty(); // never let an id name a path outside the store
        }
        return read(dir.resolve(id + ".md"));
    }

    synchronized boolean delete(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return false;
        }
        try {
            return Files.deleteIfExists(dir.resolve(id + ".md"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete note " + id + ": " + e.getMessage(), e);
        }
    }

    /** Every note, oldest first. */
    List<Note> all() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> ID.matcher(p.getFileName().toString().replace(".md", "")).matches()
                            && p.getFileName().toString().endsWith(".md"))
                    .map(this::read).flatMap(Optional::stream)
                    .sorted(Comparator.comparingLong(n -> Long.parseLong(n.id())))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list notes: " + e.getMessage(), e);
        }
    }

    /** Every tag in use, sorted. */
    Set<String> tags() {
        Set<String> tags = new TreeSet<>();
        all().forEach(n -> tags.addAll(n.tags()));
        return tags;
    }

    static List<String> normalize(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        return tags.stream().map(t -> t.strip().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).distinct()
                .sorted().toList();
    }

    private Optional<Note> read(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        }
        int blank = content.indexOf("\n\n");
        String header = blank < 0 ? content : content.substring(0, blank);
        String text = blank < 0 ? "" : content.substring(blank + 2);
        String title = "";
        List<String> tags = new ArrayList<>();
        Instant created = Instant.EPOCH;
        for (String line : header.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String value = line.substring(colon + 1).strip();
            switch (line.substring(0, colon).strip()) {
                case "title" -> title = value;
                case "tags" -> tags = value.isEmpty() ? List.of() : Arrays.stream(value.split(",")).map(String::strip)
                        .toList();
                case "created" -> created = Instant.parse(value);
                default -> { } // a header a later version added: ignore it
            }
        }
        String id = file.getFileName().toString().replace(".md", "");
        return Optional.of(new Note(id, title, List.copyOf(tags), created, text));
    }
}
