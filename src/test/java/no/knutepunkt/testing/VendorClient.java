package no.knutepunkt.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A device vendor as tests see it: publishes measurements at QoS 1 (returning once the broker
 * acknowledged) and collects the receipts the hub sends back.
 */
public final class VendorClient implements AutoCloseable, MqttListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MqttClient client;
    private final List<JsonNode> receipts = new CopyOnWriteArrayList<>();
    private final Map<String, List<JsonNode>> byMessage = new ConcurrentHashMap<>();
    private final Map<String, List<JsonNode>> byDevice = new ConcurrentHashMap<>();

    public VendorClient() throws MqttException {
        this(ConfigProvider.getConfig().getValue("knutepunkt.mqtt.url", String.class));
    }

    public VendorClient(String url) throws MqttException {
        client = new MqttClient(url, "test-vendor-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(this);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o);
        client.subscribe("knutepunkt/v1/+/+/receipts", 1);
    }

    public void publish(String vendor, String device, String payload) throws MqttException {
        publish(vendor, device, payload.getBytes(StandardCharsets.UTF_8));
    }

    public void publish(String vendor, String device, byte[] payload) throws MqttException {
        client.publish("knutepunkt/v1/" + vendor + "/" + device + "/measurements", payload, 1, false);
    }

    public void publishTopic(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 1, false);
    }

    /** Receipts received so far for this messageId (null id: receipts of unreadable messages). */
    public List<JsonNode> receipts(String messageId) {
        return byMessage.getOrDefault(String.valueOf(messageId), List.of());
    }

    /** Receipts that came back on this device's receipt topic. */
    public List<JsonNode> receiptsOf(String vendor, String device) {
        return byDevice.getOrDefault(vendor + "/" + device, List.of());
    }

    /** Waits for the first receipt of a message and returns it. */
    public JsonNode awaitReceipt(String messageId) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !receipts(messageId).isEmpty());
        return receipts(messageId).get(0);
    }

    /** Waits for the first receipt on a device's topic and returns it (for messages whose id cannot be read). */
    public JsonNode awaitReceiptOf(String vendor, String device) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !receiptsOf(vendor, device).isEmpty());
        return receiptsOf(vendor, device).get(0);
    }

    public List<JsonNode> allReceipts() {
        return receipts;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
        JsonNode receipt = JSON.readTree(message.getPayload());
        ((com.fasterxml.jackson.databind.node.ObjectNode) receipt).put("topic", topic);
        receipts.add(receipt);
        String id = receipt.hasNonNull("messageId") ? receipt.get("messageId").asText() : "null";
        byMessage.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(receipt);
        // knutepunkt/v1/{vendor}/{device}/receipts
        String[] levels = topic.split("/");
        byDevice.computeIfAbsent(levels[2] + "/" + levels[3], k -> new CopyOnWriteArrayList<>()).add(receipt);
    }

    @Override
    public void close() throws MqttException {
        client.disconnect();
        client.close();
    }

}
