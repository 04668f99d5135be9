package io.mcpserver.server.resume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.presence.Presence;
import io.mcpserver.server.presence.PresenceEntry;
import io.mcpserver.server.protocol.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session recovery over a connection transport, as a client sees it: a real server with security on (real signed
 * JWTs), connections dropped abruptly in the middle of calls, and a new connection that resumes with the token.
 * Every numbered message must reach the client exactly once across its connections. Subclasses choose the transport.
 */
abstract class SessionResumeCases {

    /** One client connection: a WebSocket or a TCP socket. */
    interface Wire extends AutoCloseable {
        void send(String json) throws Exception;

        JsonNode await(Predicate<JsonNode> match, String what) throws InterruptedException;

        /** Every message received so far, in order (taken or not). */
        List<JsonNode> received();

        /** Leaves without a goodbye: the connection is cut (a TCP reset, a WebSocket aborted). */
        void drop() throws Exception;

        /** Whether the server ended this connection within the time given. */
        boolean endedByServer(Duration within) throws InterruptedException;
    }

    @TempDir
    Path home;
    ResumeServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A connection authenticated as {@code subject} (a real signed JWT). */
    abstract Wire connect(String bearer) throws Exception;

    /** What {@code initialize}'s {@code _meta} carries besides the extension (TCP: the credential). */
    abstract String credentialMeta(String bearer);

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // already gone
            }
        }
        if (server != null) {
            server.close();
        }
    }

    void start(String sessions) throws Exception {
        server = new ResumeServer(home, sessions);
    }

    void start() throws Exception {
        start("resume-window: 2m\nreplay-buffer: 1000");
    }

    Wire wire(String subject) throws Exception {
        String bearer = server.token(subject);
        Wire w = connect(bearer);
        open.add(w);
        return w;
    }

    /** Connects as {@code subject} and sends initialize with this {@code io.mcpserver/resume} object (null: none). */
    JsonNode initialize(Wire w, String subject, String resume, String capabilities) throws Exception {
        String meta = credentialMeta(server.token(subject))
                + (resume == null ? "" : "\"" + ResumeMeta.RESUME + "\":" + resume);
        meta = meta.endsWith(",") ? meta.substring(0, meta.length() - 1) : meta;
        w.send("{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":" + capabilities + ",\"clientInfo\":{\"name\":\"resume-test\","
                + "\"version\":\"1\"},\"_meta\":{" + meta + "}}}");
        JsonNode answer = w.await(m -> "init".equals(m.path("id").asText()) && !m.has("method"), "initialize answer");
        if (answer.has("result")) {
            w.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        }
        return answer;
    }

    JsonNode initialize(Wire w, String subject, String resume) throws Exception {
        return initialize(w, subject, resume, "{}");
    }

    /** A new resumable session of {@code subject}: its wire and its first token. */
    record Opened(Wire wire, String token) {
    }

    Opened open(String subject, String capabilities) throws Exception {
        Wire w = wire(subject);
        JsonNode init = initialize(w, subject, "{}", capabilities);
        String token = init.path("result").path("_meta").path(ResumeMeta.RESUME).path("token").asText(null);
        assertNotNull(token, () -> "no resume token in " + init);
        return new Opened(w, token);
    }

    Opened open(String subject) throws Exception {
        return open(subject, "{}");
    }

    /** A new connection that presents the token; the initialize answer's resume information. */
    record Resumed(Wire wire, JsonNode answer) {
        JsonNode info() {
            return answer.path("result").path("_meta").path(ResumeMeta.RESUME);
        }
    }

    Resumed resume(String subject, String token, Long lastSeq) throws Exception {
        Wire w = wire(subject);
        JsonNode answer = initialize(w, subject, "{\"token\":\"" + token + "\""
                + (lastSeq == null ? "" : ",\"lastSeq\":" + lastSeq) + "}");
        return new Resumed(w, answer);
    }

    static String call(Object id, String tool, String arguments, String progressToken) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + Json.write(Json.toTree(id)) + ",\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"" + tool + "\",\"arguments\":" + arguments
                + (progressToken == null ? "" : ",\"_meta\":{\"progressToken\":\"" + progressToken + "\"}") + "}}";
    }

    static Predicate<JsonNode> response(Object id) {
        return m -> !m.has("method") && m.has("id") && m.get("id").asText().equals(String.valueOf(id));
    }

    static Predicate<JsonNode> progress(String token, double atLeast) {
        return m -> "notifications/progress".equals(m.path("method").asText())
                && token.equals(m.path("params").path("progressToken").asText())
                && m.path("params").path("progress").asDouble() >= atLeast;
    }

    /** The sequence number of a message, or -1 when it has none (the initialize answer). */
    static long seq(JsonNode m) {
        JsonNode holder = m.has("method") ? m.path("params").path("_meta")
                : m.has("result") ? m.path("result").path("_meta") : m.path("error").path("data");
        JsonNode seq = holder.get(ResumeMeta.SEQ);
        return seq == null ? -1 : seq.asLong();
    }

    static long lastSeq(List<JsonNode> messages) {
        return messages.stream().mapToLong(SessionResumeCases::seq).filter(s -> s >= 0).max().orElse(0);
    }

    static List<Long> seqs(List<JsonNode> messages) {
        return messages.stream().map(SessionResumeCases::seq).filter(s -> s >= 0).toList();
    }

    static List<Double> progressValues(List<JsonNode> messages, String token) {
        return messages.stream().filter(progress(token, 0)).map(m -> m.path("params").path("progress").asDouble())
                .toList();
    }

    /** The one session of {@code subject} on the server (its connection may be gone). */
    Session sessionOf(String subject) {
        return server.server.core().sessions().all().stream()
                .filter(s -> s.caller().subject().equals(subject) && s.isNegotiated()).findFirst()
                .orElseThrow(() -> new AssertionError("no session of " + subject));
    }

    void awaitIdle(Session session) throws InterruptedException {
        assertTrue(session.awaitIdle(Duration.ofSeconds(30)), "the call did not finish while the client was away");
    }

    /** Numbered messages of both connections, in order: exactly 1..n, none missing, none twice. */
    static void assertExactlyOnce(List<JsonNode> first, List<JsonNode> second) {
        List<Long> all = new ArrayList<>(seqs(first));
        all.addAll(seqs(second));
        List<Long> expected = LongStream.rangeClosed(1, all.isEmpty() ? 0 : all.getLast()).boxed().toList();
        assertEquals(expected, all, "every message once, in order, across both connections");
    }

    @Test
    void progressEmittedDuringTheDropArrivesOnceOnTheNewConnection() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().send(call(2, "count", "{\"n\":150}", "p"));
        a.wire().await(progress("p", 20), "progress 20");
        a.wire().drop(); // the tool keeps counting (5 ms a step) while the client is away
        List<JsonNode> before = a.wire().received();

        Resumed b = resume("alice", a.token(), lastSeq(before));
        assertTrue(b.info().path("resumed").asBoolean(), () -> "not resumed: " + b.answer());
        assertEquals(0, b.info().path("lost").asLong());
        JsonNode result = b.wire().await(response(2), "the call's result");
        assertEquals("counted to 150", result.path("result").path("content").path(0).path("text").asText());

        List<JsonNode> after = b.wire().received();
        List<Double> values = new ArrayList<>(progressValues(before, "p"));
        values.addAll(progressValues(after, "p"));
        assertEquals(LongStream.rangeClosed(1, 150).mapToDouble(i -> i).boxed().toList(), values,
                "every progress notification once, in order");
        assertExactlyOnce(before, after);
        assertEquals(1, after.stream().filter(response(2)).count() + before.stream().filter(response(2)).count());
    }

    @Test
    void callsThatFinishWhileAwayAndTheSessionsStateComeBack() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}");
        a.wire().await(response(2), "setLevel answer");
        a.wire().send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\""
                + ResumeServer.RESOURCE + "\"}}");
        assertTrue(a.wire().await(response(3), "subscribe answer").has("result"));
        a.wire().send(call(4, "steps", "{\"first\":2,\"n\":5}", "s"));
        a.wire().await(progress("s", 2), "progress 2");
        a.wire().drop();
        List<JsonNode> before = a.wire().received();

        Session session = sessionOf("alice");
        server.release.release(); // the call finishes while nobody is connected
        awaitIdle(session);
        server.server.core().sessions().broadcastResourceUpdated(ResumeServer.RESOURCE);

        Resumed b = resume("alice", a.token(), lastSeq(before));
        assertTrue(b.info().path("resumed").asBoolean(), () -> "not resumed: " + b.answer());
        assertEquals("2025-11-25", b.answer().path("result").path("protocolVersion").asText());
        assertNotEquals(a.token(), b.info().path("token").asText(), "a new token on every resume");
        JsonNode result = b.wire().await(response(4), "the result of the call that finished while away");
        assertEquals("stepped to 5", result.path("result").path("content").path(0).path("text").asText());
        JsonNode log = b.wire().await(m -> "notifications/message".equals(m.path("method").asText()), "debug log");
        assertEquals("debug", log.path("params").path("level").asText(), "the log level survived the drop");
        b.wire().await(m -> "notifications/resources/updated".equals(m.path("method").asText()), "update while away");
        assertEquals(List.of(3.0, 4.0, 5.0), progressValues(b.wire().received(), "s"));

        server.server.core().sessions().broadcastResourceUpdated(ResumeServer.RESOURCE); // the subscription is live
        b.wire().await(m -> "notifications/resources/updated".equals(m.path("method").asText())
                && seq(m) > seq(result), "update after the resume");
        b.wire().send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}"); // served: no new initialize needed
        assertTrue(b.wire().await(response(5), "tools/list").has("result"));
        assertSame(session, sessionOf("alice"));
        assertExactlyOnce(before, b.wire().received());
    }

    @Test
    void aServerRequestTheClientMissedIsSentAgainAndItsAnswerCompletesTheCall() throws Exception {
        start();
        Opened a = open("alice", "{\"roots\":{}}");
        a.wire().send(call(2, "roots", "{}", null));
        JsonNode ask = a.wire().await(m -> "roots/list".equals(m.path("method").asText()), "roots/list");
        a.wire().drop(); // before answering; and the client will say it never saw the request
        List<JsonNode> before = a.wire().received();
        long missed = seq(ask);

        Resumed b = resume("alice", a.token(), missed - 1);
        assertEquals(1, b.info().path("replayed").asLong(), () -> "replay: " + b.info());
        JsonNode again = b.wire().await(m -> "roots/list".equals(m.path("method").asText()), "roots/list again");
        assertEquals(ask.get("id"), again.get("id"));
        b.wire().send("{\"jsonrpc\":\"2.0\",\"id\":" + Json.write(again.get("id")) + ",\"result\":{\"roots\":["
                + "{\"uri\":\"file:///work\",\"name\":\"work\"}]}}");
        JsonNode result = b.wire().await(response(2), "the call's result");
        assertEquals("roots: [file:///work]", result.path("result").path("content").path(0).path("text").asText());
        assertFalse(before.stream().anyMatch(response(2)));
    }

    @Test
    void anotherPrincipalsTokenIsRefusedAndStaysGoodForItsOwner() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().drop();

        Resumed thief = resume("mallory", a.token(), null);
        assertEquals(-32602, thief.answer().path("error").path("code").asInt(), () -> "not refused: " + thief.answer());
        assertEquals("resume_refused", thief.answer().path("error").path("data").path("reason").asText());
        assertFalse(thief.answer().toString().contains("alice"), "the refusal says nothing about the owner");

        Resumed owner = resume("alice", a.token(), null);
        assertTrue(owner.info().path("resumed").asBoolean(), () -> "owner refused: " + owner.answer());
    }

    @Test
    void aTokenWorksOnceAndEachResumeIssuesTheNextOne() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().drop();
        Resumed b = resume("alice", a.token(), null);
        assertTrue(b.info().path("resumed").asBoolean(), () -> "not resumed: " + b.answer());
        String next = b.info().path("token").asText();
        b.wire().drop();

        Resumed reused = resume("alice", a.token(), null);
        assertEquals("resume_refused", reused.answer().path("error").path("data").path("reason").asText(),
                () -> "a used token was accepted: " + reused.answer());
        Resumed c = resume("alice", next, null);
        assertTrue(c.info().path("resumed").asBoolean(), () -> "the new token failed: " + c.answer());

        String metrics = metrics();
        assertEquals(2, sample(metrics, "mcp_session_resumes_total", "outcome=\"resumed\""), metrics);
        assertEquals(1, sample(metrics, "mcp_session_resumes_total", "outcome=\"refused\""), metrics);
        assertEquals(0, sample(metrics, "mcp_sessions_waiting", ""), metrics);
        c.wire().drop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String now;
        while (sample(now = metrics(), "mcp_sessions_waiting", "") != 1) { // the server notices the drop in time
            String seen = now;
            assertTrue(System.nanoTime() < deadline, () -> "no session waiting: " + seen);
            Thread.sleep(50);
        }
    }

    String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a Prometheus sample over the series whose labels contain {@code label} ({@code k="v"}, or ""). */
    static double sample(String exposition, String name, String label) {
        double sum = 0;
        Matcher m = Pattern.compile("^" + Pattern.quote(name)
                + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        while (m.find()) {
            if (m.group(1) == null ? label.isEmpty() : m.group(1).contains(label)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    @Test
    void whenTheWindowPassesTheSessionClosesAndItsCallsAreCancelled() throws Exception {
        start("resume-window: 1s\nreplay-buffer: 100");
        Opened a = open("alice");
        a.wire().send(call(2, "block", "{\"tag\":\"x\"}", null));
        assertEquals("x", server.started.poll(15, TimeUnit.SECONDS));
        a.wire().drop();
        assertEquals("x", server.cancelled.poll(15, TimeUnit.SECONDS), "the call was not cancelled after the window");

        Resumed late = resume("alice", a.token(), null);
        assertEquals("resume_refused", late.answer().path("error").path("data").path("reason").asText(),
                () -> "an expired token was accepted: " + late.answer());
        assertTrue(server.server.core().sessions().all().stream().noneMatch(s -> s.caller().subject().equals("alice")
                && s.isNegotiated()), "the expired session is gone");
    }

    @Test
    void aReplayBufferThatOverflowedIsReportedWithWhatWasLost() throws Exception {
        start("resume-window: 2m\nreplay-buffer: 5");
        Opened a = open("alice");
        a.wire().send(call(2, "steps", "{\"first\":1,\"n\":30}", "s"));
        a.wire().await(progress("s", 1), "progress 1");
        a.wire().drop();
        long last = lastSeq(a.wire().received());
        Session session = sessionOf("alice");
        server.release.release(); // 29 progress notifications and the result, with room for 5
        awaitIdle(session);

        Resumed b = resume("alice", a.token(), last);
        JsonNode info = b.info();
        assertTrue(info.path("resumed").asBoolean(), () -> "not resumed: " + b.answer());
        assertEquals(25, info.path("lost").asLong(), () -> "overflow: " + info);
        assertEquals(last + 1, info.path("lostFrom").asLong());
        assertEquals(last + 25, info.path("lostTo").asLong());
        assertEquals(5, info.path("replayed").asLong());
        b.wire().await(response(2), "the result, among the last five");
        assertEquals(List.of(27.0, 28.0, 29.0, 30.0), progressValues(b.wire().received(), "s"));
        assertEquals(LongStream.rangeClosed(last + 26, last + 30).boxed().toList(), seqs(b.wire().received()));
    }

    @Test
    void acknowledgedMessagesAreTrimmedAndUnacknowledgedOnesAreSentAgain() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().send(call(2, "count", "{\"n\":10}", "p"));
        JsonNode result = a.wire().await(response(2), "the call's result");
        long m = seq(result);
        assertEquals(11, m, "ten progress notifications, then the result");
        a.wire().send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{\"_meta\":{\""
                + ResumeMeta.ACK + "\":" + (m - 3) + "}}}");
        long pong = seq(a.wire().await(response(3), "ping answer"));
        a.wire().drop();

        Resumed b = resume("alice", a.token(), null); // no lastSeq: after the acknowledgement
        assertEquals(0, b.info().path("lost").asLong());
        assertEquals(pong - (m - 3), b.info().path("replayed").asLong(), () -> "replay: " + b.info());
        b.wire().await(response(3), "the unacknowledged ping answer, again");
        assertEquals(LongStream.rangeClosed(m - 2, pong).boxed().toList(), seqs(b.wire().received()));
        b.wire().drop();

        Resumed c = resume("alice", b.info().path("token").asText(), 1L); // from before the acknowledgement
        assertEquals(m - 4, c.info().path("lost").asLong(), () -> "the acknowledged ones were kept: " + c.info());
        assertEquals(2, c.info().path("lostFrom").asLong());
    }

    @Test
    void anOldConnectionStillOpenIsEndedWhenTheClientResumesElsewhere() throws Exception {
        start();
        Opened a = open("alice");
        Resumed b = resume("alice", a.token(), lastSeq(a.wire().received()));
        assertTrue(b.info().path("resumed").asBoolean(), () -> "not resumed: " + b.answer());
        assertTrue(a.wire().endedByServer(Duration.ofSeconds(15)), "the stale connection stays open");
        b.wire().send(call(2, "count", "{\"n\":3}", null));
        assertTrue(b.wire().await(response(2), "result on the new connection").has("result"));
    }

    @Test
    void aClientThatDoesNotOptInGetsNoTokenAndItsCallsEndWithTheConnection() throws Exception {
        start();
        Wire w = wire("alice");
        JsonNode init = initialize(w, "alice", null);
        assertTrue(init.path("result").path("_meta").path(ResumeMeta.RESUME).isMissingNode(), init::toString);
        w.send(call(2, "block", "{\"tag\":\"plain\"}", null));
        assertEquals("plain", server.started.poll(15, TimeUnit.SECONDS));
        w.drop();
        assertEquals("plain", server.cancelled.poll(15, TimeUnit.SECONDS), "cancelled at once, as before");
    }

    @Test
    void presenceListsAWaitingSessionAsDetachedAndAResumedOneOnItsNewConnection() throws Exception {
        start();
        Opened a = open("alice");
        PresenceEntry before = awaitPresence(e -> e.principal().equals("alice") && e.clientName() != null
                && !e.detached(), "alice connected");
        a.wire().drop();
        PresenceEntry waiting = awaitPresence(e -> e.id().equals(before.id()) && e.detached(), "alice detached");
        assertTrue(waiting.closable(), "an administrator can end the wait");

        Resumed b = resume("alice", a.token(), null);
        assertTrue(b.info().path("resumed").asBoolean(), () -> "not resumed: " + b.answer());
        PresenceEntry back = awaitPresence(e -> e.id().equals(before.id()) && !e.detached()
                && !e.remote().equals(before.remote()), "alice back on her new connection");
        assertEquals("resume-test", back.clientName());
        assertEquals(1, server.server.presence().list().stream().filter(e -> e.principal().equals("alice")).count(),
                () -> "one entry for one session: " + server.server.presence().list());

        // closing it from the admin API ends the connection it is on now
        assertEquals(Presence.Disconnect.CLOSED, server.server.presence().disconnect(back.id(), "test"));
        assertTrue(b.wire().endedByServer(Duration.ofSeconds(15)), "the new connection was closed");
        assertTrue(server.server.presence().list().stream().noneMatch(e -> e.principal().equals("alice")));
    }

    @Test
    void aWaitingSessionClosedByAnAdministratorCannotBeResumed() throws Exception {
        start();
        Opened a = open("alice");
        a.wire().send(call(2, "block", "{\"tag\":\"admin\"}", null));
        assertEquals("admin", server.started.poll(15, TimeUnit.SECONDS));
        a.wire().drop();
        PresenceEntry waiting = awaitPresence(e -> e.principal().equals("alice") && e.detached(), "alice detached");
        assertEquals(Presence.Disconnect.CLOSED, server.server.presence().disconnect(waiting.id(), "test"));
        assertEquals("admin", server.cancelled.poll(15, TimeUnit.SECONDS), "its call was cancelled");
        Resumed late = resume("alice", a.token(), null);
        assertEquals("resume_refused", late.answer().path("error").path("data").path("reason").asText(),
                () -> "a closed session was resumed: " + late.answer());
    }

    @Test
    void aWaitingSessionAnAdministratorClosedIsNotCountedAsExpiredWhenItsWindowPasses() throws Exception {
        start("resume-window: 1s\nreplay-buffer: 100");
        Opened a = open("alice");
        a.wire().drop();
        PresenceEntry waiting = awaitPresence(e -> e.principal().equals("alice") && e.detached(), "alice detached");
        assertEquals(Presence.Disconnect.CLOSED, server.server.presence().disconnect(waiting.id(), "test"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String now;
        while (sample(now = metrics(), "mcp_sessions_waiting", "") != 0) { // the window passes, the wait ends
            String seen = now;
            assertTrue(System.nanoTime() < deadline, () -> "the session still waits: " + seen);
            Thread.sleep(50);
        }
        assertEquals(0, sample(now, "mcp_session_resumes_total", "outcome=\"expired\""), now);
    }

    PresenceEntry awaitPresence(Predicate<PresenceEntry> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            for (PresenceEntry e : server.server.presence().list()) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("presence never showed " + what + ": " + server.server.presence().list());
    }

    static void assertSame(Object expected, Object actual) {
        org.junit.jupiter.api.Assertions.assertSame(expected, actual, "the same session");
    }

    static ObjectNode object(String json) throws Exception {
        return (ObjectNode) Json.parse(json);
    }
}
