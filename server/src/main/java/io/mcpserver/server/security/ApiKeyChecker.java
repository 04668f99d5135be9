package io.mcpserver.server.security;

import io.mcpserver.server.config.ApiKeySettings;
import io.mcpserver.server.config.ApiKeySettings.ApiKey;
import io.mcpserver.spi.Caller;
import io.mcpserver.spi.auth.Credential;
import io.mcpserver.spi.auth.CredentialCheck;
import io.mcpserver.spi.auth.CredentialChecker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * API keys ({@code security.api-keys}, {@code security.api-keys-file}): the server keeps only the SHA-256 of each
 * key. A presented key is hashed and compared with every configured hash in constant time, without stopping at a
 * match, so neither the answer nor its timing tells whether a key exists. An unknown, wrong or expired key gets
 * the same refusal; only the server's log (at DEBUG) says that an expired key was used, by the key's name.
 *
 * <p>Keys are 256 random bits ({@link #newKey()}), so a fast hash is enough: a salted, slow password hash
 * protects guessable secrets, and would cost every request the same slow computation per configured key.
 */
public final class ApiKeyChecker implements CredentialChecker {

    private static final System.Logger LOG = System.getLogger(ApiKeyChecker.class.getName());
    /** The refusal every bad key gets, whatever was wrong with it. */
    static final String REASON = AuthFailure.Reason.INVALID_API_KEY.wireName();
    static final String DESCRIPTION = "the API key is not valid";
    /** How often the keys file is looked at for changes, at most. */
    private static final long FILE_CHECK_NANOS = 1_000_000_000L;
    private static final String PREFIX = "mcp_";

    private record Entry(ApiKey key, byte[] hash) {
    }

    private record FileState(FileTime modified, long size, List<Entry> entries) {
    }

    private final List<Entry> configured;
    private final Path file;
    private final Clock clock;
    private volatile FileState fileState = new FileState(null, -1, List.of());
    private volatile long fileCheckedAt;
    private final Object reloadLock = new Object();

    /** Reads the keys file at once: a broken file stops the start. */
    ApiKeyChecker(ApiKeySettings settings, Clock clock) throws IOException {
        this.configured = entries(settings.keys());
        this.file = settings.file();
        this.clock = clock;
        if (file != null) {
            fileState = readFile();
            fileCheckedAt = System.nanoTime();
        }
    }

    @Override
    public String name() {
        return "api-keys";
    }

    @Override
    public Set<String> schemes() {
        return Set.of(Credential.API_KEY);
    }

    /** How many keys are configured now (the file's included). */
    int size() {
        return configured.size() + currentFile().size();
    }

    @Override
    public CredentialCheck check(Credential credential) {
        byte[] presented = sha256(credential.secret());
        Entry found = null;
        for (List<Entry> entries : List.of(configured, currentFile())) {
            for (Entry entry : entries) {
                // every hash is compared, whatever matched before: the time taken does not depend on which key it is
                if (MessageDigest.isEqual(presented, entry.hash())) {
                    found = entry;
                }
            }
        }
        if (found == null) {
            return CredentialCheck.refused(REASON, DESCRIPTION);
        }
        ApiKey key = found.key();
        Instant now = clock.instant();
        if (key.expires() != null && !now.isBefore(key.expires())) {
            LOG.log(System.Logger.Level.DEBUG, "API key '" + key.name() + "' (subject " + key.subject()
                    + ") expired at " + key.expires() + "; refused from " + credential.remoteAddress());
            return CredentialCheck.refused(REASON, DESCRIPTION);
        }
        return CredentialCheck.accepted(Caller.builder(key.subject()).scopes(key.scopes()).roles(key.roles()).build());
    }

    /** The file's keys, re-read when its time or size changed (looked at once a second at most). */
    private List<Entry> currentFile() {
        if (file == null) {
            return List.of();
        }
        long now = System.nanoTime();
        if (now - fileCheckedAt < FILE_CHECK_NANOS) {
            return fileState.entries();
        }
        synchronized (reloadLock) {
            if (now - fileCheckedAt >= FILE_CHECK_NANOS) {
                fileCheckedAt = now;
                reloadIfChanged();
            }
        }
        return fileState.entries();
    }

    private void reloadIfChanged() {
        FileState state = fileState;
        try {
            if (Files.getLastModifiedTime(file).equals(state.modified()) && Files.size(file) == state.size()) {
                return;
            }
            fileState = readFile();
            LOG.log(System.Logger.Level.INFO, "Re-read the API keys file " + file + ": "
                    + fileState.entries().size() + " keys");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Keeping the previous " + state.entries().size()
                    + " API keys of " + file + ": " + e.getMessage());
            try { // do not warn again until the file changes once more
                fileState = new FileState(Files.getLastModifiedTime(file), Files.size(file), state.entries());
            } catch (IOException gone) {
                // the file went away: keep the keys, look again in a second
            }
        }
    }

    private FileState readFile() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        return new FileState(modified, size, entries(ApiKeySettings.readFile(file)));
    }

    private static List<Entry> entries(Map<String, ApiKey> keys) {
        List<Entry> entries = new ArrayList<>();
        keys.values().forEach(k -> entries.add(new Entry(k, HexFormat.of().parseHex(k.hash().substring("sha256:".length())))));
        return List.copyOf(entries);
    }

    /** A new random key: {@code mcp_} and 43 base64url characters (256 bits). */
    public static String newKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What {@code security.api-keys.<name>.hash} holds for {@code key}: {@code sha256:} and 64 hex digits. */
    public static String hash(String key) {
        return "sha256:" + HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
