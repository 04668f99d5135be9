package io.mcpserver.server.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script sent by its SHA-1 ({@code EVALSHA}): each call carries 40 hex digits instead of the script's text.
 * When Redis does not know the script (its first use, or Redis restarted) it answers {@code NOSCRIPT} and the call is
 * sent once more with the text ({@code EVAL}), which also makes Redis keep it for the next ones.
 *
 * <p>Every key a script touches is passed in {@code KEYS}, except where a script says otherwise: the cluster needs
 * one Redis (a primary, with replicas or Sentinel for availability), not Redis Cluster, whose slots would split the
 * keys one script touches (see docs/scale-out.md).
 */
record RedisScript(String text, String sha) {

    static RedisScript of(String text) {
        return new RedisScript(text, sha1(text));
    }

    /** Runs the script; throws {@link io.lettuce.core.RedisException} when Redis cannot be reached or refuses it. */
    <T> T run(RedisCommands<String, String> commands, ScriptOutputType type, String[] keys, String... args) {
        try {
            return commands.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return commands.eval(text, type, keys, args);
        }
    }

    /**
     * Runs the script without waiting: the stage completes with its result, or fails with a
     * {@link io.lettuce.core.RedisException}. A script Redis does not know is sent again in full once refused, so a
     * caller that needs its runs in order waits for one before sending the next.
     */
    <T> CompletionStage<T> runAsync(RedisAsyncCommands<String, String> commands, ScriptOutputType type, String[] keys,
                                    String... args) {
        CompletableFuture<T> result = new CompletableFuture<>();
        commands.<T>evalsha(sha, type, keys, args).whenComplete((value, failure) -> {
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (cause == null) {
                result.complete(value);
            } else if (cause instanceof RedisNoScriptException) {
                commands.<T>eval(text, type, keys, args).whenComplete((v, f) -> {
                    if (f == null) {
                        result.complete(v);
                    } else {
                        result.completeExceptionally(f);
                    }
                });
            } else {
                result.completeExceptionally(cause);
            }
        });
        return result;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from the JDK", e);
        }
    }
}
