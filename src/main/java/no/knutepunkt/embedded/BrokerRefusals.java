package no.knutepunkt.embedded;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the embedded broker refused, by reason and account, since this JVM started: kept here,
 * statically, because the broker starts before Quarkus (KnutepunktMain) in the same JVM, and the hub
 * shows the counts ({@code GET /status}, the counter {@code knutepunkt.broker.refusals}).
 * <p>
 * The account is a registered vendor id, the hub's own account, or {@link #UNKNOWN} (anonymous, or a
 * user name that is no vendor): the broker decides which before counting, so a stranger trying
 * random user names cannot grow this map, nor the metric's tags.
 */
public final class BrokerRefusals {

    public static final String CONNECT_REFUSED = "connect-refused";
    public static final String PUBLISH_DENIED = "publish-denied";
    public static final String SUBSCRIBE_DENIED = "subscribe-denied";
    public static final String UNKNOWN = "unknown";

    /** One counter's identity. */
    public record Key(String reason, String account) {
    }

    private static final ConcurrentMap<Key, AtomicLong> COUNTS = new ConcurrentHashMap<>();
    private static final List<Consumer<Key>> NEW_KEY_LISTENERS = new CopyOnWriteArrayList<>();
    private static volatile boolean enforcing;

    private BrokerRefusals() {
    }

    static void record(String reason, String account) {
        AtomicLong[] created = new AtomicLong[1];
        Key key = new Key(reason, account);
        COUNTS.computeIfAbsent(key, k -> created[0] = new AtomicLong()).incrementAndGet();
        if (created[0] != null) {
            NEW_KEY_LISTENERS.forEach(l -> l.accept(key));
        }
    }

    /** Whether an embedded broker with access control runs in this JVM (then the counts mean something). */
    public static boolean enforcing() {
        return enforcing;
    }

    static void enforcing(boolean on) {
        enforcing = on;
    }

    /** The current count of one key (0 if it never happened). */
    public static long count(String reason, String account) {
        AtomicLong n = COUNTS.get(new Key(reason, account));
        return n == null ? 0 : n.get();
    }

    /** Every count, by reason, then account, both in order. */
    public static Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> all = new TreeMap<>();
        COUNTS.forEach((k, n) -> all.computeIfAbsent(k.reason(), r -> new TreeMap<>()).put(k.account(), n.get()));
        return all;
    }

    /**
     * Tells the listener of every key that exists now and of each one as it first appears, so a
     * metric can be made per key. Close the result to stop listening (a stopped hub must not be
     * called, in a JVM that starts another).
     */
    public static AutoCloseable eachKey(Consumer<Key> listener) {
        NEW_KEY_LISTENERS.add(listener);
        COUNTS.keySet().forEach(listener);
        return () -> NEW_KEY_LISTENERS.remove(listener);
    }
}
