package io.mcpserver.plugins.demo;

import io.mcpserver.testkit.McpTestClient;
import io.mcpserver.testkit.McpTestServer;
import io.mcpserver.testkit.ToolCallResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo plugin in a real in-process server, through a real client over TCP (the plugin test kit). */
class DemoPluginKitTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void echoes() {
        try (var server = McpTestServer.with(DemoPlugin.class).start(); var client = server.client()) {
            assertEquals("hi there", client.callTool("echo", Map.of("text", "hi there")).text());
        }
    }

    @Test
    void slowCountReportsProgressAndLogsAndStopsWhenCancelled() throws Exception {
        try (var server = McpTestServer.with(DemoPlugin.class).start(); var client = server.client()) {
            ToolCallResult done = client.callTool("slow_count", Map.of("count", 3, "delay_ms", 0));
            assertEquals("Counted to 3", done.text());
            assertEquals(List.of(1.0, 2.0, 3.0), done.progress().stream()
                    .map(n -> ((Number) n.params().get("progress")).doubleValue()).toList());
            assertEquals(3, client.notifications("notifications/message").size());

            McpTestClient.PendingCall call = client.startToolCall("slow_count",
                    Map.of("count", 1000, "delay_ms", 20, "tag", "kit"));
            call.awaitProgress(WAIT);
            call.cancel("enough");
            String outcome = awaitOutcome(client, "kit");
            assertTrue(outcome.startsWith("cancelled"), "the server stopped the tool: " + outcome);
            // the tool has ended and its progress was written before this read's answer: nothing more can come
            int seen = call.progress().size();
            assertEquals(outcome, client.readResource("demo://calls/kit").text());
            assertEquals(seen, call.progress().size(), "progress stopped after the cancellation");
            assertTrue(seen < 1000, seen + " steps");
            assertFalse(call.isDone(), "a cancelled request gets no answer");
        }
    }

    /** Reads demo://calls/{tag} until the call is no longer running. */
    private static String awaitOutcome(McpTestClient client, String tag) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String outcome = client.readResource("demo://calls/" + tag).text();
        while (outcome.equals("running") && System.nanoTime() < deadline) {
            Thread.sleep(10);
            outcome = client.readResource("demo://calls/" + tag).text();
        }
        return outcome;
    }

    @Test
    void asksTheClientsModelTheUserAndItsRoots() {
        try (var server = McpTestServer.with(DemoPlugin.class).start();
             var client = server.client(McpTestClient.options()
                     .samplingText(question -> "42, as for '" + question + "'")
                     .elicitationAccept(Map.of("name", "Ada", "colour", "green"))
                     .roots("file:///home/ada/project"))) {
            assertTrue(client.callTool("ask_model", Map.of("question", "why?")).text().startsWith("42, as for 'why?'"));
            String answer = client.callTool("ask_user", Map.of()).text();
            assertTrue(answer.contains("name = Ada") && answer.contains("colour = green"), answer);
            assertTrue(client.callTool("list_roots", Map.of()).text().contains("file:///home/ada/project"));
        }
    }

    @Test
    void withoutThoseCapabilitiesTheToolsSaySo() {
        try (var server = McpTestServer.with(DemoPlugin.class).start(); var client = server.client()) {
            ToolCallResult result = client.callTool("ask_model", Map.of("question", "why?"));
            assertTrue(result.isError());
            assertTrue(result.text().contains("does not support sampling"), result.text());
        }
    }

    @Test
    void resourcesSubscriptionsPromptsAndCompletions() {
        try (var server = McpTestServer.with(DemoPlugin.class).start(); var client = server.client()) {
            client.subscribe(DemoPlugin.COUNTER_URI);
            client.callTool("bump_counter", Map.of("by", 5));
            assertEquals(DemoPlugin.COUNTER_URI, client.awaitNotification("notifications/resources/updated", WAIT)
                    .params().get("uri"));
            assertEquals("5", client.readResource(DemoPlugin.COUNTER_URI).text());
            assertEquals("Hello, Grace!", client.readResource("demo://greeting/Grace").text());
            assertTrue(client.getPrompt("greet", Map.of("name", "Ada", "style", "pirate")).text().contains("pirate"));
            assertEquals(List.of("pirate"), client.completePrompt("greet", "style", "pi").values());
            assertEquals(List.of("Grace"), client.completeResourceTemplate(DemoPlugin.GREETING_TEMPLATE, "name", "gr")
                    .values());
        }
    }

    @Test
    void configuredLimitsApply() {
        try (var server = McpTestServer.with(DemoPlugin.class).config("max-sleep-ms", 100).start();
             var client = server.client()) {
            ToolCallResult result = client.callTool("sleep", Map.of("ms", 500));
            assertTrue(result.isError());
            assertEquals("ms must be between 0 and 100, was 500", result.text());
        }
    }
}
