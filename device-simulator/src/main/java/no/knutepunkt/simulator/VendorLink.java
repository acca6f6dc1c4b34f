package no.knutepunkt.simulator;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import org.eclipse.paho.mqttv5.client.DisconnectedBufferOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The simulator's MQTT connections, speaking for every simulated vendor: publishes measurements at
 * QoS 1 (at most the broker's Receive Maximum in flight per connection), listens on each vendor's
 * receipt topic, and pairs each receipt with the message it answers — by its {@code messageId}, or,
 * for a message the hub could not read (no id in the receipt), with the oldest unanswered message on
 * that device's topic. Receipts for messages this link did not send are ignored, unless it only
 * listens ({@link #listening}, for the load generator's messages).
 * <p>
 * One connection serves every vendor, unless {@link BrokerLogins} gives vendors logins of their own:
 * then each such vendor's messages and receipts go over a connection logged in as that vendor, as a
 * broker with per-vendor access control requires.
 */
public final class VendorLink implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(OutgoingMessage message, CompletableFuture<JsonNode> receipt) {
    }

    /** The connection of vendors without a login of their own. */
    private static final String SHARED = "";

    private final BrokerLogins logins;
    private final String clientId;
    private final ReceiptTally tally;
    private final Recording recording;
    private final boolean countEveryReceipt;
    /** By vendor id, or {@link #SHARED}; opened on first use, those of vendors with their own login at once. */
    private final Map<String, Line> lines = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Map<String, Deque<Pending>> byId = new HashMap<>();
    private final Map<String, Deque<Pending>> byTopic = new HashMap<>();
    private int pending;

    /**
     * @param recording where to record what is published; null for none
     */
    public VendorLink(BrokerAccess broker, String clientId, ReceiptTally tally, Recording recording) throws MqttException {
        this(BrokerLogins.shared(broker), clientId, tally, recording, false);
    }

    /** With per-vendor logins: connects each vendor that has one now, so a refused login shows at once. */
    public VendorLink(BrokerLogins logins, String clientId, ReceiptTally tally, Recording recording) throws MqttException {
        this(logins, clientId, tally, recording, false);
    }

    private VendorLink(BrokerLogins logins, String clientId, ReceiptTally tally, Recording recording, boolean countEveryReceipt)
            throws MqttException {
        PahoLogging.quiet();
        this.logins = logins;
        this.clientId = clientId;
        this.tally = tally;
        this.recording = recording;
        this.countEveryReceipt = countEveryReceipt;
        try {
            if (logins.perVendor()) {
                for (String vendor : logins.vendors()) {
                    line(vendor);
                }
            } else {
                line(SHARED);
            }
        } catch (MqttException e) {
            close();
            throw e;
        }
    }

    /** A link that only counts every receipt on these vendors' topics, for messages someone else publishes. */
    public static VendorLink listening(BrokerAccess broker, String clientId, ReceiptTally tally, Iterable<String> vendors)
            throws MqttException {
        return listening(BrokerLogins.shared(broker), clientId, tally, vendors);
    }

    /** As above, each vendor's receipts read over its own login where it has one. */
    public static VendorLink listening(BrokerLogins logins, String clientId, ReceiptTally tally, Iterable<String> vendors)
            throws MqttException {
        VendorLink link = new VendorLink(logins, clientId, tally, null, true);
        try {
            for (String v : vendors) {
                link.line(v).subscribe(v);
            }
        } catch (MqttException e) {
            link.close();
            throw e;
        }
        return link;
    }

    /**
     * Publishes the message (waiting for room in the window) and returns its receipt, when it comes.
     * A message the broker refuses is counted as failed and its future fails.
     */
    public CompletableFuture<JsonNode> publish(OutgoingMessage m) throws InterruptedException {
        CompletableFuture<JsonNode> receipt = new CompletableFuture<>();
        Line line;
        try {
            line = line(m.vendor());
        } catch (MqttException e) {
            tally.failed(m.vendor(), "the broker did not take the vendor's login: " + e.getMessage());
            receipt.completeExceptionally(e);
            return receipt;
        }
        try {
            line.subscribe(m.vendor());
        } catch (MqttException e) {
            tally.failed(m.vendor(), "cannot subscribe to receipts: " + e.getMessage());
            receipt.completeExceptionally(e);
            return receipt;
        }
        Pending p = new Pending(m, receipt);
        // Registered before publishing: the receipt can come back before the broker's acknowledgement.
        synchronized (lock) {
            if (m.messageId() != null) {
                byId.computeIfAbsent(m.messageId(), k -> new ArrayDeque<>()).add(p);
            }
            byTopic.computeIfAbsent(topicKey(m.vendor(), m.topicDevice()), k -> new ArrayDeque<>()).add(p);
            pending++;
        }
        tally.published(m.vendor(), m.readings());
        if (recording != null) {
            recording.write(m);
        }
        line.window.acquire();
        try {
            line.client.publish(m.topic(), new MqttMessage(m.payload(), 1, false, null), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    line.window.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    line.window.release();
                    failed(p, e);
                }
            });
        } catch (MqttException e) {
            line.window.release();
            failed(p, e);
        }
        return receipt;
    }

    private void failed(Pending p, Throwable e) {
        forget(p);
        tally.failed(p.message().vendor(), String.valueOf(e.getMessage()));
        p.receipt().completeExceptionally(e);
    }

    /** The connection this vendor's messages go over, connected on first use. */
    private Line line(String vendor) throws MqttException {
        String key = logins.hasOwn(vendor) ? vendor : SHARED;
        Line line = lines.get(key);
        if (line != null) {
            return line;
        }
        synchronized (lines) {
            line = lines.get(key);
            if (line == null) {
                // A vendor's own connection is named after it, so the broker's log tells them apart.
                line = new Line(logins.forVendor(key), key.equals(SHARED) ? clientId : clientId + "-" + key);
                lines.put(key, line);
            }
            return line;
        }
    }

    /** Messages published whose receipt has not come yet. */
    public int pending() {
        synchronized (lock) {
            return pending;
        }
    }

    /** Waits until every published message has its receipt, or the time is up; true if none is left waiting. */
    public boolean awaitReceipts(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private void onReceipt(String topic, byte[] payload) {
        // knutepunkt/v1/{vendor}/{device}/receipts
        String[] levels = topic.split("/", -1);
        if (levels.length != 5) {
            return;
        }
        JsonNode receipt;
        try {
            receipt = JSON.readTree(payload);
        } catch (IOException e) {
            return;
        }
        String vendor = levels[2];
        Pending p = match(vendor, levels[3], receipt.hasNonNull("messageId") ? receipt.get("messageId").asText() : null);
        if (p != null) {
            tally.receipt(vendor, receipt);
            p.receipt().complete(receipt);
        } else if (countEveryReceipt) {
            tally.receipt(vendor, receipt);
        }
    }

    private Pending match(String vendor, String device, String messageId) {
        synchronized (lock) {
            Pending p = null;
            if (messageId != null) {
                Deque<Pending> same = byId.get(messageId);
                p = same == null ? null : same.stream().filter(x -> x.message().vendor().equals(vendor)).findFirst().orElse(null);
            } else {
                Deque<Pending> onTopic = byTopic.get(topicKey(vendor, device));
                p = onTopic == null ? null : onTopic.peekFirst();
            }
            if (p != null) {
                remove(p);
                lock.notifyAll();
            }
            return p;
        }
    }

    private void forget(Pending p) {
        synchronized (lock) {
            if (remove(p)) {
                lock.notifyAll();
            }
        }
    }

    private boolean remove(Pending p) {
        OutgoingMessage m = p.message();
        Deque<Pending> onTopic = byTopic.get(topicKey(m.vendor(), m.topicDevice()));
        if (onTopic == null || !onTopic.remove(p)) {
            return false;
        }
        if (onTopic.isEmpty()) {
            byTopic.remove(topicKey(m.vendor(), m.topicDevice()));
        }
        if (m.messageId() != null) {
            Deque<Pending> same = byId.get(m.messageId());
            same.remove(p);
            if (same.isEmpty()) {
                byId.remove(m.messageId());
            }
        }
        pending--;
        return true;
    }

    private static String topicKey(String vendor, String device) {
        return vendor + "/" + device;
    }

    private static String receiptFilter(String vendor) {
        return "knutepunkt/v1/" + vendor + "/+/receipts";
    }

    @Override
    public void close() {
        for (Line line : lines.values()) {
            line.close();
        }
    }

    /** One MQTT connection and the vendors whose receipts it reads. */
    private final class Line {
        final MqttAsyncClient client;
        final Semaphore window;
        final Set<String> subscribed = ConcurrentHashMap.newKeySet();

        Line(BrokerAccess broker, String id) throws MqttException {
            client = new MqttAsyncClient(broker.url(), id, new MemoryPersistence());
            client.setCallback(new Callback(this));
            MqttConnectionOptions o = broker.options();
            o.setCleanStart(true);
            o.setAutomaticReconnect(true);
            o.setReceiveMaximum(65535);
            IMqttToken connected;
            try {
                connected = client.connect(o);
                connected.waitForCompletion(30_000);
            } catch (MqttException e) {
                client.close(true);
                throw e;
            }
            // While the broker is away, publishes wait here and go out on reconnect.
            DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
            buffer.setBufferEnabled(true);
            buffer.setBufferSize(100_000);
            client.setBufferOpts(buffer);
            Integer max = connected.getResponseProperties() == null ? null : connected.getResponseProperties().getReceiveMaximum();
            window = new Semaphore(max == null || max <= 0 ? 65535 : max);
        }

        void subscribe(String vendor) throws MqttException {
            if (subscribed.add(vendor)) {
                client.subscribe(receiptFilter(vendor), 1).waitForCompletion(30_000);
            }
        }

        void close() {
            try {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5_000);
                }
                client.close();
            } catch (MqttException e) {
                // closing anyway
            }
        }
    }

    private final class Callback extends QuietCallback {
        private final Line line;

        Callback(Line line) {
            this.line = line;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onReceipt(topic, message.getPayload());
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // A clean session forgets subscriptions; take them up again.
            if (reconnect) {
                for (String vendor : line.subscribed) {
                    try {
                        line.client.subscribe(receiptFilter(vendor), 1);
                    } catch (MqttException e) {
                        tally.failed(vendor, "cannot subscribe to receipts again: " + e.getMessage());
                    }
                }
            }
        }
    }
}
