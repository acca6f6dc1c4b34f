package no.knutepunkt.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import no.knutepunkt.simulator.Payloads.GatewayObservation;
import no.knutepunkt.simulator.Payloads.Measured;

/**
 * Publishes readings from a fleet of devices as fast as asked (or as fast as it can), over several
 * MQTT 5 connections at QoS 1, and measures what came back: broker acknowledgements, and — when
 * the receiver sends receipts — publish-to-receipt latency and receipt statuses.
 */
public final class LoadGenerator implements AutoCloseable {

    private final List<Connection> connections = new ArrayList<>();
    private final MqttAsyncClient receiptClient;
    private final Map<String, long[]> sentAt = new ConcurrentHashMap<>();
    private final LongAdder committedReadings = new LongAdder();
    private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    private final LongAdder acked = new LongAdder();
    private final Map<String, LongAdder[]> ackedByVendor = new ConcurrentHashMap<>();
    private final LongAdder ackedReadings = new LongAdder();
    private final LongAdder receipts = new LongAdder();
    private volatile long[] latencies = new long[1 << 16];
    private final AtomicLong latencyCount = new AtomicLong();
    private volatile boolean timeMessages;
    private volatile java.util.function.BiConsumer<String, List<String>> onAcknowledged;
    private volatile java.util.function.BiConsumer<String, List<String>> onPublished;
    private volatile java.util.function.BiConsumer<String, List<String>> onNoSubscribers;
    private volatile boolean resend;
    private volatile boolean closing;
    /** Set once {@link #awaitAcknowledgements} has waited long enough: resending stops for good. */
    private volatile boolean gaveUp;
    private final LongAdder resends = new LongAdder();
    private final ScheduledExecutorService resender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-resend");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

    /**
     * @param url            broker URL
     * @param connectionCount publishing connections (each publishes from its share of the fleet)
     * @param receipts       subscribe to receipts, for latency and outcomes
     */
    public LoadGenerator(String url, int connectionCount, boolean receipts, String clientPrefix) throws MqttException {
        this(url, connectionCount, receipts, clientPrefix, receipts);
    }

    /** @param timeMessages remember publish times, for {@link #committed} */
    public LoadGenerator(String url, int connectionCount, boolean receipts, String clientPrefix, boolean timeMessages)
            throws MqttException {
        this(BrokerAccess.of(url), connectionCount, receipts, clientPrefix, timeMessages);
    }

    /** As above, with credentials and TLS for a broker that asks for them. */
    public LoadGenerator(BrokerAccess broker, int connectionCount, boolean receipts, String clientPrefix, boolean timeMessages)
            throws MqttException {
        this(BrokerLogins.shared(broker), connectionCount, receipts, clientPrefix, timeMessages);
    }

    /**
     * With per-vendor logins, {@code connectionCount} connections for each vendor that has one, each
     * publishing only that vendor's devices; a fleet may then hold only those vendors' devices.
     * Receipts ({@code receipts}) need one login that may read every vendor's receipts, so they are
     * for a shared login only.
     */
    public LoadGenerator(BrokerLogins logins, int connectionCount, boolean receipts, String clientPrefix, boolean timeMessages)
            throws MqttException {
        if (receipts && logins.perVendor()) {
            throw new IllegalArgumentException("receipts over per-vendor logins: listen with VendorLink.listening instead");
        }
        BrokerAccess broker = logins.shared();
        this.timeMessages = timeMessages;
        PahoLogging.quiet();
        try {
            if (logins.perVendor()) {
                for (String vendor : logins.vendors()) {
                    for (int i = 0; i < connectionCount; i++) {
                        connections.add(new Connection(logins.forVendor(vendor), clientPrefix + "-" + vendor + "-pub-" + i, vendor));
                    }
                }
            } else {
                for (int i = 0; i < connectionCount; i++) {
                    connections.add(new Connection(broker, clientPrefix + "-pub-" + i, null));
                }
            }
        } catch (MqttException e) {
            connections.forEach(Connection::close);
            throw e;
        }
        if (receipts) {
            receiptClient = new MqttAsyncClient(broker.url(), clientPrefix + "-receipts", new MemoryPersistence());
            receiptClient.setCallback(new QuietCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    onReceipt(message.getPayload());
                }
            });
            MqttConnectionOptions o = broker.options();
            o.setCleanStart(true);
            o.setReceiveMaximum(65535);
            receiptClient.connect(o).waitForCompletion(10_000);
            listenForReceipts(true);
        } else {
            receiptClient = null;
        }
    }

    /**
     * Tells, for every message the broker acknowledged, its message id and the keys of the readings
     * it carries (each reading's identifier: {messageId}#{obsKey}, or {gateway}:{seq}).
     */
    public void onAcknowledged(java.util.function.BiConsumer<String, List<String>> listener) {
        this.onAcknowledged = listener;
    }

    /**
     * Tells, for every message before it is first published, its message id and the keys of its
     * readings: with {@link #onAcknowledged}, what was sent but never acknowledged.
     */
    public void onPublished(java.util.function.BiConsumer<String, List<String>> listener) {
        this.onPublished = listener;
    }

    /**
     * Keeps publishing through a lost connection or a broker restart, as a device that retries
     * would: a publish waits for the automatic reconnect, and a message whose acknowledgement never
     * came is published again, the same message with the same readings (the receiver deduplicates).
     * Off by default, where a failed publish ends the run: a benchmark should not hide a broken
     * broker.
     */
    public void resendUnacknowledged(boolean on) {
        this.resend = on;
    }

    /**
     * Waits until the broker has acknowledged every message published so far, resending as needed,
     * for at most {@code max}; then stops resending.
     *
     * @return messages still unacknowledged, given up
     */
    public long awaitAcknowledgements(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        gaveUp = true;
        return inFlight();
    }

    private long inFlight() {
        return connections.stream().mapToLong(Connection::inFlight).sum();
    }

    /** Messages published again because their first acknowledgement never came. */
    public long resends() {
        return resends.sum();
    }

    /**
     * Tells which acknowledged messages (also reported to {@link #onAcknowledged}) the broker
     * acknowledged with "no matching subscribers" (MQTT 5 reason 0x10): it took them and dropped
     * them. Mosquitto 2.0, for one, does not restore shared subscriptions after a restart, so until
     * the subscribers subscribe again every message on their topics is acknowledged this way.
     */
    public void onAcknowledgedWithoutSubscribers(java.util.function.BiConsumer<String, List<String>> listener) {
        this.onNoSubscribers = listener;
    }

    /**
     * Publishes for a while at a target rate of readings per second (0 = as fast as possible).
     *
     * @return what was published
     */
    public Run run(List<SimulatedDevice> fleet, double readingsPerSecond, Duration duration) throws InterruptedException {
        return run(fleet, readingsPerSecond, duration, Long.MAX_VALUE);
    }

    /** As {@link #run(List, double, Duration)}, stopping early once {@code maxReadings} have been published. */
    public Run run(List<SimulatedDevice> fleet, double readingsPerSecond, Duration duration, long maxReadings)
            throws InterruptedException {
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong budget = new java.util.concurrent.atomic.AtomicLong(maxReadings);
        long end = start + duration.toNanos();
        LongAdder messages = new LongAdder();
        LongAdder readings = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        List<List<SimulatedDevice>> shares = shares(fleet);
        for (int c = 0; c < connections.size(); c++) {
            Connection conn = connections.get(c);
            List<SimulatedDevice> share = shares.get(c);
            double perThread = readingsPerSecond / connections.size();
            Thread t = new Thread(() -> {
                long[] lastTime = new long[share.size()];
                double sentReadings = 0;
                int i = 0;
                while (System.nanoTime() < end && !share.isEmpty() && budget.get() > 0) {
                    if (perThread > 0) {
                        long due = start + (long) (sentReadings / perThread * 1e9);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                    int d = i++ % share.size();
                    SimulatedDevice device = share.get(d);
                    long now = Math.max(System.currentTimeMillis(), lastTime[d] + 1);
                    lastTime[d] = now;
                    int n = publish(conn, device, Instant.ofEpochMilli(now));
                    if (n < 0) {
                        break;
                    }
                    messages.increment();
                    readings.add(n);
                    budget.addAndGet(-n);
                    sentReadings += n;
                }
            }, "load-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Run(messages.sum(), readings.sum(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * Which devices each connection publishes for, in turn: every connection takes any device, unless
     * connections are logged in as vendors, when a device goes over one of its own vendor's.
     */
    private List<List<SimulatedDevice>> shares(List<SimulatedDevice> fleet) {
        // Connections for any vendor have no vendor; a vendor id is never empty.
        String any = "";
        List<List<SimulatedDevice>> shares = new ArrayList<>();
        Map<String, List<Integer>> byVendor = new java.util.HashMap<>();
        for (int c = 0; c < connections.size(); c++) {
            shares.add(new ArrayList<>());
            String vendor = connections.get(c).vendor;
            byVendor.computeIfAbsent(vendor == null ? any : vendor, k -> new ArrayList<>()).add(c);
        }
        Map<String, Integer> turns = new java.util.HashMap<>();
        for (SimulatedDevice device : fleet) {
            String key = byVendor.containsKey(any) ? any : device.vendor();
            List<Integer> candidates = byVendor.get(key);
            if (candidates == null) {
                throw new IllegalArgumentException("no broker login for vendor " + device.vendor() + " (give it one in --mqtt-credentials)");
            }
            int turn = turns.merge(key, 1, Integer::sum) - 1;
            shares.get(candidates.get(turn % candidates.size())).add(device);
        }
        return shares;
    }

    /** Publishes one message from a device; returns the readings it carries, or -1 when publishing failed. */
    public int publish(Connection conn, SimulatedDevice device, Instant at) {
        long seq = sequence.incrementAndGet();
        String topic = "knutepunkt/v1/" + device.vendor() + "/" + device.serial() + "/measurements";
        byte[] payload;
        String messageId;
        List<String> keys = new ArrayList<>();
        switch (device.vendor()) {
            case SimulatedDevice.CANONICAL_VENDOR -> {
                messageId = device.serial() + "-" + seq;
                for (String m : device.measures()) {
                    String key = messageId + "#" + (m.equals("systolic") || m.equals("diastolic") ? "bp" : m);
                    if (!keys.contains(key)) {
                        keys.add(key);
                    }
                }
                Measured[] values = device.measures().stream().map(m -> new Measured(m, Payloads.plausible(m))).toArray(Measured[]::new);
                if (device.measures().contains("systolic")) {
                    values = withDiastolicBelowSystolic(values);
                }
                payload = Payloads.canonical(messageId, device.serial(), at, values);
            }
            case SimulatedDevice.ACME_VENDOR -> {
                messageId = "ACME-" + seq;
                String m = device.measures().get((int) (seq % device.measures().size()));
                payload = Payloads.acmeFlat(messageId, device.serial(), at, new Measured(m, Payloads.plausible(m)));
                keys.add(messageId + "#" + m);
            }
            case SimulatedDevice.GATEWAY_VENDOR -> {
                List<GatewayObservation> obs = new ArrayList<>();
                long s = seq * 16;
                for (SimulatedDevice behind : device.behindGateway()) {
                    for (String m : behind.measures()) {
                        keys.add(device.serial() + ":" + s);
                        obs.add(new GatewayObservation(s++, behind.serial(), null, at.minusMillis(200), m, Payloads.plausible(m)));
                    }
                }
                payload = Payloads.medgw(device.serial(), at, obs.toArray(GatewayObservation[]::new));
                messageId = device.serial() + ":" + gatewaySent(payload);
            }
            default -> throw new IllegalArgumentException(device.vendor());
        }
        if (timeMessages) {
            sentAt.put(messageId, new long[] { System.nanoTime(), device.readingsPerMessage() });
        }
        var published = onPublished;
        if (published != null) {
            published.accept(messageId, keys);
        }
        return conn.publish(topic, payload, device.readingsPerMessage(), messageId, keys) ? device.readingsPerMessage() : -1;
    }

    private static Measured[] withDiastolicBelowSystolic(Measured[] values) {
        double sys = Arrays.stream(values).filter(m -> m.measure().equals("systolic")).findFirst().map(Measured::value).orElse(130.0);
        return Arrays.stream(values).map(m -> m.measure().equals("diastolic") ? new Measured("diastolic", Math.min(m.value(), sys - 30)) : m)
                .toArray(Measured[]::new);
    }

    private static String gatewaySent(byte[] payload) {
        String s = new String(payload, 0, Math.min(payload.length, 120), StandardCharsets.UTF_8);
        int i = s.indexOf("\"sent\":\"") + 8;
        return s.substring(i, s.indexOf('"', i));
    }

    private void onReceipt(byte[] payload) {
        receipts.increment();
        String s = new String(payload, StandardCharsets.UTF_8);
        statuses.computeIfAbsent(String.valueOf(field(s, "status")), k -> new LongAdder()).increment();
        committed(field(s, "messageId"));
    }

    /**
     * Records that a message's outcome is committed (its receipt arrived, or a receiver without
     * receipts says so), for the publish-to-commit latency.
     */
    public void committed(String messageId) {
        long[] sent = messageId == null ? null : sentAt.remove(messageId);
        if (sent != null) {
            committedReadings.add(sent[1]);
            long t = sent[0];
            long i = latencyCount.getAndIncrement();
            long[] l = latencies;
            if (i >= l.length) {
                synchronized (this) {
                    if (i >= latencies.length) {
                        latencies = Arrays.copyOf(latencies, latencies.length * 2);
                    }
                    l = latencies;
                }
            }
            l[(int) i] = System.nanoTime() - t;
        }
    }

    private static String field(String json, String name) {
        int i = json.indexOf("\"" + name + "\":\"");
        if (i < 0) {
            return null;
        }
        i += name.length() + 4;
        return json.substring(i, json.indexOf('"', i));
    }

    /**
     * Starts or stops taking receipts (for latency and outcomes): reading them costs the generator
     * CPU that a throughput measurement should not spend.
     */
    public void listenForReceipts(boolean on) throws MqttException {
        if (receiptClient == null) {
            throw new IllegalStateException("made without receipts");
        }
        if (on) {
            receiptClient.subscribe("knutepunkt/v1/+/+/receipts", 1).waitForCompletion(10_000);
        } else {
            receiptClient.unsubscribe("knutepunkt/v1/+/+/receipts").waitForCompletion(10_000);
        }
        timeMessages(on);
    }

    /** Whether to remember each message's publish time, for {@link #committed} (latency). */
    public void timeMessages(boolean on) {
        timeMessages = on;
        if (!on) {
            sentAt.clear();
        }
    }

    /** Forgets latencies measured so far (after a warm-up). */
    public void resetLatencies() {
        latencyCount.set(0);
    }

    /** Latency percentile in milliseconds over the receipts since the last reset. */
    public double latencyMillis(double percentile) {
        int n = (int) Math.min(latencyCount.get(), latencies.length);
        if (n == 0) {
            return Double.NaN;
        }
        long[] copy = Arrays.copyOf(latencies, n);
        Arrays.sort(copy);
        return copy[Math.min(n - 1, (int) Math.ceil(percentile / 100.0 * n) - 1)] / 1e6;
    }

    /** Readings of messages known committed (by receipt or by {@link #committed}). */
    public long committedReadings() {
        return committedReadings.sum();
    }

    public long latencySamples() {
        return latencyCount.get();
    }

    public long acknowledged() {
        return acked.sum();
    }

    public long acknowledgedReadings() {
        return ackedReadings.sum();
    }

    public long receipts() {
        return receipts.sum();
    }

    /** Per vendor, messages and readings the broker acknowledged: {messages, readings}. */
    public Map<String, long[]> acknowledgedByVendor() {
        Map<String, long[]> m = new java.util.TreeMap<>();
        ackedByVendor.forEach((k, v) -> m.put(k, new long[] { v[0].sum(), v[1].sum() }));
        return m;
    }

    /** knutepunkt/v1/{vendor}/{device}/measurements */
    private static String vendorOf(String topic) {
        int from = topic.indexOf('/', topic.indexOf('/') + 1) + 1;
        return topic.substring(from, topic.indexOf('/', from));
    }

    public Map<String, Long> receiptStatuses() {
        Map<String, Long> m = new java.util.TreeMap<>();
        statuses.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public List<Connection> connections() {
        return connections;
    }

    @Override
    public void close() {
        closing = true;
        resender.shutdownNow();
        for (Connection c : connections) {
            c.close();
        }
        if (receiptClient != null) {
            try {
                receiptClient.disconnect().waitForCompletion(5_000);
                receiptClient.close();
            } catch (MqttException e) {
                // closing anyway
            }
        }
    }

    /** A message as published: enough to publish it again. */
    private record Outgoing(String topic, byte[] payload, int readings, String messageId, List<String> keys) {
    }

    public record Run(long messages, long readings, double seconds) {
        public double readingsPerSecond() {
            return readings / seconds;
        }
    }

    /** One publishing connection, keeping at most the broker's Receive Maximum of publishes in flight. */
    public final class Connection {
        private static final long RECONNECT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
        private static final long RESEND_DELAY_MILLIS = 100;

        private final MqttAsyncClient client;
        private final Semaphore window;
        private final int windowSize;
        /** The vendor it is logged in as; null when it may publish for any. */
        private final String vendor;

        Connection(BrokerAccess broker, String clientId, String vendor) throws MqttException {
            this.vendor = vendor;
            client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
            client.setCallback(new QuietCallback());
            MqttConnectionOptions o = broker.options();
            o.setCleanStart(true);
            o.setAutomaticReconnect(true);
            // Paho's default backs off to two minutes; a device tries again soon after its broker returns.
            o.setAutomaticReconnectDelay(1, 4);
            IMqttToken t = client.connect(o);
            t.waitForCompletion(10_000);
            Integer max = t.getResponseProperties() == null ? null : t.getResponseProperties().getReceiveMaximum();
            windowSize = max == null || max <= 0 ? 65535 : max;
            window = new Semaphore(windowSize);
        }

        long inFlight() {
            return windowSize - window.availablePermits();
        }

        boolean publish(String topic, byte[] payload, int readings, String messageId, List<String> keys) {
            try {
                window.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (send(new Outgoing(topic, payload, readings, messageId, keys))) {
                return true;
            }
            window.release();
            return false;
        }

        /**
         * Hands a message to the client. While resending, a refusal (not connected: the automatic
         * reconnect is under way) is retried until the generator gives up.
         */
        private boolean send(Outgoing o) {
            while (true) {
                try {
                    client.publish(o.topic(), new MqttMessage(o.payload(), 1, false, null), null, new Acknowledgement(o));
                    return true;
                } catch (MqttException e) {
                    if (!resend || closing || gaveUp) {
                        return false;
                    }
                    LockSupport.parkNanos(RECONNECT_POLL_NANOS);
                }
            }
        }

        /** The broker's answer to one publish of a message; the message holds its window slot until it is acknowledged or given up. */
        private final class Acknowledgement implements MqttActionListener {
            private final Outgoing o;

            Acknowledgement(Outgoing o) {
                this.o = o;
            }

            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                if (codes != null && codes.length > 0 && codes[0] == 0x10) {
                    var dropped = onNoSubscribers;
                    if (dropped != null) {
                        dropped.accept(o.messageId(), o.keys());
                    }
                }
                acked.increment();
                ackedReadings.add(o.readings());
                LongAdder[] vendor = ackedByVendor.computeIfAbsent(vendorOf(o.topic()), k -> new LongAdder[] { new LongAdder(), new LongAdder() });
                vendor[0].increment();
                vendor[1].add(o.readings());
                var listener = onAcknowledged;
                if (listener != null) {
                    listener.accept(o.messageId(), o.keys());
                }
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                // The connection dropped before the PUBACK: the broker may or may not have the message.
                if (!resend || closing || gaveUp) {
                    window.release();
                    return;
                }
                resends.increment();
                try {
                    // Not on Paho's callback thread, which send() could otherwise block while reconnecting.
                    resender.schedule(() -> {
                        if (!send(o)) {
                            window.release();
                        }
                    }, RESEND_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    window.release();
                }
            }
        }

        void close() {
            try {
                client.disconnect().waitForCompletion(5_000);
                client.close();
            } catch (MqttException e) {
                // closing anyway
            }
        }
    }
}
