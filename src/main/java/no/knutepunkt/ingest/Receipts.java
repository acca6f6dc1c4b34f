package no.knutepunkt.ingest;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

import org.apache.camel.Variable;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jboss.logging.Logger;


import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Publishes each committed message's receipt to knutepunkt/v1/{vendorId}/{deviceId}/receipts at
 * QoS 1. The receipt is already stored with the message, so a receipt that cannot be published
 * (broker away) is counted and not retried here.
 */
@ApplicationScoped
@Named("receipts")
public class Receipts implements MqttCallback {

    private static final Logger LOG = Logger.getLogger(Receipts.class);
    private static final long WINDOW_WAIT_MILLIS = 200;
    private static final java.time.Duration RETRY = java.time.Duration.ofSeconds(5);

    private final MqttConfig config;
    private final MqttConnections connections;
    private final Counter unpublished;
    /** Paho refuses a publish beyond the broker's Receive Maximum instead of waiting: wait here. */
    private volatile Semaphore window = new Semaphore(20);
    private volatile int receiveMaximum = 20;
    private volatile MqttAsyncClient client;
    private final java.util.concurrent.atomic.AtomicBoolean connecting = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long nextAttempt;
    private final java.util.concurrent.CompletableFuture<Void> firstAttempt = new java.util.concurrent.CompletableFuture<>();

    public Receipts(MqttConfig config, MqttConnections connections, MeterRegistry metrics) {
        this.config = config;
        this.connections = connections;
        this.unpublished = Counter.builder("knutepunkt.receipts.unpublished")
                .description("Receipts stored but not published because the broker was not reachable").register(metrics);
    }

    /**
     * Never throws and never waits long: the message is committed by now and its receipt stored
     * with it; these threads also acknowledge messages. A receipt that cannot go out at once (broker
     * away, window full for long) is counted, not retried.
     */
    public void publish(@Variable(Intake.VARIABLE) Intake intake) {
        if (intake.receipt() == null) {
            return;
        }
        MqttAsyncClient c = connected();
        if (c == null) {
            unpublished.increment();
            return;
        }
        String topic = "knutepunkt/v1/" + intake.vendorId() + "/" + intake.topicDeviceId() + "/receipts";
        Semaphore w = window;
        try {
            if (!w.tryAcquire(WINDOW_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                unpublished.increment();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unpublished.increment();
            return;
        }
        try {
            c.publish(topic, new MqttMessage(intake.receiptJson(), 1, false, null), w, null);
        } catch (MqttException | RuntimeException e) {
            w.release();
            unpublished.increment();
            LOG.debugf("receipt not published: %s", e.getMessage());
        }
    }

    /** The client when connected; otherwise starts (at most every few seconds) a connect in the background. */
    private MqttAsyncClient connected() {
        MqttAsyncClient c = client;
        if (c != null && c.isConnected()) {
            return c;
        }
        long now = System.nanoTime();
        if (now >= nextAttempt && connecting.compareAndSet(false, true)) {
            nextAttempt = now + RETRY.toNanos();
            connectInBackground();
        }
        return null;
    }

    private synchronized void connectInBackground() {
        try {
            if (client == null) {
                client = new MqttAsyncClient(config.url(), config.clientId() + "-receipts", new MemoryPersistence());
                client.setCallback(this);
            }
            MqttConnectionOptions o = connections.options();
            o.setCleanStart(true);
            client.connect(o, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    sizeWindow(token);
                    connecting.set(false);
                    firstAttempt.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    LOG.warnf("receipt publisher cannot connect to %s: %s", config.url(), e.getMessage());
                    connecting.set(false);
                    firstAttempt.complete(null);
                }
            });
        } catch (MqttException | RuntimeException e) {
            LOG.warnf("receipt publisher cannot connect to %s: %s", config.url(), e.getMessage());
            connecting.set(false);
        }
    }

    /** At start-up (not on the acknowledgement path) waiting a little is fine: the first receipts should go out. */
    void connectAtStart(@Observes StartupEvent start) throws InterruptedException {
        connected();
        try {
            firstAttempt.get(RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Not yet: receipts go out once the background connect succeeds.
        }
    }

    private void sizeWindow(IMqttToken connect) {
        MqttProperties props = connect.getResponseProperties();
        Integer max = props == null ? null : props.getReceiveMaximum();
        receiveMaximum = max == null || max <= 0 ? 65535 : max;
        window = new Semaphore(receiveMaximum);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        Object ctx = token.getUserContext();
        if (ctx instanceof Semaphore s) {
            s.release();
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        LOG.warnf("receipt publisher disconnected: %s", response.getReasonString());
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        LOG.warnf("receipt publisher: %s", exception.getMessage());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        // Subscribes to nothing.
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        if (reconnect) {
            // Publishes in flight on the old connection never complete; start with a fresh window.
            window = new Semaphore(receiveMaximum);
        }
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // No enhanced authentication.
    }

    @PreDestroy
    synchronized void close() {
        if (client != null) {
            try {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5_000);
                }
                client.close();
            } catch (MqttException e) {
                LOG.debugf("closing receipt publisher: %s", e.getMessage());
            }
        }
    }
}
