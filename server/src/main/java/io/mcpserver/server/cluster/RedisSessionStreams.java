package io.mcpserver.server.cluster;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.protocol.SessionStreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Session streams in Redis: one Redis Stream per session stream ({@code mcp:sse:<session id>} for the session's own,
 * {@code mcp:sse:<session id>:<key>} for a POST's), trimmed to the replay capacity on every append ({@code MAXLEN}),
 * expiring with the session's idle timeout, and the channel {@code mcp:streams} on which an append is announced
 * ({@code <session id>} or {@code <session id> <key>}) so that the node holding the client's connection reads it at
 * once. A node following another's POST stream tells whether that node died by its heartbeat ({@link ClusterNodes}).
 *
 * <p>A Redis Stream rather than a capped list: {@code XRANGE} from the client's last id returns only what it missed
 * (a list would be read whole and filtered here), and the stream remembers its last id after trimming, so ids never
 * go back. Ids are {@code 1-<n-1>} for event {@code n}: Redis numbers the session's own stream's {@code 1-*} 0, 1, 2…
 * in one series whichever node appends, which gives dense sequence numbers (a gap means events were trimmed, as in
 * the local replay buffer); a POST's events keep the numbers the node running it gave them.
 */
final class RedisSessionStreams implements SessionStreams {

    private static final System.Logger LOG = System.getLogger(RedisSessionStreams.class.getName());
    static final String CHANNEL = "mcp:streams";
    private static final String KEY = "mcp:sse:";
    private static final String READ = "mcp:sse-read:";
    /** One round trip per event: append (numbered by Redis, or by ARGV[6]), trim, push the expiry back, announce. */
    private static final RedisScript APPEND = RedisScript.of("""
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], ARGV[6], 'd', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return id""");

    private final RedisLink redis;
    private final ClusterNodes nodes;
    private final int capacity;
    private final CopyOnWriteArrayList<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private volatile Duration ttl = Duration.ofMinutes(30);

    RedisSessionStreams(RedisLink redis, ClusterNodes nodes, int capacity) {
        this.redis = redis;
        this.nodes = nodes;
        this.capacity = Math.max(1, capacity);
        redis.subscribe(CHANNEL, this::appended);
    }

    /** The key of a session's own stream. */
    static String streamKey(String sessionId) {
        return KEY + sessionId;
    }

    /** The key of how far a session's own stream was read. */
    static String readKey(String sessionId) {
        return READ + sessionId;
    }

    void idleTimeout(Duration timeout) {
        this.ttl = timeout;
    }

    @Override
    public long append(String sessionId, String data) {
        // the first id Redis gives for 1-* is 1-0: sequence numbers start at 1, as on one node
        return seqOf(run(KEY + sessionId, data, sessionId, "1-*"));
    }

    /**
     * Sent without waiting for Redis: the call writes its events on its own connection first, this copy is for a
     * client that resumes elsewhere. Awaiting each copy (a round trip per progress message, in the call's thread)
     * made a streamed call with 10 progress messages about 13 times slower with {@code cluster.enabled} (bench/run.sh:
     * ours SSE progress c=1, 4,450 → 293 calls/s). The three commands go out in the order of the events (they are
     * queued under the stream's lock, on the link's one connection), so ids only ever grow.
     */
    @Override
    public void appendAt(String sessionId, String stream, long seq, String data) {
        String key = KEY + sessionId + ":" + stream;
        List<RedisFuture<?>> sent;
        try {
            if (!redis.up()) {
                throw SessionStore.unavailable();
            }
            var commands = redis.asyncCommands();
            sent = List.of(
                    commands.xadd(key, XAddArgs.Builder.maxlen(capacity).id(idOf(seq)), Map.of("d", data)),
                    commands.pexpire(key, ttl.toMillis()),
                    commands.publish(CHANNEL, sessionId + " " + stream));
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        for (RedisFuture<?> f : sent) {
            f.exceptionally(e -> {
                // resumable on this node only (Redis unreachable); followers elsewhere are told by their own checks
                LOG.log(System.Logger.Level.DEBUG, "An event of a POST's stream was not copied to Redis: " + e);
                return null;
            });
        }
    }

    private String run(String key, String data, String announcement, String id) {
        try {
            return APPEND.run(redis.commands(), ScriptOutputType.VALUE, new String[] {key},
                    Integer.toString(capacity), data, Long.toString(ttl.toMillis()), CHANNEL, announcement, id);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }

    @Override
    public List<Event> after(String sessionId, String stream, long seq, int max) {
        String key = OWN.equals(stream) ? KEY + sessionId : KEY + sessionId + ":" + stream;
        List<StreamMessage<String, String>> read;
        try {
            read = redis.commands().xrange(key,
                    Range.from(Range.Boundary.excluding(seq <= 0 ? "0-0" : idOf(seq)), Range.Boundary.unbounded()),
                    Limit.from(max));
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        List<Event> events = new ArrayList<>(read.size());
        for (StreamMessage<String, String> m : read) {
            events.add(new Event(seqOf(m.getId()), m.getBody().get("d")));
        }
        return events;
    }

    /** Event {@code seq} (from 1) is stream id {@code 1-(seq-1)}. */
    private static String idOf(long seq) {
        return "1-" + (seq - 1);
    }

    private static long seqOf(String id) {
        return Long.parseLong(id.substring(id.indexOf('-') + 1)) + 1;
    }

    @Override
    public void read(String sessionId, long seq) {
        try {
            redis.commands().psetex(READ + sessionId, ttl.toMillis(), Long.toString(seq));
        } catch (RedisException e) {
            // a later GET without Last-Event-ID on another node may repeat what this one wrote
            LOG.log(System.Logger.Level.DEBUG, "Recording how far a stream was read failed: " + e.getMessage());
        }
    }

    @Override
    public long readMark(String sessionId) {
        try {
            String mark = redis.commands().get(READ + sessionId);
            return mark == null ? 0 : Long.parseLong(mark);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void forget(String sessionId, String stream) {
        try {
            redis.commands().del(KEY + sessionId + ":" + stream);
        } catch (RedisException e) {
            // it expires with the session's idle timeout
        }
    }

    @Override
    public boolean nodeAlive(String nodeId) {
        try {
            return nodes.nodeAlive(nodeId);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }

    @Override
    public String nodeId() {
        return redis.nodeId();
    }

    @Override
    public boolean reachable() {
        return redis.up();
    }

    @Override
    public void onAppended(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    @Override
    public void onReconnect(Runnable listener) {
        redis.onReconnect(listener);
    }

    private void appended(String announcement) {
        int space = announcement.indexOf(' ');
        String session = space < 0 ? announcement : announcement.substring(0, space);
        String stream = space < 0 ? OWN : announcement.substring(space + 1);
        for (BiConsumer<String, String> l : listeners) {
            try {
                l.accept(session, stream);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Reading a session's stream from Redis: " + e);
            }
        }
    }
}
