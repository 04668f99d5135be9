package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.core.McpCore;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.registry.Contributions;
import io.mcpserver.server.registry.FeatureRegistry;
import io.mcpserver.server.registry.Owner;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher's one entry, {@link Dispatcher#submit}: whether a request may run is known synchronously, before
 * anything runs (so a transport can pick its status first), and an admitted request counts as running from that
 * moment (so a graceful shutdown cannot miss one whose thread has not started yet).
 */
class AdmissionTest {

    private final AtomicInteger calls = new AtomicInteger();
    private final List<RequestHook.Completion> audited = new ArrayList<>();
    private McpCore core;
    private Session session;

    @BeforeEach
    void setUp() {
        FeatureRegistry registry = new FeatureRegistry();
        registry.register(new Contributions(new Owner("test", getClass().getClassLoader()), List.of(
                Tool.of(ToolDescriptor.builder("open").build(), (args, ctx) -> {
                    calls.incrementAndGet();
                    return ToolResult.text("ran");
                }),
                Tool.of(ToolDescriptor.builder("secret").build(), (args, ctx) -> {
                    calls.incrementAndGet();
                    return ToolResult.text("leaked");
                })), List.of(), List.of(), List.of(), List.of()));
        AccessPolicy rules = (caller, kind, name) -> name.equals("secret") ? Optional.of("scope 'secret' is missing")
                : Optional.empty();
        RequestHook hook = new RequestHook() {
            @Override
            public void admit(Session s, String method, JsonNode params) {
            }

            @Override
            public void completed(Completion completion) {
                synchronized (audited) {
                    audited.add(completion);
                }
            }
        };
        core = new McpCore(TestClient.settings(100, Duration.ofSeconds(30)), registry, rules, hook, false);
        session = core.sessions().open("test", new Caller("tester", Set.of(), Set.of(), null, null, Map.of()), null);
        session.negotiated(ProtocolVersion.LATEST_LEGACY, Json.object(), Map.of());
    }

    @AfterEach
    void tearDown() {
        core.sessions().close(session, "test over");
    }

    private static JsonNode call(int id, String tool) throws Exception {
        return Json.parse("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\"}}");
    }

    @Test
    void anAdmittedRequestCountsAsRunningBeforeItsThreadStarts() throws Exception {
        Admission.Admitted admitted = assertInstanceOf(Admission.Admitted.class, core.dispatcher().submit(session,
                call(1, "open")));
        assertEquals(0, calls.get(), "admission runs nothing");
        assertFalse(core.dispatcher().awaitIdle(Duration.ZERO), "shutdown waits for it before it runs");
        assertFalse(session.awaitIdle(Duration.ZERO));

        BlockingQueue<ObjectNode> out = new LinkedBlockingQueue<>();
        admitted.start(out::add, () -> { });
        ObjectNode response = out.poll(10, TimeUnit.SECONDS);
        assertNotNull(response);
        assertEquals("ran", response.at("/result/content/0/text").asText(), response.toString());
        assertTrue(core.dispatcher().awaitIdle(Duration.ofSeconds(5)));
        assertTrue(session.awaitIdle(Duration.ofSeconds(5)));
    }

    @Test
    void anAccessRuleRefusesAtAdmissionSoNothingRunsAndTheRefusalIsAudited() throws Exception {
        Admission.Refused refused = assertInstanceOf(Admission.Refused.class, core.dispatcher().submit(session,
                call(2, "secret")));
        assertEquals(ErrorCodes.FORBIDDEN, refused.error().at("/error/code").asInt(), refused.error().toString());
        assertEquals(2, refused.error().get("id").asInt());
        assertEquals(0, calls.get(), "the tool never ran");
        assertTrue(core.dispatcher().awaitIdle(Duration.ZERO), "a refused request is not running");
        assertEquals(0, session.inFlightCount());
        synchronized (audited) {
            assertEquals(1, audited.size());
            assertEquals(ErrorCodes.FORBIDDEN, audited.getFirst().error().code());
        }
    }

    @Test
    void aRequestCancelledBeforeItRunsIsNeverRunNorAnswered() throws Exception {
        Admission.Admitted admitted = assertInstanceOf(Admission.Admitted.class, core.dispatcher().submit(session,
                call(3, "open")));
        core.dispatcher().submit(session, Json.parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":3}}"));
        List<ObjectNode> out = new ArrayList<>();
        admitted.run(out::add);
        assertEquals(List.of(), out, "the client asked for no answer");
        assertEquals(0, calls.get());
        assertTrue(core.dispatcher().awaitIdle(Duration.ZERO));
    }

    @Test
    void unknownToolsKeepTheirOwnErrorBeforeTheAccessRule() throws Exception {
        Admission.Refused refused = assertInstanceOf(Admission.Refused.class, core.dispatcher().submit(session,
                call(4, "nothing")));
        assertEquals(ErrorCodes.INVALID_PARAMS, refused.error().at("/error/code").asInt());
    }
}
