package no.knutepunkt.ingest;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Variable;
import org.eclipse.paho.mqttv5.client.IMqttToken;
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

/**
 * Publishes each committed message's receipt to knutepunkt/v1/{vendorId}/{deviceId}/receipts at
 * QoS 1. The receipt is already stored with the message, so a receipt that cannot be published
 * (broker away) is counted and not retried here.
 */
@ApplicationScoped
@Named("receipts")
public class Receipts implements MqttCallback {

    private static final Logger LOG = Logger.getLogger(Receipts.class);

    private final MqttConfig config;
    private final MqttConnections connections;
    private final Counter unpublished;
    /** Paho refuses a publish beyond the broker's Receive Maximum instead of waiting: wait here. */
    private volatile Semaphore window = new Semaphore(20);
    private volatile int receiveMaximum = 20;
    private MqttAsyncClient client;

    public Receipts(MqttConfig config, MqttConnections connections, MeterRegistry metrics) {
        this.config = config;
        this.connections = connections;
        this.unpublished = Counter.builder("knutepunkt.receipts.unpublished")
                .description("Receipts stored but not published because the broker was not reachable").register(metrics);
    }

    /**
     * Never throws: the message is committed by now, and the receipt is stored with it; a receipt
     * that cannot go out is counted, not retried, and must not make the message look uncommitted.
     */
    public void publish(@Variable(Intake.VARIABLE) Intake intake) {
        if (intake.receipt() == null) {
            return;
        }
        MqttAsyncClient c = client();
        if (c == null || !c.isConnected()) {
            unpublished.increment();
            return;
        }
        byte[] payload = intake.receiptJson();
        String topic = "knutepunkt/v1/" + intake.vendorId() + "/" + intake.topicDeviceId() + "/receipts";
        Semaphore w = window;
        try {
            if (!w.tryAcquire(5, TimeUnit.SECONDS)) {
                unpublished.increment();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unpublished.increment();
            return;
        }
        try {
            MqttMessage m = new MqttMessage(payload, 1, false, null);
            c.publish(topic, m, w, null);
        } catch (MqttException e) {
            w.release();
            unpublished.increment();
            LOG.debugf("receipt not published: %s", e.getMessage());
        }
    }

    private synchronized MqttAsyncClient client() {
        if (client == null) {
            try {
                client = new MqttAsyncClient(config.url(), config.clientId() + "-receipts", new MemoryPersistence());
                client.setCallback(this);
                MqttConnectionOptions o = connections.options();
                o.setCleanStart(true);
                IMqttToken token = client.connect(o);
                token.waitForCompletion(15_000);
                sizeWindow(token);
            } catch (MqttException e) {
                LOG.warnf("receipt publisher cannot connect to %s: %s", config.url(), e.getMessage());
                client = null;
            }
        }
        return client;
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
