package io.mcpserver.server.registry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matches URIs against an RFC 6570 template with simple {@code {var}} expressions (one segment each)
 * and reserved {@code {+var}} expressions (may span slashes). A simple variable stays one segment after
 * percent-decoding too: {@code ..%2Fx} does not reach a plugin as {@code ../x} through {@code {id}}.
 */
public final class UriTemplate {

    private static final Pattern EXPRESSION = Pattern.compile("\\{([+]?)([A-Za-z0-9_.]+)}");

    private final String template;
    private final Pattern pattern;
    private final List<String> variables;
    /** Per variable: true for a simple {@code {var}} (one segment), false for a reserved {@code {+var}}. */
    private final List<Boolean> segment;

    private UriTemplate(String template, Pattern pattern, List<String> variables, List<Boolean> segment) {
        this.template = template;
        this.pattern = pattern;
        this.variables = variables;
        this.segment = segment;
    }

    public static UriTemplate parse(String template) {
        Matcher m = EXPRESSION.matcher(template);
        StringBuilder regex = new StringBuilder();
        List<String> variables = new ArrayList<>();
        List<Boolean> segment = new ArrayList<>();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            // reluctant: a simple expansion percent-encodes reserved characters, so the first literal after it ends
            // it ({a}={+b} against x%3Dy=z gives a=x=y, b=z; greedy took a=x=y=z... UriTemplatePropertiesTest)
            regex.append(m.group(1).isEmpty() ? "([^/?#]+?)" : "(.+)");
            variables.add(m.group(2));
            segment.add(m.group(1).isEmpty());
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return new UriTemplate(template, Pattern.compile(regex.toString()), List.copyOf(variables), List.copyOf(segment));
    }

    public String template() {
        return template;
    }

    public List<String> variables() {
        return variables;
    }

    /** Whether {@code uri} has this template's shape (its variables are not decoded). */
    public boolean matches(String uri) {
        return pattern.matcher(uri).matches();
    }

    /**
     * The variables of {@code uri} if it matches, percent-decoded.
     *
     * @throws IllegalArgumentException when a variable's percent-encoding is broken ({@code %} without two hex digits)
     */
    public Optional<Map<String, String>> match(String uri) {
        Matcher m = pattern.matcher(uri);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < variables.size(); i++) {
            String value = URLDecoder.decode(m.group(i + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
            if (segment.get(i) && (value.contains("/") || value.equals(".") || value.equals(".."))) {
                return Optional.empty(); // decoded, it is no longer one segment: not this template's shape
            }
            values.put(variables.get(i), value);
        }
        return Optional.of(values);
    }
}
