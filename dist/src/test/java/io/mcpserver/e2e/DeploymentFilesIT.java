package io.mcpserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployment files under {@code deploy/} (Dockerfile, compose.yaml, nginx.conf, kubernetes/) cannot be run here
 * (no container engine), so this keeps them honest against the distribution: the launcher and tarball they name
 * exist, the version they tag is this build's, every {@code MCP_*} variable and the ConfigMap's file pass
 * {@code bin/mcp-server --check-config}, the ports and probe paths are the configured ones, nginx accepts the
 * balancer's configuration, and the image's HEALTHCHECK command, run against a real cluster node, fails while Redis
 * is down and passes once it is up.
 */
class DeploymentFilesIT {

    private static final Path DEPLOY = TestEnv.projectRoot().resolve("deploy");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern MCP_VARIABLE = Pattern.compile("\\b(MCP_[A-Z0-9_]+)\\b");
    /** Values for the variables the files take from secrets or leave to the operator. */
    private static final Map<String, String> SAMPLE_VALUES = Map.of(
            "MCP_CLUSTER_REDIS_URL", "redis://:change-me@redis:6379",
            "MCP_PROTOCOL_REQUEST__STATE__KEY", Base64.getEncoder().encodeToString(new byte[32]),
            "MCP_CLUSTER_NODE__ID", "node-a");

    private static String read(String file) throws IOException {
        return Files.readString(DEPLOY.resolve(file));
    }

    @Test
    void theDockerfileNamesTheTarballAndTheLauncherOfThisBuildAndRunsAsSomeoneElseThanRoot() throws Exception {
        String dockerfile = read("Dockerfile");
        assertTrue(dockerfile.contains("ADD dist/target/mcp-server-${VERSION}.tar.gz /opt/"), dockerfile);
        assertEquals("mcp-server-" + TestEnv.projectVersion() + ".tar.gz", TestEnv.distTarball().getFileName().toString());
        assertTrue(Files.isRegularFile(TestEnv.distTarball()), "the tarball the image unpacks");
        assertTrue(tarballHas("mcp-server-" + TestEnv.projectVersion() + "/bin/mcp-server"),
                "the tarball unpacks to mcp-server-<version>/bin/mcp-server, the image's entry point");
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/opt/mcp-server/bin/mcp-server\"]"), dockerfile);
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertTrue(user.find() && !user.group(1).equals("root") && !user.group(1).equals("0"), "a non-root USER");
        assertTrue(dockerfile.contains("MCP_TRANSPORTS_HTTP_PORT=9001") && dockerfile.contains("EXPOSE 9001"), dockerfile);
        assertTrue(dockerfile.contains("/dev/tcp/127.0.0.1/9001") && dockerfile.contains("GET /ready"),
                "the HEALTHCHECK asks /ready on the exposed port");
        checkConfig("Dockerfile", variables(dockerfile), null);
    }

    @Test
    void composeAndKubernetesTagThisVersionAndSetOnlyKeysThatExist() throws Exception {
        String compose = read("compose.yaml");
        assertTrue(compose.contains("${VERSION:-" + TestEnv.projectVersion() + "}"), "compose's default VERSION");
        assertTrue(compose.contains("dockerfile: deploy/Dockerfile") && compose.contains("context: .."), compose);
        assertTrue(compose.contains("./nginx.conf:/etc/nginx/nginx.conf"), compose);
        checkConfig("compose.yaml", variables(compose), null);
        for (String node : List.of("node-a", "node-b", "node-c")) {
            assertTrue(compose.contains("\n  " + node + ":\n"), "compose has the service " + node);
        }

        String deployment = read("kubernetes/deployment.yaml");
        assertTrue(deployment.contains("image: mcp-server:" + TestEnv.projectVersion()), "the Deployment's image tag");
        String configMap = read("kubernetes/configmap.yaml");
        Matcher file = Pattern.compile("(?s)mcp-server\\.yaml: \\|\\n(.*)").matcher(configMap);
        assertTrue(file.find(), configMap);
        String yaml = file.group(1).lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                .reduce("", (a, b) -> a + b + "\n");
        assertTrue(deployment.contains("args: [\"--config\", \"/etc/mcp-server/mcp-server.yaml\"]")
                && deployment.contains("mountPath: /etc/mcp-server") && deployment.contains("name: mcp-server-config"),
                "the Deployment mounts the ConfigMap where --config points");
        checkConfig("kubernetes/", variables(deployment), yaml);
        assertTrue(yaml.contains("port: 9001") && deployment.contains("containerPort: 9001"), "one HTTP port");
        assertTrue(yaml.contains("health-path: /health") && yaml.contains("ready-path: /ready"), yaml);
        assertTrue(deployment.contains("path: /health") && deployment.contains("path: /ready"), "probes");
        String shipped = Files.readString(TestEnv.distHome().resolve("conf/mcp-server.yaml"));
        assertTrue(shipped.contains("health-path: /health") && shipped.contains("ready-path: /ready"),
                "the probe paths are the defaults too");
        String pdb = read("kubernetes/poddisruptionbudget.yaml");
        String service = read("kubernetes/service.yaml");
        for (String selector : List.of(pdb, service, deployment)) {
            assertTrue(selector.contains("app.kubernetes.io/name: mcp-server"), "one label selects the nodes");
        }
        assertTrue(pdb.contains("kind: PodDisruptionBudget") && service.contains("targetPort: http")
                && deployment.contains("name: http"), "the Service targets the named port");
    }

    @Test
    void nginxAcceptsTheBalancersConfiguration() throws Exception {
        String conf = read("nginx.conf");
        for (String node : List.of("node-a", "node-b", "node-c")) {
            assertEquals(1, count(conf, "server " + node + ":9001;"), node + " in the one upstream on the HTTP port");
        }
        assertFalse(conf.contains("sticky") || conf.contains("hash"), "no stickiness, legacy SSE included");
        Path prefix = Files.createTempDirectory(TestEnv.workRoot(), "deploy-nginx-");
        String local = conf.replaceAll("node-[abc]:9001", "127.0.0.1:9001")
                .replace("listen 8080;", "listen 127.0.0.1:" + RedisProcess.freePort() + ";")
                .replace("http {", "http {\n    access_log " + prefix + "/access.log;\n"
                        + "    client_body_temp_path " + prefix + "/body;\n    proxy_temp_path " + prefix + "/proxy;\n"
                        + "    fastcgi_temp_path " + prefix + "/fastcgi;\n    uwsgi_temp_path " + prefix + "/uwsgi;\n"
                        + "    scgi_temp_path " + prefix + "/scgi;\n");
        Files.writeString(prefix.resolve("nginx.conf"), local);
        Process check = new ProcessBuilder(TestEnv.nginx().toString(), "-t", "-p", prefix + "/", "-e",
                prefix + "/error.log", "-c", prefix + "/nginx.conf", "-g", "pid " + prefix + "/nginx.pid;")
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), "nginx -t hangs");
        assertEquals(0, check.exitValue(), "nginx rejects deploy/nginx.conf:\n" + out);
    }

    @Test
    void theHealthCheckFailsWhileRedisIsDownAndPassesOnceItIsUp() throws Exception {
        JsonNode cmd = new ObjectMapper().readTree(
                read("Dockerfile").lines().filter(l -> l.strip().startsWith("CMD [")).findFirst()
                        .orElseThrow().strip().substring("CMD ".length()));
        try (RedisProcess redis = RedisProcess.reserve("deploy", "change-me");
             ServerProcess node = ServerProcess.builder().name("deploy-healthcheck").tcp(false).plugins("demo")
                     .env("MCP_CLUSTER_ENABLED", "true").env("MCP_CLUSTER_REDIS_URL", redis.url()).start()) {
            List<String> command = new ArrayList<>();
            cmd.forEach(part -> command.add(part.asText().replace("/9001", "/" + node.httpPort())));
            assertFalse(command.toString().contains("9001"), "the port is replaced: " + command);
            assertNotEquals(0, run(command), "unhealthy while Redis is down");
            redis.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (run(command) != 0) {
                if (System.nanoTime() > deadline) {
                    fail("the HEALTHCHECK never passed:\n" + node.stderr());
                }
                Thread.sleep(200);
            }
        }
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the health check hangs");
        return p.exitValue();
    }

    /** {@code bin/mcp-server --check-config} with these variables (and this file): every key they set exists. */
    private static void checkConfig(String what, Map<String, String> variables, String yaml) throws Exception {
        ServerProcess.Builder builder = ServerProcess.builder().name("deploy-check").args("--check-config");
        variables.forEach(builder::env);
        if (yaml != null) {
            builder.config(yaml);
        }
        ServerProcess.Result result = builder.run(TIMEOUT);
        assertEquals(0, result.exitCode(), what + " sets " + variables.keySet() + ":\n" + result.stderr());
    }

    /** Every {@code MCP_*} variable a file names, with its value there when it has a literal one. */
    private static Map<String, String> variables(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = MCP_VARIABLE.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertFalse(names.isEmpty());
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names) {
            Matcher literal = Pattern.compile(Pattern.quote(name) + "(?:=|: )\"?([^\"\\s\\\\$]+)\"?").matcher(text);
            values.put(name, SAMPLE_VALUES.getOrDefault(name, literal.find() ? literal.group(1) : "x"));
        }
        return values;
    }

    private static boolean tarballHas(String entry) throws Exception {
        Process tar = new ProcessBuilder("tar", "-tzf", TestEnv.distTarball().toString()).start();
        String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        tar.waitFor(60, TimeUnit.SECONDS);
        return listing.lines().anyMatch(entry::equals);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}
