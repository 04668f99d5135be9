package io.mcpserver.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcpserver.server.json.Json;
import io.mcpserver.spi.LogLevel;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a 2026-07-28 request says about itself in {@code params._meta}: the protocol version, the
 * client's capabilities and identity, and the log level it wants for this one request.
 */
public record RequestMeta(ProtocolVersion version, ObjectNode clientCapabilities, Map<String, Object> clientInfo,
                          LogLevel logLevel) {

    public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    public static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    public static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

    /** True when the request carries the per-request metadata of the stateless era. */
    public static boolean present(JsonNode params) {
        JsonNode meta = params == null ? null : params.get("_meta");
        return meta != null && meta.isObject()
                && (meta.has(PROTOCOL_VERSION) || meta.has(CLIENT_CAPABILITIES) || meta.has(CLIENT_INFO));
    }

    /**
     * Reads and checks the metadata: the version first (so that a client learns what to retry with),
     * then the required capabilities.
     *
     * @throws McpException -32022 for a version not served statelessly, -32602 for anything missing or malformed
     */
    public static RequestMeta read(JsonNode params) {
        JsonNode meta = params == null ? null : params.get("_meta");
        if (meta == null || !meta.isObject()) {
            throw McpException.invalidParams("Missing params._meta: a 2026-07-28 request carries '" + PROTOCOL_VERSION
                    + "' and '" + CLIENT_CAPABILITIES + "' in params._meta (or start a legacy session with initialize)");
        }
        JsonNode version = meta.get(PROTOCOL_VERSION);
        if (version == null || !version.isTextual()) {
            throw McpException.invalidParams("Missing or non-string params._meta['" + PROTOCOL_VERSION
                    + "']: every request states its protocol version, e.g. \"2026-07-28\"");
        }
        ProtocolVersion v = ProtocolVersion.of(version.asText()).orElse(null);
        if (v == null || v.isLegacy()) {
            throw unsupportedVersion(version.asText(), v == null
                    ? "Unsupported protocol version '" + ClientText.shown(version.asText()) + "'"
                    : "Protocol version '" + version.asText() + "' needs the initialize handshake; requests "
                    + "carrying their version in _meta are served for " + statelessIds());
        }
        JsonNode caps = meta.get(CLIENT_CAPABILITIES);
        if (caps == null || !caps.isObject()) {
            throw McpException.invalidParams("Missing or non-object params._meta['" + CLIENT_CAPABILITIES
                    + "']: every request declares the client's capabilities ({} for none)");
        }
        JsonNode info = meta.get(CLIENT_INFO);
        if (info != null && !info.isNull() && !info.isObject()) {
            throw McpException.invalidParams("params._meta['" + CLIENT_INFO + "'] must be an object with name and version");
        }
        LogLevel level = null;
        JsonNode levelNode = meta.get(LOG_LEVEL);
        if (levelNode != null && !levelNode.isNull()) {
            level = Arrays.stream(LogLevel.values()).filter(l -> l.wireName().equals(levelNode.asText(null)))
                    .findFirst().orElseThrow(() -> McpException.invalidParams("Unknown log level " + levelNode
                            + " in params._meta['" + LOG_LEVEL
                            + "'] (debug, info, notice, warning, error, critical, alert, emergency)"));
        }
        Map<String, Object> clientInfo = Json.toMap(info);
        clientInfo.values().removeIf(Objects::isNull); // sessions keep an immutable copy
        return new RequestMeta(v, (ObjectNode) caps, clientInfo, level);
    }

    /** Every revision this server speaks, newest first: stateless ones per request, legacy ones after initialize. */
    public static List<String> supportedIds() {
        return Arrays.stream(ProtocolVersion.values()).sorted(Comparator.reverseOrder()).map(ProtocolVersion::id)
                .toList();
    }

    private static String statelessIds() {
        return String.join(", ", Arrays.stream(ProtocolVersion.values()).filter(v -> !v.isLegacy())
                .map(ProtocolVersion::id).toList());
    }

    /** {@code UnsupportedProtocolVersionError}: -32022 with the versions to retry with. */
    public static McpException unsupportedVersion(String requested, String message) {
        ObjectNode data = Json.object();
        ArrayNode supported = data.putArray("supported");
        supportedIds().forEach(supported::add);
        data.put("requested", requested);
        return new McpException(ErrorCodes.UNSUPPORTED_PROTOCOL_VERSION, message + "; supported: "
                + String.join(", ", supportedIds()), data);
    }
}
