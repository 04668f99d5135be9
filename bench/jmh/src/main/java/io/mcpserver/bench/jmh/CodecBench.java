package io.mcpserver.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The JSON-RPC codec as the transports use it: the server's one Jackson mapper ({@link Json}). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodecBench {

    @Param({"small", "64k"})
    public String payload;

    private String request;
    private byte[] requestBytes;
    private ObjectNode reply;

    @Setup
    public void setup() throws Exception {
        String text = Payloads.text(payload);
        request = Payloads.call(42, text);
        requestBytes = request.getBytes(StandardCharsets.UTF_8);
        reply = (ObjectNode) Json.parse(Payloads.reply(42, text));
    }

    /** What NDJSON transports (stdio, TCP) do: a decoded line to a tree. */
    @Benchmark
    public JsonNode parseString() throws Exception {
        return Json.parse(request);
    }

    /** What a byte-oriented transport could do: the bytes straight to a tree. */
    @Benchmark
    public JsonNode parseBytes() throws Exception {
        return Json.parse(requestBytes);
    }

    /** A reply tree to the bytes written on the wire. */
    @Benchmark
    public byte[] writeBytes() {
        return Json.writeBytes(reply);
    }

    /**
     * What the connection transports do per request: the reply is serialized on the request's own (new)
     * virtual thread. Compare with {@link #virtualThreadOnly}: the difference is the serialization there.
     */
    @Benchmark
    public byte[] writeBytesOnNewVirtualThread() throws Exception {
        byte[][] out = new byte[1][];
        Thread.ofVirtual().start(() -> out[0] = Json.writeBytes(reply)).join();
        return out[0];
    }

    /** The cost of starting and joining a virtual thread that does nothing. */
    @Benchmark
    public byte[][] virtualThreadOnly() throws Exception {
        byte[][] out = new byte[1][];
        Thread.ofVirtual().start(() -> out[0] = null).join();
        return out;
    }

    /** A reply tree to a String (what a text WebSocket frame needs). */
    @Benchmark
    public String writeString() {
        return Json.write(reply);
    }
}
