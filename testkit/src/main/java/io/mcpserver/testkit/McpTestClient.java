package io.mcpserver.testkit;


import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A small MCP client for tests: newline-delimited JSON-RPC over a TCP socket, the way any client
 * reaches the server's TCP transport. Arguments and results are plain Java values (maps, lists,
 * strings, numbers, booleans), as in the plugin SPI.
 *
 * <pre>{@code
 * try (McpTestServer server = McpTestServer.with(MyPlugin.class).start();
 *      McpTestClient client = server.client()) {
 *     ToolCallResult result = client.callTool("greet", Map.of("name", "Ada"));
 *     assertEquals("Hello, Ada!", result.text());
 * }
 * }</pre>
 *
 * <p>A JSON-RPC error answer (unknown tool, invalid arguments…) throws {@link McpError}; a tool that
 * fails answers normally with {@link ToolCallResult#isError()}. Every call waits at most
 * {@link Options#timeout} and then throws {@link IllegalStateException}. Notifications the server
 * sends (progress, log messages, list changes) are kept: {@link #notifications()},
 * {@link #awaitNotification}. Server→client requests (sampling, elicitation, roots) are answered by
 * the handlers given in {@link Options}; the client declares only those capabilities.
 */
public final class McpTestClient implements AutoCloseable {

    /** The revision {@link #connect} asks for unless {@link Options#protocolVersion} says otherwise. */
    public static final String DEFAULT_PROTOCOL_VERSION = "2025-11-25";

    private final Socket socket;
    private final OutputStream out;
    private final Options options;
    private final Codec json;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Long, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final Object inbox = new Object();
    private final List<Notification> notifications = new ArrayList<>();
    private final List<Notification> untaken = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closed;
    private Map<String, Object> initializeResult = Map.of();

    private McpTestClient(Socket socket, Options options, Codec json) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.options = options;
        this.json = json;
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.reader = Thread.ofVirtual().name("mcp-test-client-reader").start(() -> read(in));
    }

    /** What a client may do and answer; start from {@link McpTestClient#options()}. */
    public static Options options() {
        return new Options();
    }

    /**
     * JSON text to and from plain values. The kit's clients borrow the server's mapper, so the test's class
     * path needs no JSON library (and keeps the plugin's own, whatever its version).
     */
    interface Codec {

        String write(Object value);

        /** @throws IllegalArgumentException when the text is not JSON */
        Object read(String text);
    }

    /** Connects to an MCP server's TCP transport and initializes the session: {@link McpTestServer#client()}. */
    static McpTestClient connect(String host, int port, Options options, Codec json) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) options.timeout.toMillis());
            socket.setTcpNoDelay(true);
            McpTestClient client = new McpTestClient(socket, options, json);
            try {
                client.initialize();
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            return client;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing connected
            }
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    private void initialize() {
        Map<String, Object> capabilities = new LinkedHashMap<>();
        if (options.sampling != null) {
            capabilities.put("sampling", Map.of());
        }
        if (options.elicitation != null) {
            capabilities.put("elicitation", Map.of());
        }
        if (options.roots != null) {
            capabilities.put("roots", Map.of("listChanged", true));
        }
        initializeResult = request("initialize", Map.of(
                "protocolVersion", options.protocolVersion,
                "capabilities", capabilities,
                "clientInfo", Map.of("name", options.clientName, "version", options.clientVersion)));
        notify("notifications/initialized", null);
    }

    /** The whole {@code initialize} result. */
    public Map<String, Object> initializeResult() {
        return initializeResult;
    }

    public String protocolVersion() {
        return (String) initializeResult.get("protocolVersion");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> serverCapabilities() {
        return (Map<String, Object>) initializeResult.getOrDefault("capabilities", Map.of());
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> serverInfo() {
        return (Map<String, Object>) initializeResult.getOrDefault("serverInfo", Map.of());
    }

    public void ping() {
        request("ping", null);
    }

    /** {@code logging/setLevel}: debug, info, notice, warning, error, critical, alert or emergency. */
    public void setLogLevel(String level) {
        request("logging/setLevel", Map.of("level", level));
    }

    // ---- tools -------------------------------------------------------------------------------------------

    /** Every tool, all pages. */
    public List<ToolInfo> listTools() {
        return listAll("tools/list", "tools").stream().map(ToolInfo::of).toList();
    }

    public List<String> toolNames() {
        return listTools().stream().map(ToolInfo::name).toList();
    }

    /**
     * Calls a tool and waits for its result. The request carries a progress token, so the tool's
     * progress reports arrive: {@link ToolCallResult#progress()}.
     */
    public ToolCallResult callTool(String name, Map<String, ?> arguments) {
        return startToolCall(name, arguments).result();
    }

    /** Sends a tool call and returns at once: wait for it with {@link PendingCall#result()}, or cancel it. */
    public PendingCall startToolCall(String name, Map<String, ?> arguments) {
        long id = ids.getAndIncrement();
        String token = "progress-" + id;
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", name);
        params.put("arguments", arguments == null ? Map.of() : arguments);
        params.put("_meta", Map.of("progressToken", token));
        CompletableFuture<Map<String, Object>> response = send(id, "tools/call", params);
        return new PendingCall(id, token, response);
    }

    // ---- resources and prompts ---------------------------------------------------------------------------

    /** Every resource, all pages, as the server lists them ({@code uri}, {@code name}, …). */
    public List<Map<String, Object>> listResources() {
        return listAll("resources/list", "resources");
    }

    public List<Map<String, Object>> listResourceTemplates() {
        return listAll("resources/templates/list", "resourceTemplates");
    }

    @SuppressWarnings("unchecked")
    public ResourceContents readResource(String uri) {
        Map<String, Object> result = request("resources/read", Map.of("uri", uri));
        return new ResourceContents((List<Map<String, Object>>) result.getOrDefault("contents", List.of()));
    }

    public void subscribe(String uri) {
        request("resources/subscribe", Map.of("uri", uri));
    }

    public void unsubscribe(String uri) {
        request("resources/unsubscribe", Map.of("uri", uri));
    }

    public List<Map<String, Object>> listPrompts() {
        return listAll("prompts/list", "prompts");
    }

    @SuppressWarnings("unchecked")
    public PromptMessages getPrompt(String name, Map<String, String> arguments) {
        Map<String, Object> result = request("prompts/get", Map.of("name", name,
                "arguments", arguments == null ? Map.of() : arguments));
        return new PromptMessages((String) result.get("description"),
                (List<Map<String, Object>>) result.getOrDefault("messages", List.of()));
    }

    /** {@code completion/complete} for an argument of a prompt. */
    public Completion completePrompt(String prompt, String argument, String value) {
        return complete(Map.of("type", "ref/prompt", "name", prompt), argument, value);
    }

    /** {@code completion/complete} for a variable of a resource template. */
    public Completion completeResourceTemplate(String uriTemplate, String argument, String value) {
        return complete(Map.of("type", "ref/resource", "uri", uriTemplate), argument, value);
    }

    @SuppressWarnings("unchecked")
    private Completion complete(Map<String, Object> ref, String argument, String value) {
        Map<String, Object> result = request("completion/complete", Map.of("ref", ref,
                "argument", Map.of("name", argument, "value", value)));
        Map<String, Object> c = (Map<String, Object>) result.getOrDefault("completion", Map.of());
        List<String> values = ((List<Object>) c.getOrDefault("values", List.of())).stream().map(String::valueOf)
                .toList();
        Number total = (Number) c.get("total");
        return new Completion(values, total == null ? null : total.intValue(), Boolean.TRUE.equals(c.get("hasMore")));
    }

    // ---- raw JSON-RPC ------------------------------------------------------------------------------------

    /**
     * Sends any request and returns its {@code result}.
     *
     * @throws McpError when the server answers with an error
     */
    public Map<String, Object> request(String method, Map<String, ?> params) {
        return await(send(ids.getAndIncrement(), method, params), method);
    }

    public void notify(String method, Map<String, ?> params) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("jsonrpc", "2.0");
        message.put("method", method);
        if (params != null) {
            message.put("params", params);
        }
        write(message);
    }

    // ---- notifications -----------------------------------------------------------------------------------

    /** Every notification received so far, in order. */
    public List<Notification> notifications() {
        synchronized (inbox) {
            return List.copyOf(notifications);
        }
    }

    /** The notifications with this method received so far, e.g. {@code notifications/message} for log messages. */
    public List<Notification> notifications(String method) {
        return notifications().stream().filter(n -> n.method().equals(method)).toList();
    }

    /**
     * Waits for a notification with this method that no earlier call of this method returned, and
     * returns it. So two list changes are two awaits.
     *
     * @throws IllegalStateException when none arrives in time
     */
    public Notification awaitNotification(String method, Duration timeout) {
        return awaitNotification(n -> n.method().equals(method), timeout, method);
    }

    /** As {@link #awaitNotification(String, Duration)}, for the first matching notification. */
    public Notification awaitNotification(Predicate<Notification> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inbox) {
            while (true) {
                for (Iterator<Notification> it = untaken.iterator(); it.hasNext(); ) {
                    Notification n = it.next();
                    if (match.test(n)) {
                        it.remove();
                        return n;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    throw new IllegalStateException("no " + what + " notification within " + timeout
                            + (closed ? " (connection closed)" : "") + "; received: " + notifications);
                }
                try {
                    inbox.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + what, e);
                }
            }
        }
    }

    /** True when no notification with this method arrives within {@code period} (that no await took). */
    public boolean noNotification(String method, Duration period) {
        try {
            awaitNotification(method, period);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes the connection; the server cancels what is still running for this client. */
    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the wire ----------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> listAll(String method, String field) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> result = request(method, cursor == null ? null : Map.of("cursor", cursor));
            all.addAll((List<Map<String, Object>>) result.getOrDefault(field, List.of()));
            cursor = (String) result.get("nextCursor");
        } while (cursor != null);
        return all;
    }

    private CompletableFuture<Map<String, Object>> send(long id, String method, Map<String, ?> params) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("jsonrpc", "2.0");
        message.put("id", id);
        message.put("method", method);
        if (params != null) {
            message.put("params", params);
        }
        CompletableFuture<Map<String, Object>> response = new CompletableFuture<>();
        pending.put(id, response);
        if (closed) {
            response.completeExceptionally(new IllegalStateException("the connection is closed"));
        }
        write(message);
        return response;
    }

    /** The result of a response, or its error as {@link McpError}. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> await(CompletableFuture<Map<String, Object>> response, String method) {
        Map<String, Object> message;
        try {
            message = response.get(options.timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer to " + method + " within " + options.timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException(method + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + method, e);
        }
        Object error = message.get("error");
        if (error instanceof Map<?, ?> err) {
            Number code = (Number) err.get("code");
            throw new McpError(method, code == null ? 0 : code.intValue(), String.valueOf(err.get("message")),
                    err.get("data"));
        }
        Object result = message.get("result");
        return result instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private void write(Map<String, Object> message) {
        byte[] bytes = json.write(message).getBytes(StandardCharsets.UTF_8);
        writeLock.lock();
        try {
            out.write(bytes);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send to the server", e);
        } finally {
            writeLock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private void read(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> message;
                try {
                    if (!(json.read(line) instanceof Map<?, ?> map)) {
                        continue;
                    }
                    message = (Map<String, Object>) map;
                } catch (IllegalArgumentException e) {
                    continue; // not ours to judge here; the server's own tests check its output
                }
                Object method = message.get("method");
                Object id = message.get("id");
                if (method == null && id instanceof Number n) {
                    CompletableFuture<Map<String, Object>> f = pending.remove(n.longValue());
                    if (f != null) {
                        f.complete(message);
                    }
                } else if (method != null && id != null) {
                    Thread.ofVirtual().name("mcp-test-client-answer-" + id).start(() -> answer(message));
                } else if (method != null) {
                    Object params = message.get("params");
                    Notification n = new Notification(method.toString(),
                            params instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of());
                    synchronized (inbox) {
                        notifications.add(n);
                        untaken.add(n);
                        inbox.notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            // closed by us or by the server: same for waiters
        } finally {
            closed = true;
            pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("the connection closed")));
            pending.clear();
            synchronized (inbox) {
                inbox.notifyAll();
            }
        }
    }

    /** Answers a server→client request with the matching handler, or "method not found". */
    @SuppressWarnings("unchecked")
    private void answer(Map<String, Object> request) {
        String method = request.get("method").toString();
        Map<String, Object> params = request.get("params") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
        Function<Map<String, Object>, Map<String, Object>> handler = switch (method) {
            case "sampling/createMessage" -> options.sampling;
            case "elicitation/create" -> options.elicitation;
            case "roots/list" -> options.roots == null ? null : ignored -> Map.of("roots", options.roots);
            case "ping" -> ignored -> Map.of();
            default -> null;
        };
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("jsonrpc", "2.0");
        response.put("id", request.get("id"));
        if (handler == null) {
            response.put("error", Map.of("code", -32601, "message", "Method not found: " + method));
        } else {
            try {
                response.put("result", Objects.requireNonNull(handler.apply(params), "handler returned null"));
            } catch (RuntimeException e) {
                response.put("error", Map.of("code", -32603, "message", String.valueOf(e.getMessage())));
            }
        }
        if (!closed) {
            write(response);
        }
    }

    // ---- values ------------------------------------------------------------------------------------------

    /** What a client may do and how it answers the server's requests. Every method returns this. */
    public static final class Options {

        private String protocolVersion = DEFAULT_PROTOCOL_VERSION;
        private String clientName = "mcp-test-client";
        private String clientVersion = "1";
        private Duration timeout = Duration.ofSeconds(30);
        private Function<Map<String, Object>, Map<String, Object>> sampling;
        private Function<Map<String, Object>, Map<String, Object>> elicitation;
        private List<Map<String, Object>> roots;

        private Options() {
        }

        public Options protocolVersion(String version) {
            this.protocolVersion = version;
            return this;
        }

        public Options clientInfo(String name, String version) {
            this.clientName = name;
            this.clientVersion = version;
            return this;
        }

        /** The longest any call waits for its answer (default 30 s). */
        public Options timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Declares sampling; {@code handler} gets the {@code sampling/createMessage} params and returns
         * the result ({@code role}, {@code content}, {@code model}…).
         */
        public Options sampling(Function<Map<String, Object>, Map<String, Object>> handler) {
            this.sampling = handler;
            return this;
        }

        /** Declares sampling, answering each request with the text {@code answer} computes from the last message's text. */
        @SuppressWarnings("unchecked")
        public Options samplingText(Function<String, String> answer) {
            return sampling(params -> {
                List<Map<String, Object>> messages = (List<Map<String, Object>>) params.getOrDefault("messages",
                        List.of());
                Object content = messages.isEmpty() ? null : messages.getLast().get("content");
                String question = content instanceof Map<?, ?> c ? String.valueOf(c.get("text")) : "";
                return Map.of("role", "assistant", "content", Map.of("type", "text", "text", answer.apply(question)),
                        "model", "mcp-test-model", "stopReason", "endTurn");
            });
        }

        /**
         * Declares elicitation; {@code handler} gets the {@code elicitation/create} params and returns
         * the result ({@code action} and, when accepting, {@code content}).
         */
        public Options elicitation(Function<Map<String, Object>, Map<String, Object>> handler) {
            this.elicitation = handler;
            return this;
        }

        /** Declares elicitation, accepting every request with these values. */
        public Options elicitationAccept(Map<String, Object> content) {
            return elicitation(params -> Map.of("action", "accept", "content", content));
        }

        /** Declares roots and answers {@code roots/list} with these URIs (e.g. {@code file:///home/me/project}). */
        public Options roots(String... uris) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (String uri : uris) {
                list.add(Map.of("uri", uri));
            }
            this.roots = List.copyOf(list);
            return this;
        }
    }

    /** A notification from the server: {@code notifications/progress}, {@code notifications/message}, … */
    public record Notification(String method, Map<String, Object> params) {
    }

    /** A tool as {@code tools/list} shows it; schemas and annotations as plain maps (null when absent). */
    public record ToolInfo(String name, String title, String description, Map<String, Object> inputSchema,
                           Map<String, Object> outputSchema, Map<String, Object> annotations) {

        @SuppressWarnings("unchecked")
        static ToolInfo of(Map<String, Object> t) {
            return new ToolInfo((String) t.get("name"), (String) t.get("title"), (String) t.get("description"),
                    (Map<String, Object>) t.get("inputSchema"), (Map<String, Object>) t.get("outputSchema"),
                    (Map<String, Object>) t.get("annotations"));
        }
    }

    /** {@code completion/complete}'s answer. */
    public record Completion(List<String> values, Integer total, boolean hasMore) {
    }

    /** A tool call on its way: wait for it or cancel it. */
    public final class PendingCall {

        private final long id;
        private final String progressToken;
        private final CompletableFuture<Map<String, Object>> response;

        private PendingCall(long id, String progressToken, CompletableFuture<Map<String, Object>> response) {
            this.id = id;
            this.progressToken = progressToken;
            this.response = response;
        }

        public long requestId() {
            return id;
        }

        public boolean isDone() {
            return response.isDone();
        }

        /** Waits for the result (at most the client's timeout). */
        public ToolCallResult result() {
            Map<String, Object> result = await(response, "tools/call");
            return new ToolCallResult(result, progress());
        }

        /** The progress notifications this call sent so far. */
        public List<Notification> progress() {
            return notifications("notifications/progress").stream()
                    .filter(n -> progressToken.equals(n.params().get("progressToken"))).toList();
        }

        /** Waits for this call's next progress notification. */
        public Notification awaitProgress(Duration timeout) {
            return awaitNotification(n -> n.method().equals("notifications/progress")
                    && progressToken.equals(n.params().get("progressToken")), timeout, "progress of call " + id);
        }

        /** Sends {@code notifications/cancelled}; the server stops the call and sends no result for it. */
        public void cancel(String reason) {
            McpTestClient.this.notify("notifications/cancelled", Map.of("requestId", id, "reason", reason));
        }
    }

    /** A JSON-RPC error the server answered with. */
    public static final class McpError extends RuntimeException {

        private final int code;
        private final String errorMessage;
        private final transient Object data;

        McpError(String method, int code, String message, Object data) {
            super(method + " failed with error " + code + ": " + message);
            this.code = code;
            this.errorMessage = message;
            this.data = data;
        }

        /** The error's {@code message} as the server sent it. */
        public String errorMessage() {
            return errorMessage;
        }

        /** The JSON-RPC error code, e.g. -32602 for invalid params. */
        public int code() {
            return code;
        }

        /** The error's {@code data}, or null. */
        public Object data() {
            return data;
        }
    }
}
