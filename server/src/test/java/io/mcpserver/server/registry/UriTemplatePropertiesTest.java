package io.mcpserver.server.registry;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static io.mcpserver.server.testing.Properties.anyText;
import static io.mcpserver.server.testing.Properties.forAll;
import static io.mcpserver.server.testing.Properties.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expand and match are inverse: a URI a client builds from a template by RFC 6570 expansion (simple {@code {var}}
 * percent-encodes all but unreserved characters; reserved {@code {+var}} keeps reserved ones) matches that template
 * and gives back exactly the values, for any text ({@code %}, {@code +}, spaces, reserved characters, non-ASCII,
 * emoji; slashes too in a reserved variable). And a
 * simple variable never matches more than one segment, however the slash is encoded.
 */
class UriTemplatePropertiesTest {

    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private static final String RESERVED = ":/?#[]@!$&'()*+,;=";
    /** Characters a simple expansion always encodes, so they separate two expressions unambiguously. */
    private static final String SEPARATORS = "/,;!=@:";

    private static String expand(String value, boolean reserved) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (b >= 0 && (UNRESERVED.indexOf(c) >= 0 || (reserved && RESERVED.indexOf(c) >= 0))) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String simpleValue(Random random) {
        String v;
        do {
            v = anyText(random, 12).replace("/", ""); // a slash in a simple variable is refused by design (below)
        } while (v.isEmpty() || v.equals(".") || v.equals(".."));
        return v;
    }

    @Test
    void matchingAnExpansionGivesBackTheValues() {
        forAll(2000, random -> {
            StringBuilder template = new StringBuilder(string(random, "abcxyz", 1 + random.nextInt(4)) + "://");
            StringBuilder uri = new StringBuilder(template);
            Map<String, String> values = new LinkedHashMap<>();
            int simple = random.nextInt(4);
            for (int i = 0; i < simple; i++) {
                String name = "v" + i;
                String value = simpleValue(random);
                values.put(name, value);
                template.append('{').append(name).append('}');
                uri.append(expand(value, false));
                String literal = SEPARATORS.charAt(random.nextInt(SEPARATORS.length()))
                        + string(random, "abc", random.nextInt(3));
                template.append(literal);
                uri.append(literal);
            }
            if (random.nextBoolean()) { // a reserved expression last, as in file:///{+path}
                String value = anyText(random, 16).replace("%", "");
                if (!value.isEmpty()) {
                    values.put("rest", value);
                    template.append("{+rest}");
                    uri.append(expand(value, true));
                }
            }
            UriTemplate parsed = UriTemplate.parse(template.toString());
            Optional<Map<String, String>> match = parsed.match(uri.toString());
            assertTrue(match.isPresent(), uri + " does not match " + template);
            assertEquals(values, match.get(), uri + " against " + template);
        });
    }

    @Test
    void aSimpleVariableIsOneSegmentHoweverTheSlashIsWritten() {
        UriTemplate template = UriTemplate.parse("item://{id}");
        forAll(1000, random -> {
            String a = string(random, "abc.%2Ff", random.nextInt(6));
            String b = string(random, "abc.%2Ff", random.nextInt(6));
            String slash = switch (random.nextInt(3)) {
                case 0 -> "/";
                case 1 -> "%2F";
                default -> "%2f";
            };
            try {
                template.match("item://" + a + slash + b).ifPresent(v -> assertTrue(!v.get("id").contains("/"),
                        "{id} took " + v.get("id")));
            } catch (IllegalArgumentException brokenPercent) {
                // a '%' without two hex digits: refused as such
            }
        });
    }
}
