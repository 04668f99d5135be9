package io.mcpserver.server.transport.http;

import io.mcpserver.server.protocol.ClientText;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * DNS-rebinding protection: which {@code Origin} and {@code Host} headers the listener accepts.
 * A request without {@code Origin} (not from a browser) passes the origin check. Loopback origins, and
 * only loopback {@code Host} names, are accepted when the listener is bound to loopback; more can be
 * configured.
 */
final class OriginPolicy {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    private final boolean loopbackBound;
    private final boolean anyOrigin;
    private final Set<String> origins;
    private final Set<String> hosts;

    OriginPolicy(String bindHost, List<String> allowedOrigins, List<String> allowedHosts) {
        this.loopbackBound = isLoopback(bindHost);
        this.anyOrigin = allowedOrigins.contains("*");
        this.origins = allowedOrigins.stream().map(OriginPolicy::normalizeOrigin).collect(Collectors.toSet());
        this.hosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    /** Null when the request may proceed, else why it may not. */
    String rejection(String origin, String host) {
        if (!hostAllowed(host)) {
            return "Host '" + ClientText.shown(host) + "' is not accepted by this server (DNS-rebinding protection); "
                    + "add it to transports.http.allowed-hosts";
        }
        if (origin != null && !originAllowed(origin)) {
            return "Origin '" + ClientText.shown(origin) + "' is not allowed; add it to transports.http.allowed-origins";
        }
        return null;
    }

    boolean originAllowed(String origin) {
        if (anyOrigin || origins.contains(normalizeOrigin(origin))) {
            return true;
        }
        if (!loopbackBound) {
            return false;
        }
        try {
            URI uri = new URI(origin.trim());
            String scheme = uri.getScheme();
            return uri.getHost() != null && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                    && isLoopbackName(uri.getHost());
        } catch (Exception e) {
            return false; // "null" and malformed origins
        }
    }

    boolean hostAllowed(String host) {
        if (!loopbackBound && hosts.isEmpty()) {
            return true;
        }
        if (host == null || host.isBlank()) {
            return false;
        }
        String name = hostName(host.trim().toLowerCase(Locale.ROOT));
        return hosts.contains(name) || (loopbackBound && isLoopbackName(name));
    }

    /** {@code example.com:80} → {@code example.com}; {@code [::1]:80} → {@code [::1]}. */
    static String hostName(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static boolean isLoopbackName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return LOOPBACK_NAMES.contains(n) || n.matches("127(\\.\\d{1,3}){3}");
    }

    private static String normalizeOrigin(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    private static boolean isLoopback(String bindHost) {
        if (isLoopbackName(bindHost)) {
            return true;
        }
        try {
            // a literal or a name from /etc/hosts; "0.0.0.0" is not loopback
            return InetAddress.getByName(bindHost).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
