package io.mcpserver.server.transport.http;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Issue 16: the compression decision every HTTP request passes with {@code transports.http.compression.enabled}
 * (the default), from the request's {@code Accept-Encoding}. In this package because {@link ResponseCompression} is
 * package-private; a benchmark class on the class path, nothing added to the server for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CompressionDecisionBench {

    /** Non-final fields: the JIT must not fold the decision away. */
    private String absent = null;
    private String node = "gzip, deflate";
    private String browser = "gzip, deflate, br, zstd";

    /** The client asked for no coding (the bench's load generators, curl): the off path. */
    @Benchmark
    public String noAcceptEncoding() {
        return ResponseCompression.chosen(absent);
    }

    /** What Node's fetch (hence the TypeScript SDK) sends on every request. */
    @Benchmark
    public String nodeAcceptEncoding() {
        return ResponseCompression.chosen(node);
    }

    /** What a browser sends. */
    @Benchmark
    public String browserAcceptEncoding() {
        return ResponseCompression.chosen(browser);
    }
}
