package io.mcpserver.server.cluster;

import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.Limit;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.protocol.SessionStreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A session's stream in Redis: one Redis Stream per session ({@code mcp:sse:<session id>}) trimmed to the replay
 * capacity on every append ({@code MAXLEN}), expiring with the session's idle timeout, and the channel
 * {@code mcp:streams} on which an append is announced ({@code <session id>}) so that the node holding the client's
 * connection reads it at once.
 *
 * <p>A Redis Stream rather than a capped list: {@code XRANGE} from the client's last id returns only what it missed
 * (a list would be read whole and filtered here), and the stream remembers its last id after trimming, so ids never
 * go back. Ids are {@code 1-<n>}: Redis numbers {@code 1-*} 0, 1, 2… in one series per session whichever node
 * appends, which gives dense sequence numbers (a gap means events were trimmed, as in the local replay buffer).
 */
final class RedisSessionStreams implements SessionStreams {

    private static final System.Logger LOG = System.getLogger(RedisSessionStreams.class.getName());
    static final String CHANNEL = "mcp:streams";
    private static final String KEY = "mcp:sse:";
    private static final String READ = "mcp:sse-read:";
    /** One round trip per event: append, trim, push the expiry back, announce. */
    private static final String APPEND = """
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '1-*', 'd', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return id""";

    private final RedisLink redis;
    private final int capacity;
    private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile Duration ttl = Duration.ofMinutes(30);

    RedisSessionStreams(RedisLink redis, int capacity) {
        this.redis = redis;
        this.capacity = Math.max(1, capacity);
        redis.subscribe(CHANNEL, this::appended);
    }

    void idleTimeout(Duration timeout) {
        this.ttl = timeout;
    }

    @Override
    public long append(String sessionId, String data) {
        String id;
        try {
            id = redis.commands().eval(APPEND, ScriptOutputType.VALUE, new String[] {KEY + sessionId},
                    Integer.toString(capacity), data, Long.toString(ttl.toMillis()), CHANNEL, sessionId);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        // the first id Redis gives for 1-* is 1-0: sequence numbers start at 1, as on one node
        return seqOf(id) + 1;
    }

    @Override
    public List<Event> after(String sessionId, long seq, int max) {
        List<StreamMessage<String, String>> read;
        try {
            read = redis.commands().xrange(KEY + sessionId,
                    Range.from(Range.Boundary.excluding(idOf(seq)), Range.Boundary.unbounded()), Limit.from(max));
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
        List<Event> events = new ArrayList<>(read.size());
        for (StreamMessage<String, String> m : read) {
            events.add(new Event(seqOf(m.getId()) + 1, m.getBody().get("d")));
        }
        return events;
    }

    /** Sequence number {@code seq} is stream id {@code 1-(seq-1)}; 0 (nothing read) is before {@code 1-0}. */
    private static String idOf(long seq) {
        return seq <= 0 ? "0-0" : "1-" + (seq - 1);
    }

    private static long seqOf(String id) {
        return Long.parseLong(id.substring(id.indexOf('-') + 1));
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

    /** The session was used: its stream expires with it. */
    void touch(String sessionId) {
        redis.commands().pexpire(KEY + sessionId, ttl.toMillis());
    }

    void delete(String sessionId) {
        redis.commands().del(KEY + sessionId, READ + sessionId);
    }

    @Override
    public void onAppended(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public boolean reachable() {
        return redis.up();
    }

    @Override
    public void onReconnect(Runnable listener) {
        redis.onReconnect(listener);
    }

    private void appended(String sessionId) {
        for (Consumer<String> l : listeners) {
            try {
                l.accept(sessionId);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Reading a session's stream from Redis: " + e);
            }
        }
    }
}
