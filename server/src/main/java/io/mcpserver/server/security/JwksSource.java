package io.mcpserver.server.security;

import io.helidon.security.jwt.jwk.Jwk;
import io.helidon.security.jwt.jwk.JwkKeys;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The issuer's public keys, from a JWKS file or URL, re-read every {@code refresh} and when a token names a key
 * id we do not know (key rotation), but at most once per {@link #MIN_RELOAD_INTERVAL} so that tokens with made-up
 * key ids cannot make us hammer the issuer. A failed re-read keeps the keys we had.
 */
final class JwksSource {

    private static final System.Logger LOG = System.getLogger(JwksSource.class.getName());
    static final Duration MIN_RELOAD_INTERVAL = Duration.ofSeconds(30);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> KEY_TYPES = Set.of(Jwk.KEY_TYPE_RSA, Jwk.KEY_TYPE_EC);

    private final Path file;
    private final URI url;
    private final Duration refresh;
    private final Clock clock;
    private final ReentrantLock loading = new ReentrantLock();
    private volatile List<Jwk> keys = List.of();
    private volatile Instant loadedAt = Instant.MIN;
    private volatile Instant attemptedAt = Instant.MIN;
    private volatile HttpClient http;

    JwksSource(Path file, URI url, Duration refresh, Clock clock) {
        this.file = file;
        this.url = url;
        this.refresh = refresh;
        this.clock = clock;
    }

    /** Reads the keys now; the message of the exception says what is wrong with the source. */
    void loadNow() throws IOException {
        loading.lock();
        try {
            attemptedAt = clock.instant();
            keys = parse(read());
            loadedAt = attemptedAt;
        } finally {
            loading.unlock();
        }
    }

    /** The current keys, re-read first when they are older than {@code refresh}. */
    List<Jwk> keys() {
        if (Duration.between(loadedAt, clock.instant()).compareTo(refresh) > 0) {
            reload();
        }
        return keys;
    }

    /** A token named a key we do not have: re-read now unless we just did. */
    List<Jwk> keysAfterUnknownKey() {
        reload();
        return keys;
    }

    private void reload() {
        if (Duration.between(attemptedAt, clock.instant()).compareTo(MIN_RELOAD_INTERVAL) < 0 || !loading.tryLock()) {
            return; // another thread is reading them, or we just tried
        }
        try {
            attemptedAt = clock.instant();
            keys = parse(read());
            loadedAt = attemptedAt;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot re-read the JWKS from " + where() + " (" + e.getMessage()
                    + "); keeping the " + keys.size() + " keys we have");
        } finally {
            loading.unlock();
        }
    }

    String where() {
        return file != null ? file.toString() : String.valueOf(url);
    }

    private byte[] read() throws IOException {
        if (file != null) {
            return Files.readAllBytes(file);
        }
        HttpClient client = http;
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            http = client;
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Only public signature keys are kept: a symmetric ({@code oct}) key in a JWKS would let anyone who can read it mint tokens. */
    static List<Jwk> parse(byte[] json) throws IOException {
        JsonObject document;
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(json))) {
            document = reader.readObject();
        } catch (RuntimeException e) {
            throw new IOException("not a JSON object: " + e.getMessage(), e);
        }
        JsonValue keyArray = document.get("keys");
        if (keyArray == null || keyArray.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new IOException("a JWKS needs a \"keys\" array");
        }
        JwkKeys.Builder builder = JwkKeys.builder();
        for (JsonValue value : keyArray.asJsonArray()) {
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                continue;
            }
            JsonObject key = value.asJsonObject();
            String type = key.getString("kty", "");
            String use = key.getString("use", Jwk.USE_SIGNATURE);
            if (!KEY_TYPES.contains(type) || !use.equals(Jwk.USE_SIGNATURE)) {
                LOG.log(System.Logger.Level.WARNING, "JWKS key " + key.getString("kid", "(no kid)") + " of type '" + type
                        + "' and use '" + use + "' ignored: only RSA and EC signature keys verify tokens");
                continue;
            }
            try {
                builder.addKey(Jwk.create(key));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "JWKS key " + key.getString("kid", "(no kid)") + " ignored: "
                        + e.getMessage());
            }
        }
        return builder.build().keys();
    }
}
