package io.mcpserver.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code redis-server} (setup-test-env.sh installs it) on a free loopback port, with its own folder under
 * {@code target/e2e/}, no persistence, optionally a password. {@link #stop()} and {@link #start()} again keep the
 * port, for the tests of what a cluster node does while Redis is away. {@link #close()} stops it for good.
 */
public final class RedisProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final String password;
    private Process process;

    private RedisProcess(Path dir, int port, String password) {
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    /** Starts one; {@code password} may be null (no AUTH). */
    public static RedisProcess start(String name, String password) throws IOException, InterruptedException {
        return reserve(name, password).start();
    }

    /** Chooses the folder and a free port without starting Redis (a node may be started before it). */
    public static RedisProcess reserve(String name, String password) throws IOException {
        Path dir = Files.createTempDirectory(TestEnv.workRoot(), name + "-redis-");
        return new RedisProcess(dir, freePort(), password);
    }

    public int port() {
        return port;
    }

    /** The URL a node is configured with: {@code redis://[:password@]127.0.0.1:port}. */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
    }

    public synchronized RedisProcess start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return this;
        }
        List<String> command = new ArrayList<>(List.of(TestEnv.tool("redis-server").toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.out"))
                        + (Files.exists(dir.resolve("redis.log")) ? Files.readString(dir.resolve("redis.log")) : ""));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return this;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server does not listen on " + port);
    }

    /** Stops Redis (SIGTERM, then SIGKILL) and waits until it has gone; everything it held is lost. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Kills Redis with SIGKILL (no clean close of its connections) and waits until it has gone. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
