package io.mcpserver.server.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code cluster.*}: whether this process is one node of a cluster sharing its state in Redis, and where Redis is.
 *
 * @param enabled  share sessions, stream events, notifications and limits through Redis
 * @param redisUrl {@code redis://} or {@code rediss://} URL, possibly with a password (secret: never logged)
 * @param nodeId   this node's name, unique in the cluster
 * @param rateLimitsRefuseWithoutRedis {@code cluster.rate-limit-fallback: refuse}: while Redis cannot be reached,
 *                 requests a rate limit applies to are refused (-32603) rather than limited per node ({@code local})
 */
public record ClusterSettings(boolean enabled, String redisUrl, String nodeId, boolean rateLimitsRefuseWithoutRedis) {

    public ClusterSettings(boolean enabled, String redisUrl, String nodeId) {
        this(enabled, redisUrl, nodeId, false);
    }

    @Override
    public String toString() { // the URL may hold a password
        return "ClusterSettings[enabled=" + enabled + ", redisUrl=" + redacted(redisUrl) + ", nodeId=" + nodeId + "]";
    }

    /** The URL without its user information, for logs and {@code /ready}. */
    public static String redacted(String url) {
        try {
            URI uri = new URI(url);
            return uri.getUserInfo() == null ? url
                    : new URI(uri.getScheme(), "***", uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return "(unparsable URL)";
        }
    }

    static ClusterSettings read(ConfigReader r) {
        boolean enabled = r.bool("cluster.enabled");
        String url = r.string("cluster.redis.url");
        try {
            URI uri = new URI(url);
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                r.problem("cluster.redis.url", "must start with redis:// or rediss:// (TLS), was '" + redacted(url) + "'");
            } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                r.problem("cluster.redis.url", "must name a host, e.g. redis://127.0.0.1:6379");
            }
        } catch (URISyntaxException e) {
            // the message would quote the URL, password included
            r.problem("cluster.redis.url", "is not a URL such as redis://127.0.0.1:6379 (" + e.getReason() + ")");
        }
        String nodeId = r.string("cluster.node-id");
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = defaultNodeId();
        } else if (!nodeId.matches("[A-Za-z0-9._:-]{1,100}")) {
            // it becomes part of Redis keys and channel names
            r.problem("cluster.node-id", "must be 1-100 letters, digits, '.', '_', ':' or '-', was '" + nodeId + "'");
        }
        return new ClusterSettings(enabled, url, nodeId, r.choice("cluster.rate-limit-fallback").equals("refuse"));
    }

    /** The host name and the process id: unique per process on a host, readable in logs. */
    static String defaultNodeId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "node";
            }
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + ProcessHandle.current().pid();
    }
}
