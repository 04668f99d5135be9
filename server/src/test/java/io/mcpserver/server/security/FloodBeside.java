package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.testing.LineClient;

import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flooding principal's large echo calls sent in the background, and the calm principal beside it timed. */
final class FloodBeside {

    /** The ids of the flood's calls: {@value} onwards. */
    static final int FIRST_ID = 1000;

    private FloodBeside() {
    }

    /** On a virtual thread: {@code count} echo calls of {@code text} over TCP, ids from {@link #FIRST_ID}. */
    static Thread send(LineClient flooder, int count, String text) {
        return Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    flooder.send(SecuredServer.echo(FIRST_ID + i, text));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The same over a WebSocket. */
    static Thread send(WebSocket flooder, int count, String text) {
        return Thread.ofVirtual().start(() -> {
            for (int i = 0; i < count; i++) {
                flooder.sendText(SecuredServer.echo(FIRST_ID + i, text), true).join();
            }
        });
    }

    /** Three echo calls of the calm TCP client, each answered within {@code boundMs}. */
    static void assertCalmServed(LineClient calm, long boundMs) throws Exception {
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            JsonNode reply = calm.request(SecuredServer.echo(i + 2, "calm"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("calm", reply.at("/result/content/0/text").asText(), reply.toString());
            assertTrue(ms < boundMs, "the calm principal answered after " + ms + " ms");
        }
    }

    /** The same over a WebSocket whose messages arrive in {@code inbox}. */
    static void assertCalmServed(WebSocket calm, BlockingQueue<String> inbox, long boundMs) throws Exception {
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            calm.sendText(SecuredServer.echo(i + 2, "calm"), true).join();
            String reply = inbox.poll(boundMs, TimeUnit.MILLISECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertNotNull(reply, "the calm principal unanswered after " + ms + " ms");
            assertEquals("calm", Json.parse(reply).at("/result/content/0/text").asText(), reply);
        }
    }
}
