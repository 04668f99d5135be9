package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.server.tasks.TaskRecord;
import io.mcpserver.server.tasks.TaskStore;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Asynchronous REST calls (tasks), their progress over SSE with {@code Last-Event-ID} resumption, polling and
 * cancelling them, and change subscriptions over SSE, on a real socket.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestAsyncTest {

    private static HttpFixture server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpFixture.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One SSE event as read off the wire. */
    record Event(String id, String name, JsonNode data) {
    }

    /** An open SSE response, read event by event. */
    static final class Sse implements AutoCloseable {
        final HttpResponse<InputStream> response;
        private final BufferedReader reader;

        Sse(URI uri, String... headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            response = RestTest.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        }

        /** The next event (comments skipped); null at the end of the stream. */
        Event next() throws Exception {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (name != null || !data.isEmpty()) {
                        return new Event(id, name, Json.parse(data.toString()));
                    }
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            return null;
        }

        /** Every event until the stream ends. */
        List<Event> rest() throws Exception {
            List<Event> events = new ArrayList<>();
            for (Event e = next(); e != null; e = next()) {
                events.add(e);
            }
            return events;
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return RestTest.post(server.uri("/mcp/v1" + path), "application/json", body, headers);
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return RestTest.HTTP.send(HttpRequest.newBuilder(server.uri(path)).method(method,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void preferRespondAsyncStartsAnOperationWhoseProgressStreamsAndResumes() throws Exception {
        HttpResponse<String> started = post("/tools/chatty", "{}", "Prefer", "respond-async");
        assertEquals(202, started.statusCode(), started.body());
        JsonNode op = Json.parse(started.body());
        String id = op.path("operationId").asText();
        assertEquals("/mcp/v1/operations/" + id, started.headers().firstValue("Location").orElse(""));
        assertEquals("respond-async", started.headers().firstValue("Preference-Applied").orElse(""));
        assertEquals("/mcp/v1/sse/progress/" + id, op.path("progress").asText());

        List<Event> events;
        try (Sse sse = new Sse(server.uri("/mcp/v1/sse/progress/" + id))) {
            assertEquals(200, sse.response.statusCode());
            assertEquals("text/event-stream", sse.response.headers().firstValue("Content-Type").orElse(""));
            events = sse.rest();
        }
        List<String> names = events.stream().map(Event::name).toList();
        assertEquals(List.of("log", "progress", "log", "progress", "log", "progress", "result"), names,
                events.toString());
        assertEquals(3, events.get(5).data().path("progress").asInt(), events.toString());
        assertEquals("step 3", events.get(5).data().path("message").asText(), events.toString());
        assertEquals("chatted", events.getLast().data().path("content").path(0).path("text").asText());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(String.valueOf(i + 1), events.get(i).id());
        }

        // resumed after event 4: the events after it, and the stream ends with the result
        try (Sse resumed = new Sse(server.uri("/mcp/v1/sse/progress/" + id), "Last-Event-ID", "4")) {
            List<Event> rest = resumed.rest();
            assertEquals(List.of("5", "6", "7"), rest.stream().map(Event::id).toList(), rest.toString());
            assertEquals("result", rest.getLast().name());
        }

        // polling: the same outcome, from the task's record
        JsonNode polled = Json.parse(send("GET", "/mcp/v1/operations/" + id).body());
        assertEquals("completed", polled.path("status").asText(), polled.toString());
        assertEquals("chatted", polled.path("result").path("content").path(0).path("text").asText());
        assertEquals(3, polled.path("progress").path("progress").asInt(), polled.toString());
    }

    @Test
    void anOperationKeepsOnlyTheNewestEventsOfItsReplayBuffer() throws Exception {
        try (HttpFixture small = HttpFixture.start(java.util.Map.of("transports.http.sse-replay-buffer", "3"))) {
            HttpResponse<String> started = RestTest.post(small.uri("/mcp/v1/tools/chatty"), "application/json", "{}",
                    "Prefer", "respond-async");
            String id = Json.parse(started.body()).path("operationId").asText();
            JsonNode polled;
            do {
                Thread.sleep(20);
                polled = Json.parse(RestTest.HTTP.send(HttpRequest.newBuilder(small.uri("/mcp/v1/operations/" + id))
                        .build(), HttpResponse.BodyHandlers.ofString()).body());
            } while (polled.path("status").asText().equals("working"));
            try (Sse sse = new Sse(small.uri("/mcp/v1/sse/progress/" + id))) {
                List<Event> events = sse.rest();
                assertEquals(List.of("5", "6", "7"), events.stream().map(Event::id).toList(), events.toString());
                assertEquals("result", events.getLast().name());
            }
        }
    }

    /**
     * The stream's last event and {@code GET operations/{id}} agree: a client that reads the result off the stream
     * and polls at once finds the operation completed, however long the task store takes to record it (a cluster's
     * Redis; here a store that takes 300 ms per change). Found in RestIT under load: the poll said {@code working}.
     */
    @Test
    void anOperationPolledRightAfterItsStreamEndedIsFinished() throws Exception {
        try (HttpFixture slowStore = HttpFixture.start()) {
            TaskStore memory = TaskStore.inMemory(java.time.Clock.systemUTC());
            slowStore.core.tasks().shareStore(new TaskStore() {
                @Override
                public void create(TaskRecord record) {
                    memory.create(record);
                }

                @Override
                public java.util.Optional<TaskRecord> get(String id) {
                    return memory.get(id);
                }

                @Override
                public java.util.Optional<TaskRecord> update(String id,
                        java.util.function.UnaryOperator<TaskRecord> change) {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return memory.update(id, change);
                }

                @Override
                public int purgeExpired(java.time.Instant now) {
                    return memory.purgeExpired(now);
                }
            });
            HttpResponse<String> started = RestTest.post(slowStore.uri("/mcp/v1/tools/echo"), "application/json",
                    "{\"text\":\"x\"}", "Prefer", "respond-async");
            assertEquals(202, started.statusCode(), started.body());
            String id = Json.parse(started.body()).path("operationId").asText();
            try (Sse sse = new Sse(slowStore.uri("/mcp/v1/sse/progress/" + id))) {
                List<Event> events = sse.rest();
                assertEquals("result", events.getLast().name(), events.toString());
            }
            JsonNode polled = Json.parse(RestTest.HTTP.send(HttpRequest.newBuilder(
                    slowStore.uri("/mcp/v1/operations/" + id)).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("completed", polled.path("status").asText(), polled.toString());
        }
    }

    @Test
    void anOperationRunsOnAfterItsRequestAndCanBeCancelled() throws Exception {
        HttpResponse<String> started = post("/tools/block?async=true", "{\"tag\":\"rest-cancel\"}");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.parse(started.body()).path("operationId").asText();
        assertEquals("rest-cancel", server.blockStarted.poll(30, TimeUnit.SECONDS));
        JsonNode working = Json.parse(send("GET", "/mcp/v1/operations/" + id).body());
        assertEquals("working", working.path("status").asText(), working.toString());

        try (Sse sse = new Sse(server.uri("/mcp/v1/sse/progress/" + id))) {
            HttpResponse<String> cancelled = send("DELETE", "/mcp/v1/operations/" + id);
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertEquals("cancelled", Json.parse(cancelled.body()).path("status").asText(), cancelled.body());
            assertEquals("rest-cancel", server.blockInterrupted.poll(30, TimeUnit.SECONDS), "the tool was stopped");
            List<Event> events = sse.rest();
            assertEquals("cancelled", events.getLast().name(), events.toString());
        }
    }

    @Test
    void aFinishedOperationIsPolledWithItsResult() throws Exception {
        HttpResponse<String> started = post("/tools/call", "{\"name\":\"block\",\"arguments\":{\"tag\":\"rest-poll\"}}",
                "Prefer", "respond-async, wait=0");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.parse(started.body()).path("operationId").asText();
        assertEquals("rest-poll", server.blockStarted.poll(30, TimeUnit.SECONDS));
        server.release("rest-poll");
        JsonNode polled = null;
        for (int i = 0; i < 300; i++) {
            polled = Json.parse(send("GET", "/mcp/v1/operations/" + id).body());
            if (!polled.path("status").asText().equals("working")) {
                break;
            }
            Thread.sleep(50);
        }
        assertNotNull(polled);
        assertEquals("completed", polled.path("status").asText(), polled.toString());
        assertEquals("released rest-poll", polled.path("result").path("content").path(0).path("text").asText());
    }

    @Test
    void unknownOperationsAndBadResumesAre4xx() throws Exception {
        RestTest.problem(send("GET", "/mcp/v1/operations/nothing"), 404, -32602);
        RestTest.problem(send("DELETE", "/mcp/v1/operations/nothing"), 404, -32602);
        RestTest.problem(send("GET", "/mcp/v1/sse/progress/nothing"), 404, -32602);
        // a refused async call is refused at once, with the same status as a synchronous one
        RestTest.problem(post("/tools/nothing", "{}", "Prefer", "respond-async"), 404, -32602);
        String id = Json.parse(post("/tools/echo", "{\"text\":\"x\"}", "Prefer", "respond-async").body())
                .path("operationId").asText();
        HttpResponse<String> bad = RestTest.HTTP.send(HttpRequest.newBuilder(server.uri("/mcp/v1/sse/progress/" + id))
                .header("Last-Event-ID", "yesterday").build(), HttpResponse.BodyHandlers.ofString());
        RestTest.problem(bad, 400, -32600);
    }

    @Test
    void subscriptionsStreamResourceUpdatesAndListChangesUntilDeleted() throws Exception {
        HttpResponse<String> created = post("/subscriptions", "{\"uri\":\"test://counter\"}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode subscription = Json.parse(created.body());
        String id = subscription.path("subscriptionId").asText();
        assertEquals("/mcp/v1/subscriptions/" + id, created.headers().firstValue("Location").orElse(""));

        try (Sse sse = new Sse(server.uri(subscription.path("stream").asText()))) {
            assertEquals(200, sse.response.statusCode());
            Event subscribed = sse.next();
            assertEquals("subscribed", subscribed.name(), subscribed.toString());
            assertEquals("test://counter", subscribed.data().path("notifications").path("resourceSubscriptions")
                    .path(0).asText(), subscribed.toString());

            server.core.sessions().broadcastResourceUpdated("test://counter");
            Event updated = sse.next();
            assertEquals("resources/updated", updated.name(), updated.toString());
            assertEquals("test://counter", updated.data().path("uri").asText());

            server.core.features().register(new Contributions(new Owner("rest-late", getClass().getClassLoader()),
                    List.of(Tool.of(ToolDescriptor.builder("rest_late").build(), (a, c) -> ToolResult.text("x"))),
                    List.of(), List.of(), List.of(), List.of()));
            Event changed = sse.next();
            assertEquals("tools/list_changed", changed.name(), changed.toString());

            HttpResponse<String> deleted = send("DELETE", "/mcp/v1/subscriptions/" + id);
            assertEquals(204, deleted.statusCode(), deleted.body());
            assertEquals(List.of(), sse.rest(), "the stream ends when its subscription is deleted");
        } finally {
            server.core.features().unregister("rest-late");
        }
        RestTest.problem(send("DELETE", "/mcp/v1/subscriptions/" + id), 404, -32602);
        RestTest.problem(send("GET", "/mcp/v1/sse/subscribe?subscription=" + id), 404, -32602);
        RestTest.problem(post("/subscriptions", "{}"), 400, -32602);
    }

    @Test
    void aStreamByUriNeedsNoSubscription() throws Exception {
        try (Sse sse = new Sse(server.uri("/mcp/v1/sse/subscribe?uri=test://counter"))) {
            assertEquals("subscribed", sse.next().name());
            server.core.sessions().broadcastResourceUpdated("test://other");
            server.core.sessions().broadcastResourceUpdated("test://counter");
            Event updated = sse.next();
            assertEquals("test://counter", updated.data().path("uri").asText(), "only the URIs asked for");
        }
    }
}
