package io.mcpserver.server.cluster;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.mcpserver.server.protocol.SessionStore;
import io.mcpserver.server.protocol.SessionStreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

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
 *
 * <p>A POST's stream reaches Redis only when the node running it copies it (its client's connection there dropped, or
 * another node asked on {@link #COPIES} because the client resumes there): a streamed call read where it runs costs
 * Redis nothing.
 */
final class RedisSessionStreams implements SessionStreams {

    private static final System.Logger LOG = System.getLogger(RedisSessionStreams.class.getName());
    static final String CHANNEL = "mcp:streams";
    /**
     * Where a node asks the node running a POST's stream for a copy of it ({@code ? <session> <stream>}), and where
     * that node answers once the copy is stored ({@code + …}) or that it no longer has the stream ({@code - …}).
     */
    static final String COPIES = "mcp:stream-copies";
    private static final String ASK = "? ";
    private static final String COPIED = "+ ";
    private static final String NOT_HELD = "- ";
    private static final String KEY = "mcp:sse:";
    private static final String READ = "mcp:sse-read:";
    /** One round trip per event: append (numbered by Redis, or by ARGV[6]), trim, push the expiry back, announce. */
    private static final RedisScript APPEND = RedisScript.of("""
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], ARGV[6], 'd', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return id""");

    /**
     * A POST's events copied in one round trip: each numbered above the stream's last id is appended (explicit id
     * {@code 1-<n>}, trimmed to the capacity), the key's expiry pushed back, the copy announced. Skipping what is
     * kept already makes a copy sent again harmless, and ids only grow.
     */
    private static final RedisScript COPY = RedisScript.of("""
            local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            local last = -1
            if #top > 0 then last = tonumber(string.match(top[1][1], '%-(%d+)$')) end
            for i = 5, #ARGV, 2 do
              local n = tonumber(ARGV[i])
              if n > last then
                redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '1-' .. ARGV[i], 'd', ARGV[i + 1])
                last = n
              end
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            redis.call('PUBLISH', ARGV[3], ARGV[4])
            return last""");

    private final RedisLink redis;
    private final ClusterNodes nodes;
    private final int capacity;
    private final CopyOnWriteArrayList<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<BiFunction<String, String, CompletionStage<CopyAnswer>>> copyListeners =
            new CopyOnWriteArrayList<>();
    /** This node's questions waiting for an answer on {@link #COPIES}, by {@code <session> <stream>}. */
    private final Map<String, CompletableFuture<CopyAnswer>> asked = new ConcurrentHashMap<>();
    private volatile Duration ttl = Duration.ofMinutes(30);

    RedisSessionStreams(RedisLink redis, ClusterNodes nodes, int capacity) {
        this.redis = redis;
        this.nodes = nodes;
        this.capacity = Math.max(1, capacity);
        redis.subscribe(CHANNEL, this::appended);
        redis.subscribe(COPIES, this::copies);
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

    @Override
    public CompletionStage<Void> copy(String sessionId, String stream, List<Event> events) {
        String[] args = new String[4 + 2 * events.size()];
        args[0] = Integer.toString(capacity);
        args[1] = Long.toString(ttl.toMillis());
        args[2] = CHANNEL;
        args[3] = sessionId + " " + stream;
        int i = 4;
        for (Event e : events) {
            args[i++] = Long.toString(e.seq() - 1); // event n is id 1-(n-1)
            args[i++] = e.data();
        }
        try {
            if (!redis.up()) {
                throw SessionStore.unavailable();
            }
            return COPY.<Long>runAsync(redis.asyncCommands(), ScriptOutputType.INTEGER,
                    new String[] {KEY + sessionId + ":" + stream}, args).thenApply(last -> null);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        }
    }

    @Override
    public CopyAnswer askToCopy(String sessionId, String stream, Duration wait) {
        String id = sessionId + " " + stream;
        CompletableFuture<CopyAnswer> answer = asked.computeIfAbsent(id, k -> new CompletableFuture<>());
        try {
            redis.commands().publish(COPIES, ASK + id);
            return answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RedisException e) {
            throw SessionStore.unavailable();
        } catch (TimeoutException e) {
            return CopyAnswer.NO_ANSWER;
        } catch (ExecutionException e) {
            return CopyAnswer.NO_ANSWER;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CopyAnswer.NO_ANSWER;
        } finally {
            asked.remove(id, answer);
        }
    }

    @Override
    public void onCopyAsked(BiFunction<String, String, CompletionStage<CopyAnswer>> listener) {
        copyListeners.add(listener);
    }

    /** A message on {@link #COPIES}: a node asks for a copy ({@code ? <session> <stream>}), or one answers. */
    private void copies(String message) {
        if (message.length() < 3) {
            return;
        }
        String id = message.substring(2);
        int space = id.indexOf(' ');
        if (space < 0) {
            return;
        }
        switch (message.substring(0, 2)) {
            case ASK -> {
                for (var listener : copyListeners) {
                    CompletionStage<CopyAnswer> answer = listener.apply(id.substring(0, space), id.substring(space + 1));
                    if (answer != null) {
                        answer.whenComplete((a, failure) -> {
                            if (failure == null && a != CopyAnswer.NO_ANSWER) {
                                answer(id, a);
                            } // else the copy could not be stored: the asking node asks again
                        });
                        return;
                    }
                }
            }
            case COPIED -> answered(id, CopyAnswer.COPIED);
            case NOT_HELD -> answered(id, CopyAnswer.NOT_HELD);
            default -> {
            }
        }
    }

    private void answer(String id, CopyAnswer answer) {
        try {
            redis.asyncCommands().publish(COPIES, (answer == CopyAnswer.COPIED ? COPIED : NOT_HELD) + id);
        } catch (RedisException e) {
            // the asking node asks again
        }
    }

    private void answered(String id, CopyAnswer answer) {
        CompletableFuture<CopyAnswer> waiting = asked.get(id);
        if (waiting != null) {
            waiting.complete(answer);
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
            redis.commands().xtrim(KEY + sessionId + ":" + stream, 1); // exact MAXLEN 1: the response stays
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
