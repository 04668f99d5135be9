package io.mcpserver.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.server.plugins.LoadedPlugin;
import io.mcpserver.server.presence.Presence;
import io.mcpserver.server.presence.PresenceEntry;
import io.mcpserver.server.security.ServerSecurity;
import io.mcpserver.server.transport.PluginTransport;
import io.mcpserver.server.transport.stdio.StdioTransport;
import io.mcpserver.spi.McpPlugin;
import io.mcpserver.spi.transport.Transport;
import io.mcpserver.spi.transport.TransportContext;
import io.mcpserver.spi.transport.TransportFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presence on the transports without a socket of the server's own: plugin transports and stdio. */
class PresenceTest {

    @TempDir
    Path home;

    @Test
    void aPluginTransportsClientIsListedClosedAndForgotten() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            AtomicReference<TransportContext> context = new AtomicReference<>();
            TransportFactory factory = new TransportFactory() {
                @Override
                public String name() {
                    return "pipe";
                }

                @Override
                public Transport create(TransportContext c) {
                    context.set(c);
                    return new Transport() {
                        @Override
                        public void start() {
                        }

                        @Override
                        public void close() {
                        }
                    };
                }
            };
            McpPlugin plugin = () -> "pipe-plugin";
            PluginTransport transport = new PluginTransport(s.server.core(), factory,
                    new LoadedPlugin(plugin, home, getClass().getClassLoader(), null), s.server.config(),
                    s.server.security().edge());
            transport.start();
            try {
                BlockingQueue<String> out = new LinkedBlockingQueue<>();
                TransportContext.Connection first = context.get().open("pipe-peer-1", out::add);
                first.receive(AdminServer.initialize("piped"));
                assertNotNull(out.poll(15, TimeUnit.SECONDS));
                TransportContext.Connection second = context.get().open("pipe-peer-2", out::add);
                List<PresenceEntry> both = s.awaitPresence(2);
                PresenceEntry entry = both.stream().filter(e -> e.remote().equals("pipe-peer-1")).findFirst()
                        .orElseThrow();
                assertEquals("pipe", entry.transport());
                assertEquals("piped", entry.clientName());
                assertTrue(entry.closable());

                // closed by an administrator: the session ends and what the client still sends is refused
                JsonNode closed = s.adminJson("DELETE", "/admin/connections/" + entry.id());
                assertTrue(closed.path("closed").asBoolean());
                first.receive("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
                JsonNode refused = Json.parse(out.poll(15, TimeUnit.SECONDS));
                assertTrue(refused.path("error").path("message").asText().contains("administrator"), refused.toString());
                assertEquals(1, s.server.presence().list().size());

                second.close(); // the plugin's own close path
                assertTrue(s.awaitPresence(0).isEmpty());
            } finally {
                transport.close();
            }
        }
    }

    @Test
    void stdioIsListedButNotClosable() throws Exception {
        try (AdminServer s = new AdminServer(home, "")) {
            PipedOutputStream toServer = new PipedOutputStream();
            PipedInputStream in = new PipedInputStream(toServer, 1 << 16);
            PipedInputStream fromServer = new PipedInputStream(1 << 16);
            PipedOutputStream out = new PipedOutputStream(fromServer);
            StdioTransport stdio = new StdioTransport(s.server.core(), in, out, 1 << 20,
                    ServerSecurity.anonymous(), () -> { });
            stdio.start();
            try {
                toServer.write((AdminServer.initialize("parent") + "\n").getBytes(StandardCharsets.UTF_8));
                toServer.flush();
                PresenceEntry entry = s.awaitPresence(1).getFirst();
                assertEquals("stdio", entry.transport());
                assertEquals("stdio", entry.remote());
                assertFalse(entry.closable());
                assertEquals(Presence.Disconnect.NOT_SUPPORTED, s.server.presence().disconnect(entry.id(), "test"));
                HttpResponse<String> res = s.admin("DELETE", "/admin/connections/" + entry.id());
                assertEquals(409, res.statusCode());
                assertEquals("not_closable", Json.parse(res.body()).path("error").path("code").asText());
                assertEquals(1, s.server.presence().list().size(), "still there");
            } finally {
                toServer.close(); // end of input: the connection closes
            }
            assertTrue(s.awaitPresence(0).isEmpty());
            stdio.close();
        }
    }
}
