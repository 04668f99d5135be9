package io.mcpserver.server.registry;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matching client URIs (untrusted) against plugin templates, with percent-decoding. An input is a template line
 * and a URI; the URI is matched against the shapes plugins declare and against the fuzzed template when it has at
 * most two reserved expressions (more makes the regex polynomial in the URI: plugin templates are trusted input). Properties: match throws nothing but
 * the documented {@link IllegalArgumentException} for broken percent-encoding; a match gives every variable; a
 * simple variable never decodes to more than one segment; the uri length is the caller's limit, and matching it
 * stays fast (the per-input timeout).
 */
class UriTemplateFuzzTest {

    private static final List<UriTemplate> TEMPLATES = List.of(
            UriTemplate.parse("item://{id}"),
            UriTemplate.parse("item://{id}/{+rest}"),
            UriTemplate.parse("file:///{+path}"),
            UriTemplate.parse("db://{schema}/{table}/rows/{row}"),
            UriTemplate.parse("weather://{city}/forecast?days={days}"),
            UriTemplate.parse("repo://{owner}.{name}/{+path}#{fragment}"));

    @FuzzTest
    void match(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        UriTemplate fuzzed = UriTemplate.parse(newline < 0 ? text : text.substring(0, newline)); // any text parses
        String uri = newline < 0 ? "" : text.substring(newline + 1);
        for (UriTemplate template : TEMPLATES) {
            check(template, uri);
        }
        if (fuzzed.template().split("\\{\\+", -1).length <= 3) {
            check(fuzzed, uri);
        }
    }

    private static void check(UriTemplate template, String uri) {
        Optional<Map<String, String>> match;
        try {
            match = template.match(uri);
        } catch (IllegalArgumentException e) {
            return; // broken percent-encoding: documented, answered -32602 by resources/read
        }
        if (match.isEmpty()) {
            return;
        }
        if (!template.matches(uri)) {
            throw new AssertionError("match() found variables where matches() said no: " + uri);
        }
        Map<String, String> values = match.get();
        if (!values.keySet().containsAll(template.variables())) {
            throw new AssertionError("variables missing from the match of " + uri + ": " + values);
        }
        String raw = template.template();
        if (new java.util.HashSet<>(template.variables()).size() < template.variables().size()) {
            return; // a name used twice: the map keeps one of its values
        }
        for (String variable : template.variables()) {
            String value = values.get(variable);
            boolean simple = raw.contains("{" + variable + "}");
            if (simple && (value.contains("/") || value.equals(".") || value.equals(".."))) {
                throw new AssertionError("{" + variable + "} decoded to more than one segment: '" + value + "' from " + uri);
            }
        }
    }
}
