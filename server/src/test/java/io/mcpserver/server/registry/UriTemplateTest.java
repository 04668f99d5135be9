package io.mcpserver.server.registry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UriTemplateTest {

    @Test
    void aSimpleVariableIsOneSegmentAndAReservedOneMaySpanSlashes() {
        UriTemplate t = UriTemplate.parse("test://items/{id}/parts/{+path}");
        assertEquals(List.of("id", "path"), t.variables());
        assertEquals(Optional.of(Map.of("id", "7", "path", "a/b/c.txt")), t.match("test://items/7/parts/a/b/c.txt"));
        assertEquals(Optional.empty(), t.match("test://items/7/8/parts/a"), "{id} spans no slash");
        assertEquals(Optional.empty(), t.match("test://items//parts/a"), "{id} is not empty");
        assertEquals(Optional.empty(), t.match("test://other/7/parts/a"));
    }

    @Test
    void aSimpleVariableEndsAtTheFirstLiteralAfterIt() {
        // found by UriTemplatePropertiesTest: the greedy {a} took the '=' that separates it from {+b}
        UriTemplate t = UriTemplate.parse("x://{a}={+b}");
        assertEquals(Optional.of(Map.of("a", "p=q", "b", "r=s")), t.match("x://p%3Dq=r=s"));
        UriTemplate two = UriTemplate.parse("x://{a},{b}");
        assertEquals(Optional.of(Map.of("a", "1", "b", "2,3")), two.match("x://1,2,3"), "a client that left a comma unencoded");
    }

    @Test
    void valuesArePercentDecodedAfterMatchingAndPlusStaysPlus() {
        UriTemplate t = UriTemplate.parse("demo://greeting/{name}");
        assertEquals(Optional.of(Map.of("name", "Ada Lovelace")), t.match("demo://greeting/Ada%20Lovelace"));
        assertEquals(Optional.of(Map.of("name", "a+b")), t.match("demo://greeting/a+b"));
        assertEquals(Optional.of(Map.of("name", "Zoë")), t.match("demo://greeting/Zo%C3%AB"));
        assertEquals(Optional.of(Map.of("name", "50%")), t.match("demo://greeting/50%25"));
    }

    @Test
    void aSimpleVariableThatDecodesToSeveralSegmentsOrADotSegmentDoesNotMatch() {
        UriTemplate t = UriTemplate.parse("notes://note/{id}");
        assertEquals(Optional.empty(), t.match("notes://note/..%2Fx"), "{id} must not hand a plugin ../x");
        assertEquals(Optional.empty(), t.match("notes://note/%2E%2E"));
        assertEquals(Optional.empty(), t.match("notes://note/.."));
        assertEquals(Optional.empty(), t.match("notes://note/a%2Fb"));
        assertEquals(Optional.of(Map.of("id", "..x")), t.match("notes://note/..x"), "dots inside a name are fine");
    }

    @Test
    void aReservedVariableMayDecodeToSlashes() {
        UriTemplate t = UriTemplate.parse("file:///{+path}");
        assertEquals(Optional.of(Map.of("path", "a/b")), t.match("file:///a%2Fb"));
    }

    @Test
    void literalPartsAreMatchedLiterally() {
        UriTemplate t = UriTemplate.parse("test://a.b/{x}?q=1");
        assertEquals(Optional.of(Map.of("x", "y")), t.match("test://a.b/y?q=1"));
        assertEquals(Optional.empty(), t.match("test://aXb/y?q=1"), "the dot is not a regex wildcard");
        assertEquals("test://a.b/{x}?q=1", t.template());
    }
}
