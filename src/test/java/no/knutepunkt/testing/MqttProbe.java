package no.knutepunkt.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A plain MQTT 5 client for tests that need to talk to a broker directly: publish a message, or
 * collect what arrives on a subscription. Messages are recorded as UTF-8 text, in arrival order.
 */
public final class MqttProbe implements AutoCloseable {

    private final MqttClient client;
    private final MqttConnectionOptions options;
    private final List<String> received = new CopyOnWriteArrayList<>();

    private MqttProbe(String url, String clientId, boolean persistentSession) throws MqttException {
        client = new MqttClient(url, clientId, new MemoryPersistence());
        options = new MqttConnectionOptions();
        options.setCleanStart(!persistentSession);
        // A persistent session outlives the connection so the broker queues for it while we are away.
        options.setSessionExpiryInterval(persistentSession ? 3600L : 0L);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        client.setCallback(new Recorder());
    }

    /** A connected client whose session ends with the connection. */
    public static MqttProbe connect(String url, String clientId) throws MqttException {
        MqttProbe probe = new MqttProbe(url, clientId, false);
        probe.reconnect();
        return probe;
    }

    /** A connected client whose session (subscriptions, queued messages) the broker keeps for an hour. */
    public static MqttProbe connectPersistent(String url, String clientId) throws MqttException {
        MqttProbe probe = new MqttProbe(url, clientId, true);
        probe.reconnect();
        return probe;
    }

    public void reconnect() throws MqttException {
        client.connect(options);
    }

    public void subscribe(String topicFilter) throws MqttException {
        IMqttToken token = client.subscribe(topicFilter, 1);
        int[] granted = token.getGrantedQos();
        if (granted.length == 0 || granted[0] != 1) {
            throw new IllegalStateException("broker did not grant QoS 1 on " + topicFilter);
        }
    }

    /** QoS 1; returns once the broker has acknowledged it. */
    public void publish(String topic, String payload) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        client.publish(topic, message);
    }

    public List<String> received() {
        return List.copyOf(received);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    public void disconnect() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnectForcibly(1000);
        }
        client.close(true);
    }

    private final class Recorder implements MqttListener {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }
    }
}
