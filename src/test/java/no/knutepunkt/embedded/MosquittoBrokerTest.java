package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.knutepunkt.testing.MosquittoBroker;
import no.knutepunkt.testing.MqttProbe;

class MosquittoBrokerTest {

    private static final String TOPIC = "knutepunkt/v1/acme/device-1/measurements";

    @TempDir
    Path tmp;

    private MosquittoBroker broker;

    @BeforeEach
    void startBroker() {
        broker = new MosquittoBroker(tmp.resolve("mosquitto"));
        broker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.stop();
    }

    @Test
    void deliversAQos1Message() throws MqttException {
        try (MqttProbe subscriber = MqttProbe.connect(broker.url(), "sub-" + UUID.randomUUID());
                MqttProbe publisher = MqttProbe.connect(broker.url(), "pub-" + UUID.randomUUID())) {
            subscriber.subscribe("knutepunkt/v1/+/+/measurements");
            publisher.publish(TOPIC, "{\"spo2\":97}");

            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received().contains("{\"spo2\":97}"));
        }
    }

    @Test
    void keepsAnOfflineSessionsQueuedMessageAcrossKillAndRestart() throws MqttException {
        String subscriberId = "hub-" + UUID.randomUUID();
        MqttProbe offline = MqttProbe.connectPersistent(broker.url(), subscriberId);
        offline.subscribe(TOPIC);
        offline.disconnect();
        offline.close();

        try (MqttProbe publisher = MqttProbe.connect(broker.url(), "pub-" + UUID.randomUUID())) {
            publisher.publish(TOPIC, "queued-while-offline");
        }
        // kill -9 skips Mosquitto's final save: wait for the autosave to have written the message.
        await().atMost(Duration.ofSeconds(10)).until(() -> persisted("queued-while-offline"));
        broker.kill();
        assertThat(broker.isRunning()).isFalse();

        broker.start();
        try (MqttProbe back = MqttProbe.connectPersistent(broker.url(), subscriberId)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> back.received().contains("queued-while-offline"));
        }
    }

    @Test
    void keepsAnOfflineSessionsQueuedMessageAcrossACleanStop() throws MqttException {
        String subscriberId = "hub-" + UUID.randomUUID();
        MqttProbe offline = MqttProbe.connectPersistent(broker.url(), subscriberId);
        offline.subscribe(TOPIC);
        offline.close();
        int port = broker.port();

        try (MqttProbe publisher = MqttProbe.connect(broker.url(), "pub-" + UUID.randomUUID())) {
            publisher.publish(TOPIC, "saved-at-stop");
        }
        broker.restart();

        assertThat(broker.port()).isEqualTo(port);
        try (MqttProbe back = MqttProbe.connectPersistent(broker.url(), subscriberId)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> back.received().contains("saved-at-stop"));
        }
    }

    private boolean persisted(String payload) throws IOException {
        Path db = broker.dir().resolve("mosquitto.db");
        return Files.exists(db)
                && new String(Files.readAllBytes(db), StandardCharsets.ISO_8859_1).contains(payload);
    }
}
