package io.mcpserver.server.security;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The OAuth 2.0 Protected Resource Metadata document (RFC 9728) that tells a client which authorization servers
 * issue tokens for this server and which scopes exist. It is served at {@value #WELL_KNOWN} and at the
 * path-suffixed {@value #WELL_KNOWN}{@code /mcp}; every 401 points at it ({@code resource_metadata}).
 *
 * <p>The resource is {@code security.resource} when set (the public URL, e.g. behind a TLS-terminating proxy),
 * else derived from the origin the request came to and the MCP endpoint's path.
 */
public final class ProtectedResourceMetadata {

    public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    private final URI resource;
    private final String mcpPath;
    private final List<String> authorizationServers;
    private final List<String> scopesSupported;

    /**
     * @param resource the configured canonical URI, null to derive it from each request's origin
     * @param mcpPath  the path of the MCP endpoint, e.g. {@code /mcp}
     */
    public ProtectedResourceMetadata(String resource, String mcpPath, List<String> authorizationServers,
                                     List<String> scopesSupported) {
        this.resource = resource == null ? null : URI.create(resource);
        this.mcpPath = mcpPath;
        this.authorizationServers = List.copyOf(authorizationServers);
        this.scopesSupported = List.copyOf(scopesSupported);
    }

    /**
     * This server's canonical URI.
     *
     * @param origin {@code scheme://host[:port]} the request came to, used when no resource is configured
     */
    public String resource(String origin) {
        return resource != null ? resource.toString() : origin + mcpPath;
    }

    /** Where the document is: the well-known path with the resource's path appended (RFC 9728 §3.1). */
    public String url(String origin) {
        if (resource == null) {
            return origin + WELL_KNOWN + mcpPath;
        }
        String path = resource.getRawPath() == null || resource.getRawPath().equals("/") ? "" : resource.getRawPath();
        return resource.getScheme() + "://" + resource.getRawAuthority() + WELL_KNOWN + path;
    }

    /** Whether {@code security.resource} is set (else the resource is derived from each request's origin). */
    public boolean configured() {
        return resource != null;
    }

    /** The paths on this server's HTTP listener the document is served at. */
    public Set<String> paths() {
        Set<String> paths = new LinkedHashSet<>();
        paths.add(WELL_KNOWN);
        paths.add(WELL_KNOWN + mcpPath);
        if (resource != null && resource.getRawPath() != null && resource.getRawPath().length() > 1) {
            paths.add(WELL_KNOWN + resource.getRawPath());
        }
        return paths;
    }

    public ObjectNode document(String origin) {
        ObjectNode doc = Json.object();
        doc.put("resource", resource(origin));
        authorizationServers.forEach(doc.putArray("authorization_servers")::add);
        if (!scopesSupported.isEmpty()) {
            scopesSupported.forEach(doc.putArray("scopes_supported")::add);
        }
        doc.putArray("bearer_methods_supported").add("header");
        return doc;
    }
}
