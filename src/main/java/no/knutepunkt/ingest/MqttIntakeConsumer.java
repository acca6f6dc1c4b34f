package no.knutepunkt.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
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

/**
 * Several MQTT 5 connections on one shared subscription (each with its own persistent session),
 * so the broker spreads messages over them and over other hub instances. Each message becomes an
 * exchange; the connection's {@link AckOrder} acknowledges it once the exchange has completed.
 * Messages of a connection that dropped are never acknowledged on the next one: the broker
 * redelivers them and the unique constraints absorb the copies.
 */
final class MqttIntakeConsumer extends DefaultConsumer {

    private static final Logger LOG = Logger.getLogger(MqttIntakeConsumer.class);

    private final MqttConfig config;
    private final MqttConnections connections;
    private static final long DRAIN_MILLIS = 10_000;
    private static final long MAX_BOUNCE_MILLIS = 30_000;
    /** MQTT 5 reason code: another client connected with this client id. */
    private static final int SESSION_TAKEN_OVER = 0x8E;
    private static final long WATCH_SECONDS = 5;
    /** Longer than Paho's longest automatic-reconnect delay (MqttConnections: 30 s). */
    private static final long DOWN_TOO_LONG_NANOS = TimeUnit.SECONDS.toNanos(45);

    private final List<Connection> open = new ArrayList<>();
    private volatile boolean stopping;
    private ScheduledExecutorService reconnects;

    MqttIntakeConsumer(Endpoint endpoint, Processor processor, MqttConfig config, MqttConnections connections) {
        super(endpoint, processor);
        this.config = config;
        this.connections = connections;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        reconnects = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "mqtt-intake-reconnect");
        String filter = config.shared() ? "$share/" + config.shareGroup() + "/" + config.topicFilter() : config.topicFilter();
        for (int n = 0; n < config.consumers(); n++) {
            Connection c = new Connection(config.clientId() + "-" + n, filter);
            open.add(c);
            c.connect();
        }
        reconnects.scheduleWithFixedDelay(this::watch, WATCH_SECONDS, WATCH_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Paho's automatic reconnect does not always come back (the fault campaign saw a connection
     * stay down after a broker crash with no attempt logged, and one answering "Connect already in
     * progress" for good): a connection down for longer than its backoff allows is reconnected
     * here, and a client stuck connecting is replaced.
     */
    private void watch() {
        for (Connection c : open) {
            try {
                c.watch();
            } catch (RuntimeException e) {
                LOG.warnf("MQTT consumer watchdog: %s", e.getMessage());
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        // Take no new messages (they stay with the broker), let those in hand commit and be
        // acknowledged, then leave: otherwise every deploy redelivers a full window as duplicates.
        stopping = true;
        for (Connection c : open) {
            c.drain(DRAIN_MILLIS);
        }
        for (Connection c : open) {
            c.close();
        }
        open.clear();
        if (reconnects != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(reconnects);
        }
        super.doStop();
    }

    /** One consumer connection with its persistent session and its acknowledgement order. */
    private final class Connection implements MqttCallback {

        private final String clientId;
        private final String filter;
        private volatile MqttAsyncClient client;
        private volatile AckOrder acks;
        /** When the connection was last seen down (System.nanoTime), or 0 while it is up. */
        private volatile long downSince;
        private final java.util.concurrent.atomic.AtomicBoolean bounceScheduled = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile long bounceMillis = 1000;

        Connection(String clientId, String filter) throws MqttException {
            this.clientId = clientId;
            this.filter = filter;
            this.client = newClient();
            this.acks = newAckOrder();
        }

        private MqttAsyncClient newClient() throws MqttException {
            MqttAsyncClient c = new MqttAsyncClient(config.url(), clientId, new MemoryPersistence());
            c.setManualAcks(true);
            c.setCallback(this);
            return c;
        }

        /** Called by the watchdog: reconnects a connection that has been down too long. */
        void watch() {
            long since = downSince;
            if (stopping || since == 0 || client.isConnected() || System.nanoTime() - since < DOWN_TOO_LONG_NANOS) {
                return;
            }
            downSince = System.nanoTime();
            try {
                LOG.warnf("MQTT consumer %s has been disconnected too long; reconnecting it", clientId);
                client.reconnect();
            } catch (MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS) {
                    LOG.warnf("MQTT consumer %s reconnect: %s", clientId, e.getMessage());
                    return;
                }
                // Stuck connecting: replace the client. Its unacknowledged messages come again.
                LOG.warnf("MQTT consumer %s has been connecting too long; replacing its client", clientId);
                replaceClient();
            }
        }

        private void replaceClient() {
            MqttAsyncClient old = client;
            try {
                old.disconnectForcibly(0, 1000, false);
            } catch (MqttException e) {
                LOG.debugf("forced disconnect of %s: %s", clientId, e.getMessage());
            }
            try {
                old.close(true);
            } catch (MqttException e) {
                LOG.debugf("closing %s: %s", clientId, e.getMessage());
            }
            try {
                AckOrder abandoned = acks;
                acks = newAckOrder();
                abandoned.abandon();
                client = newClient();
                connect();
            } catch (MqttException e) {
                LOG.warnf("MQTT consumer %s: new client: %s", clientId, e.getMessage());
            }
        }

        private AckOrder newAckOrder() {
            return new AckOrder(packetId -> {
                try {
                    client.messageArrivedComplete(packetId, 1);
                } catch (MqttException e) {
                    // Not acknowledged: the broker redelivers it after the reconnect, and it is a duplicate then.
                    LOG.debugf("acknowledgement of %d on %s failed: %s", packetId, clientId, e.getMessage());
                }
            }, config.receiveMaximum());
        }

        void connect() throws MqttException {
            MqttConnectionOptions o = connections.options();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(config.sessionExpiry().toSeconds());
            o.setReceiveMaximum(config.receiveMaximum());
            try {
                client.connect(o).waitForCompletion(15_000);
            } catch (MqttException e) {
                // Paho's automatic reconnect only covers connections that once succeeded.
                markDown();
                LOG.warnf("MQTT consumer %s cannot connect to %s yet (%s); retrying", clientId, config.url(), e.getMessage());
                reconnects.schedule(this::retryConnect, 2, TimeUnit.SECONDS);
            }
        }

        private void retryConnect() {
            if (!isRunAllowed() || client.isConnected()) {
                return;
            }
            try {
                connect();
            } catch (MqttException e) {
                LOG.warnf("MQTT consumer %s: %s", clientId, e.getMessage());
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            downSince = 0;
            try {
                // Idempotent; needed when the broker lost the session (e.g. it restarted without persistence).
                client.subscribe(filter, 1);
                LOG.infof("MQTT consumer %s subscribed to %s on %s", clientId, filter, serverURI);
            } catch (MqttException e) {
                LOG.errorf("MQTT consumer %s could not subscribe: %s", clientId, e.getMessage());
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            markDown();
            // Acknowledge nothing of the old connection on the new one: those messages come again.
            AckOrder old = acks;
            acks = newAckOrder();
            old.abandon();
            if (response.getReturnCode() == SESSION_TAKEN_OVER) {
                LOG.errorf("MQTT consumer %s: another client connected with the same client id and took over the session; "
                        + "every hub instance needs its own MQTT_CLIENT_ID", clientId);
            } else {
                LOG.warnf("MQTT consumer %s disconnected: %s", clientId, response.getReasonString());
            }
        }

        private void markDown() {
            if (downSince == 0) {
                downSince = System.nanoTime();
            }
        }

        void drain(long millis) throws InterruptedException {
            if (!acks.awaitEmpty(millis)) {
                LOG.warnf("MQTT consumer %s stops with messages not yet committed; the broker delivers them again", clientId);
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
            if (stopping) {
                // Not taken: unacknowledged, it stays the broker's, for the next start or another instance.
                return;
            }
            AckOrder order = acks;
            Object handle = message.getQos() > 0 ? order.arrived(message.getId()) : null;
            Exchange exchange = createExchange(false);
            try {
                String[] levels = topic.split("/", -1);
                // knutepunkt/v1/{vendorId}/{deviceId}/measurements; the envelope checks the ids.
                exchange.getMessage().setHeader(Envelope.VENDOR, levels.length == 5 ? levels[2] : null);
                exchange.getMessage().setHeader(Envelope.DEVICE, levels.length == 5 ? levels[3] : null);
                exchange.getMessage().setHeader(Envelope.TRANSPORT, Intake.Transport.MQTT.name());
                exchange.getMessage().setBody(message.getPayload());
            } catch (RuntimeException e) {
                exchange.setException(e);
            }
            getAsyncProcessor().process(exchange, doneSync -> {
                try {
                    if (exchange.getException() != null) {
                        if (handle != null) {
                            scheduleBounce(exchange.getException());
                        }
                    } else if (handle != null) {
                        bounceMillis = 1000;
                        order.completed(handle);
                    }
                } finally {
                    releaseExchange(exchange, false);
                }
            });
        }

        /**
         * A message that could not be committed blocks the acknowledgements after it: reconnect so
         * the broker resends. One reconnect at a time per connection, further apart while it keeps
         * failing (the database away for a while).
         */
        private void scheduleBounce(Exception cause) {
            if (stopping || !bounceScheduled.compareAndSet(false, true)) {
                return;
            }
            long delay = bounceMillis;
            bounceMillis = Math.min(delay * 2, MAX_BOUNCE_MILLIS);
            LOG.warnf("message on %s was not committed (%s); reconnecting in %d ms for redelivery", clientId, cause.getMessage(), delay);
            reconnects.schedule(this::bounce, delay, TimeUnit.MILLISECONDS);
        }

        private void bounce() {
            try {
                AckOrder old = acks;
                acks = newAckOrder();
                old.abandon();
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5_000);
                }
                connect();
                bounceScheduled.set(false);
            } catch (MqttException | RuntimeException e) {
                LOG.warnf("MQTT consumer %s reconnect failed (%s); trying again", clientId, e.getMessage());
                reconnects.schedule(this::bounce, bounceMillis, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warnf("MQTT consumer %s: %s", clientId, exception.getMessage());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // The consumers publish nothing.
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // No enhanced authentication.
        }

        void close() {
            try {
                if (client.isConnected()) {
                    // Unacknowledged messages stay in the broker's session and come again.
                    client.disconnect().waitForCompletion(5_000);
                }
                client.close();
            } catch (MqttException e) {
                LOG.debugf("closing %s: %s", clientId, e.getMessage());
            }
        }
    }
}
