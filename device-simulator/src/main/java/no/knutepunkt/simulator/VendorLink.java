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
 * The simulator's MQTT connection, speaking for every simulated vendor: publishes measurements at
 * QoS 1 (at most the broker's Receive Maximum in flight), listens on each vendor's receipt topic,
 * and pairs each receipt with the message it answers — by its {@code messageId}, or, for a message
 * the hub could not read (no id in the receipt), with the oldest unanswered message on that
 * device's topic. Receipts for messages this link did not send are ignored, unless it only listens
 * ({@link #listening}, for the load generator's messages).
 */
public final class VendorLink implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(OutgoingMessage message, CompletableFuture<JsonNode> receipt) {
    }

    private final MqttAsyncClient client;
    private final ReceiptTally tally;
    private final Recording recording;
    private final boolean countEveryReceipt;
    private final Semaphore window;
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final Map<String, Deque<Pending>> byId = new HashMap<>();
    private final Map<String, Deque<Pending>> byTopic = new HashMap<>();
    private int pending;

    /**
     * @param recording where to record what is published; null for none
     */
    public VendorLink(BrokerAccess broker, String clientId, ReceiptTally tally, Recording recording) throws MqttException {
        this(broker, clientId, tally, recording, false);
    }

    private VendorLink(BrokerAccess broker, String clientId, ReceiptTally tally, Recording recording, boolean countEveryReceipt)
            throws MqttException {
        PahoLogging.quiet();
        this.tally = tally;
        this.recording = recording;
        this.countEveryReceipt = countEveryReceipt;
        client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
        client.setCallback(new Callback());
        MqttConnectionOptions o = broker.options();
        o.setCleanStart(true);
        o.setAutomaticReconnect(true);
        o.setReceiveMaximum(65535);
        IMqttToken connected = client.connect(o);
        connected.waitForCompletion(30_000);
        // While the broker is away, publishes wait here and go out on reconnect.
        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setBufferSize(100_000);
        client.setBufferOpts(buffer);
        Integer max = connected.getResponseProperties() == null ? null : connected.getResponseProperties().getReceiveMaximum();
        window = new Semaphore(max == null || max <= 0 ? 65535 : max);
    }

    /** A link that only counts every receipt on these vendors' topics, for messages someone else publishes. */
    public static VendorLink listening(BrokerAccess broker, String clientId, ReceiptTally tally, Iterable<String> vendors)
            throws MqttException {
        VendorLink link = new VendorLink(broker, clientId, tally, null, true);
        for (String v : vendors) {
            link.subscribe(v);
        }
        return link;
    }

    /**
     * Publishes the message (waiting for room in the window) and returns its receipt, when it comes.
     * A message the broker refuses is counted as failed and its future fails.
     */
    public CompletableFuture<JsonNode> publish(OutgoingMessage m) throws InterruptedException {
        CompletableFuture<JsonNode> receipt = new CompletableFuture<>();
        try {
            subscribe(m.vendor());
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
        window.acquire();
        try {
            client.publish(m.topic(), new MqttMessage(m.payload(), 1, false, null), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    window.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    window.release();
                    failed(p, e);
                }
            });
        } catch (MqttException e) {
            window.release();
            failed(p, e);
        }
        return receipt;
    }

    private void failed(Pending p, Throwable e) {
        forget(p);
        tally.failed(p.message().vendor(), String.valueOf(e.getMessage()));
        p.receipt().completeExceptionally(e);
    }

    private void subscribe(String vendor) throws MqttException {
        if (subscribed.add(vendor)) {
            client.subscribe(receiptFilter(vendor), 1).waitForCompletion(30_000);
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
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
            client.close();
        } catch (MqttException e) {
            // closing anyway
        }
    }

    private final class Callback extends QuietCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onReceipt(topic, message.getPayload());
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // A clean session forgets subscriptions; take them up again.
            if (reconnect) {
                for (String vendor : subscribed) {
                    try {
                        client.subscribe(receiptFilter(vendor), 1);
                    } catch (MqttException e) {
                        tally.failed(vendor, "cannot subscribe to receipts again: " + e.getMessage());
                    }
                }
            }
        }
    }
}
