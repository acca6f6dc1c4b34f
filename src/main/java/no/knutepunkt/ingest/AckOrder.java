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
    private final int window;
    private boolean closed;

    /**
     * @param window the most unacknowledged messages to hold: the Receive Maximum the connection
     *               asked the broker for, enforced here too in case a broker does not honour it
     */
    AckOrder(IntConsumer ack, int window) {
        this.ack = ack;
        this.window = window;
    }

    /**
     * Registers an arrived message; returns the handle to complete it with. Waits while the window
     * is full, which stops the connection reading and leaves further messages queued at the broker.
     */
    synchronized Object arrived(int packetId) throws InterruptedException {
        while (inFlight.size() >= window && !closed) {
            wait();
        }
        Entry e = new Entry(packetId);
        if (closed) {
            // Its connection is gone: the broker delivers it again on the next one.
            return e;
        }
        inFlight.addLast(e);
        return e;
    }

    /** Marks a message committed and sends every acknowledgement that is now due. */
    synchronized void completed(Object handle) {
        ((Entry) handle).done = true;
        if (closed) {
            return;
        }
        boolean released = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
            ack.accept(inFlight.pollFirst().packetId);
            released = true;
        }
        if (released || inFlight.isEmpty()) {
            notifyAll();
        }
    }

    /**
     * Gives up the messages of a dropped connection: they are redelivered, and nothing of this
     * order is ever acknowledged again — a packet id may mean another message on the next connection.
     */
    synchronized void abandon() {
        closed = true;
        inFlight.clear();
        notifyAll();
    }

    /** Waits until every message that arrived has been acknowledged, or the time is up. */
    synchronized boolean awaitEmpty(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (!inFlight.isEmpty() && !closed) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
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
