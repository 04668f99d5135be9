package io.mcpserver.server.tools;

import io.mcpserver.spi.prompts.McpPrompt;
import io.mcpserver.spi.resources.McpResource;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Annotated prompts and resources that cannot work are refused when the plugin loads (the kit test shows them working). */
class AnnotatedObjectsTest {

    public static final class WrongVariables {
        @McpResource(uri = "notes://note/{id}")
        public String note(String name) {
            return "";
        }
    }

    public static final class NotText {
        @McpPrompt
        public String p(int count) {
            return "";
        }
    }

    @Test
    void misfitsAreRefusedAtLoad() {
        String wrong = assertThrows(IllegalArgumentException.class,
                () -> AnnotatedObjects.scan(new WrongVariables())).getMessage();
        assertTrue(wrong.contains("[name] must be the URI template's variables [id]"), wrong);
        String notText = assertThrows(IllegalArgumentException.class,
                () -> AnnotatedObjects.scan(new NotText())).getMessage();
        assertTrue(notText.contains("parameter 'count' must be a String"), notText);
    }
}
