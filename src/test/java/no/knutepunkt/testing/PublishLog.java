package no.knutepunkt.testing;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import no.knutepunkt.simulator.LoadGenerator;

/**
 * The publisher's side of a total-queue check: every message it published, the readings each
 * carried, and when (if ever) the broker acknowledged it. A message is known by the key of its first
 * reading, which is unique even where two message ids could coincide.
 */
public final class PublishLog {

    private final Map<String, Message> messages = new ConcurrentHashMap<>();

    /** One published message; {@code acknowledgedAt} is the first PUBACK's wall-clock time, or -1. */
    public static final class Message {
        private final String id;
        private final List<String> readings;
        private volatile long acknowledgedAt = -1;
        private volatile boolean withoutSubscribers;

        Message(String id, List<String> readings) {
            this.id = id;
            this.readings = List.copyOf(readings);
        }

        /** The message id in its payload, as the hub records it. */
        public String id() {
            return id;
        }

        public List<String> readings() {
            return readings;
        }

        public boolean acknowledged() {
            return acknowledgedAt >= 0;
        }

        /** Epoch milliseconds of the first acknowledgement, or -1. */
        public long acknowledgedAt() {
            return acknowledgedAt;
        }

        /** The broker acknowledged it with "no matching subscribers": took it, and dropped it. */
        public boolean acknowledgedWithoutSubscribers() {
            return withoutSubscribers;
        }
    }

    /** Records what this generator publishes and what the broker acknowledges, from now on. */
    public PublishLog attach(LoadGenerator load) {
        load.onPublished((messageId, readings) -> messages.computeIfAbsent(readings.get(0), k -> new Message(messageId, readings)));
        load.onAcknowledged((messageId, readings) -> {
            Message m = messages.computeIfAbsent(readings.get(0), k -> new Message(messageId, readings));
            synchronized (m) {
                if (m.acknowledgedAt < 0) {
                    m.acknowledgedAt = System.currentTimeMillis();
                }
            }
        });
        load.onAcknowledgedWithoutSubscribers(
                (messageId, readings) -> messages.computeIfAbsent(readings.get(0), k -> new Message(messageId, readings)).withoutSubscribers = true);
        return this;
    }

    public Iterable<Message> messages() {
        return messages.values();
    }

    public long publishedMessages() {
        return messages.size();
    }

    public long acknowledgedMessages() {
        return messages.values().stream().filter(Message::acknowledged).count();
    }

    /** The keys of every reading published. */
    public Set<String> publishedReadings() {
        Set<String> keys = new HashSet<>();
        messages.values().forEach(m -> keys.addAll(m.readings()));
        return keys;
    }

    /** The keys of every reading in a message the broker acknowledged. */
    public Set<String> acknowledgedReadings() {
        Set<String> keys = new HashSet<>();
        messages.values().stream().filter(Message::acknowledged).forEach(m -> keys.addAll(m.readings()));
        return keys;
    }
}
