package io.mcpserver.server.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaValidatorTest {

    @Test
    void xMcpHeaderIsAKnownAnnotation() {
        List<String> warnings = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("com.networknt.schema");
        logger.addHandler(handler);
        try {
            SchemaValidator v = SchemaValidator.compile(Map.of("type", "object", "properties",
                    Map.of("region", Map.of("type", "string", "x-mcp-header", "Region")), "required", List.of("region")));
            ObjectNode ok = Json.object().put("region", "eu");
            assertTrue(v.validate(ok).isEmpty());
            assertTrue(v.validate(Json.object()).isPresent());
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of(), warnings.stream().filter(w -> w.contains("x-mcp-header")).toList(),
                "a tool whose schema mirrors a parameter into a header is not worth a warning");
    }
}
