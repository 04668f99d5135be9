package io.mcpserver.server.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.protocol.Admission;
import io.mcpserver.server.protocol.ErrorCodes;
import io.mcpserver.server.protocol.JsonRpc;
import io.mcpserver.server.protocol.McpException;
import io.mcpserver.server.protocol.MessageSink;
import io.mcpserver.server.protocol.ProtocolVersion;
import io.mcpserver.server.protocol.RequestMeta;
import io.mcpserver.server.protocol.Session;
import io.mcpserver.server.protocol.StatelessEra;
import io.mcpserver.spi.Caller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Streamable HTTP as revision 2026-07-28 shapes it, beside the legacy endpoint on the same path: no
 * sessions, every POST stands alone, its headers mirror the body, its reply is one JSON object or an
 * SSE stream scoped to it (closing that stream cancels the request), and GET and DELETE are 405.
 */
final class StatelessHttpRules {

    private static final String TRANSPORT = "http";

    private final McpCore core;
    private final MirroredHeaders mirror;
    private final Duration keepAlive;

    StatelessHttpRules(McpCore core, Duration keepAlive) {
        this.core = core;
        this.mirror = new MirroredHeaders(core.features());
        this.keepAlive = keepAlive;
    }

    /**
     * Whether a POST is a stateless one: its {@code MCP-Protocol-Version} names a stateless revision, or it
     * carries stateless {@code _meta} (or a stateless-only method) outside any legacy session.
     */
    boolean claims(ServerRequest req, JsonNode message) {
        return claimsVersion(req) || StatelessEra.claims(Replies.header(req, Replies.SESSION_ID) != null,
                message.path("method").asText(), message.get("params"));
    }

    /** True when {@code MCP-Protocol-Version} names no legacy revision: a stateless one, or one unknown here. */
    boolean claimsVersion(ServerRequest req) {
        String version = Replies.header(req, Replies.PROTOCOL_VERSION);
        return version != null && ProtocolVersion.of(version).map(v -> !v.isLegacy()).orElse(true);
    }

    /** GET and DELETE have no place in the stateless era: 405 when the request says it speaks it. */
    boolean refused(ServerRequest req, ServerResponse res) {
        if (!isStateless(Replies.header(req, Replies.PROTOCOL_VERSION))) {
            return false;
        }
        res.header(HeaderNames.ALLOW, "POST");
        Replies.error(res, Status.METHOD_NOT_ALLOWED_405, ErrorCodes.INVALID_REQUEST, "Method Not Allowed: in "
                + "protocol 2026-07-28 every message is a POST; change notifications come on subscriptions/listen");
        return true;
    }

    private static boolean isStateless(String version) {
        return version != null && ProtocolVersion.of(version).filter(v -> !v.isLegacy()).isPresent();
    }

    /** Serves one stateless POST; {@code eventStream} when the client accepts an SSE reply. */
    void serve(ServerRequest req, ServerResponse res, JsonNode message, boolean eventStream, Caller caller,
               BearerGuard bearer) {
        JsonNode id = JsonRpc.idOrNull(message);
        switch (JsonRpc.kind(message)) {
            case REQUEST -> {
            }
            case NOTIFICATION -> {
                // 2026-07-28 defines none over HTTP (closing a stream cancels); accepted and ignored
                res.status(Status.ACCEPTED_202).send();
                return;
            }
            default -> {
                Replies.error(res, Status.BAD_REQUEST_400, id, ErrorCodes.INVALID_REQUEST,
                        "Invalid Request: in protocol 2026-07-28 a client sends requests only, never responses");
                return;
            }
        }
        McpException mismatch = mirror.check(message, name -> Replies.header(req, HeaderNames.create(name)));
        if (mismatch != null) {
            Replies.json(res, Status.BAD_REQUEST_400, JsonRpc.error(id, mismatch));
            return;
        }
        if ("subscriptions/listen".equals(message.path("method").asText()) && !eventStream) {
            Replies.error(res, Status.NOT_ACCEPTABLE_406, id, ErrorCodes.INVALID_REQUEST, "Not Acceptable: "
                    + "subscriptions/listen answers with a text/event-stream; list it in the Accept header");
            return;
        }
        Exchange exchange = new Exchange(id);
        Session session = core.sessions().stateless(TRANSPORT, caller, exchange);
        switch (core.dispatcher().submit(session, message)) {
            case Admission.Refused refused -> { // admission said no: the status says why, at once
                ObjectNode response = refused.error();
                Status status = status(response);
                Replies.json(res, status == Status.OK_200 ? bearer.status(req, res, response) : status, response);
                return;
            }
            case Admission.Admitted admitted -> admitted.start(exchange, exchange::complete);
            case Admission.Handled handled -> exchange.complete(); // not for a request
        }
        // A reply that is ready before anything else is one JSON object, with a status that says what
        // happened; otherwise (notifications first, or no answer within keep-alive) it becomes a stream.
        boolean stream = eventStream && exchange.awaitFirst(keepAlive.isZero() ? Duration.ofDays(1) : keepAlive);
        if (!stream) {
            ObjectNode response = exchange.awaitResponse();
            if (response == null) {
                res.status(Status.ACCEPTED_202).send();
            } else {
                Status status = status(response);
                // a refusal by the rules or the rate limits: 403 insufficient_scope, 429 Retry-After
                Replies.json(res, status == Status.OK_200 ? bearer.status(req, res, response) : status, response);
            }
            return;
        }
        try (SseWriter out = SseWriter.open(res)) {
            exchange.pump(out, keepAlive);
        } catch (IOException | UncheckedIOException e) {
            // the client closed the stream: that cancels the request (2026-07-28)
            exchange.close();
            session.cancel(Session.idKey(id), "the client closed the response stream");
        }
    }

    /** The HTTP status of a reply sent as one JSON object. */
    static Status status(ObjectNode response) {
        JsonNode error = response.get("error");
        if (error == null) {
            return Status.OK_200;
        }
        return switch (error.path("code").asInt()) {
            case ErrorCodes.METHOD_NOT_FOUND -> Status.NOT_FOUND_404;
            case ErrorCodes.PARSE_ERROR, ErrorCodes.INVALID_REQUEST, ErrorCodes.INVALID_PARAMS,
                 ErrorCodes.HEADER_MISMATCH, ErrorCodes.MISSING_CLIENT_CAPABILITY,
                 ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION -> Status.BAD_REQUEST_400;
            default -> Status.OK_200;
        };
    }

    /**
     * What one stateless request sends, in order: notifications, then its response. The request's thread
     * appends; the HTTP handler's thread decides how to reply and writes.
     */
    private static final class Exchange implements MessageSink {
        private final JsonNode id;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<ObjectNode> pending = new ArrayDeque<>();
        private ObjectNode response;
        private boolean done;
        private boolean closed;

        Exchange(JsonNode id) {
            this.id = id;
        }

        @Override
        public void send(ObjectNode message) {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (!message.has("method") && id.equals(message.get("id"))) {
                    response = message;
                } else {
                    pending.add(message);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void complete() {
            lock.lock();
            try {
                done = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                pending.clear();
            } finally {
                lock.unlock();
            }
        }

        /** True when the reply should be a stream: a notification came first, or nothing came in time. */
        boolean awaitFirst(Duration wait) {
            long left = wait.toNanos();
            lock.lock();
            try {
                while (pending.isEmpty() && response == null && !done) {
                    if (left <= 0) {
                        return true;
                    }
                    left = changed.awaitNanos(left);
                }
                return !pending.isEmpty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }

        /** The response (notifications dropped: the client takes JSON only), or null if none came. */
        ObjectNode awaitResponse() {
            lock.lock();
            try {
                while (response == null && !done) {
                    changed.awaitUninterruptibly();
                }
                pending.clear();
                return response;
            } finally {
                lock.unlock();
            }
        }

        /** Writes every message as an SSE event until the response is written, with keep-alive comments. */
        void pump(SseStream.Connection out, Duration keepAlive) throws IOException {
            while (true) {
                ObjectNode next;
                boolean last = false;
                lock.lock();
                try {
                    while (pending.isEmpty() && response == null && !done) {
                        if (keepAlive.isZero()) {
                            changed.awaitUninterruptibly();
                        } else if (!changed.await(keepAlive.toNanos(), TimeUnit.NANOSECONDS)) {
                            break;
                        }
                    }
                    if (!pending.isEmpty()) {
                        next = pending.poll();
                    } else if (response != null) {
                        next = response;
                        last = true;
                    } else if (done) {
                        return; // cancelled: nothing more to say
                    } else {
                        next = null; // quiet for a while: a comment finds out whether the client is still there
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                } finally {
                    lock.unlock();
                }
                // the framing of this era's streams: bare data lines, bare comments (no event names, no ids)
                out.write(next == null ? ":\n\n" : "data: " + Json.write(next) + "\n\n");
                if (last) {
                    return;
                }
            }
        }
    }
}
