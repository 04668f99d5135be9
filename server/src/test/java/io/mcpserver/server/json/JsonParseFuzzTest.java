package io.mcpserver.server.json;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The server's byte parser ({@link BulkStringParser}, behind {@link Json#MAPPER}) against Jackson's own: for any
 * bytes, the same tree or the same error (class, message and location). Its seeds are JSON-RPC messages with escapes,
 * UTF-8 of every length, invalid UTF-8, raw controls and an unterminated string.
 */
class JsonParseFuzzTest {

    @FuzzTest
    void readTree(byte[] bytes) {
        BulkStringParserTest.assertSameAsJackson(bytes);
    }
}
