package no.knutepunkt.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * An MQTT 5 client logged in with a user name and password, for access-control tests: it reports
 * the broker's answers (CONNACK, PUBACK and SUBACK reason codes) instead of throwing, so a test can
 * assert exactly what a broker says to a refused client, and records what arrives.
 */
public final class MqttSession implements AutoCloseable {

    private static final long WAIT_MILLIS = 10_000;
    /** What {@link #publish} answers when the broker ended the connection before (or instead of) a PUBACK reached us. */
    public static final int DISCONNECTED = -1;

    /** A message as it arrived. */
    public record Arrived(String topic, String payload) {
    }

    private final MqttAsyncClient client;
    private final List<Arrived> received = new CopyOnWriteArrayList<>();
    private volatile int disconnectReason = -1;

    private MqttSession(MqttAsyncClient client) {
        this.client = client;
    }

    /**
     * Connects, or throws the broker's refusal: an {@link MqttException} whose reason code is the
     * CONNACK's (MQTT 5: 0x86 bad user name or password, 0x87 not authorized, ...).
     *
     * @param username null for an anonymous client
     */
    public static MqttSession connect(String url, String clientId, String username, String password) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        MqttSession session = new MqttSession(client);
        client.setCallback(session.new Recorder());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (username != null) {
            o.setUserName(username);
        }
        if (password != null) {
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            client.connect(o).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return session;
    }

    /** The CONNACK reason code a connection attempt gets: 0 when it is let in. */
    public static int connectAnswer(String url, String clientId, String username, String password) {
        MqttSession session;
        try {
            session = connect(url, clientId, username, password);
        } catch (MqttException e) {
            return e.getReasonCode();
        }
        session.close();
        return 0;
    }

    /**
     * QoS 1; the PUBACK's reason code (0 success, 0x10 no matching subscribers, 0x87 not authorized,
     * ...), or {@link #DISCONNECTED} when the broker closed the connection first.
     */
    public int publish(String topic, String payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken token;
        try {
            token = client.publish(topic, m);
            token.waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            if (e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xA2) {
                return e.getReasonCode();
            }
            if (e.getReasonCode() == MqttClientException.REASON_CODE_SERVER_DISCONNECTED
                    || e.getReasonCode() == MqttClientException.REASON_CODE_CONNECTION_LOST) {
                return DISCONNECTED;
            }
            throw e;
        }
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    /** QoS 1; the SUBACK's reason code (the granted QoS, 1, or a failure such as 0x87 not authorized). */
    public int subscribe(String topicFilter) throws MqttException {
        IMqttToken token;
        try {
            token = client.subscribe(topicFilter, 1);
            token.waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            if (e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xA2) {
                return e.getReasonCode();
            }
            throw e;
        }
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 ? -1 : codes[0];
    }

    public List<Arrived> received() {
        return List.copyOf(received);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** The reason code of the broker's DISCONNECT, when it sent one (0x87 not authorized, ...), else -1. */
    public int disconnectReason() {
        return disconnectReason;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close(true);
        } catch (MqttException e) {
            // closing anyway
        }
    }

    private final class Recorder implements MqttListener {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(new Arrived(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
        }

        @Override
        public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
            disconnectReason = response.getReturnCode();
        }
    }
}
