package no.knutepunkt.ingest;

import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * Acknowledges a connection's QoS 1 messages in the order they arrived, as MQTT requires of a
 * receiver, although they complete out of order (they commit in different batches). A message is
 * acknowledged once it and every message before it completed.
 */
final class AckOrder {

    private final ArrayDeque<Entry> inFlight = new ArrayDeque<>();
    private final IntConsumer ack;

    AckOrder(IntConsumer ack) {
        this.ack = ack;
    }

    /** Registers an arrived message; returns the handle to complete it with. */
    synchronized Object arrived(int packetId) {
        Entry e = new Entry(packetId);
        inFlight.addLast(e);
        return e;
    }

    /** Marks a message committed and sends every acknowledgement that is now due. */
    synchronized void completed(Object handle) {
        ((Entry) handle).done = true;
        while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
            ack.accept(inFlight.pollFirst().packetId);
        }
    }

    synchronized int size() {
        return inFlight.size();
    }

    private static final class Entry {
        final int packetId;
        boolean done;

        Entry(int packetId) {
            this.packetId = packetId;
        }
    }
}
