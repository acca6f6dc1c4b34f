package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.knutepunkt.testing.MqttProbe;

class EmbeddedBrokerTest {

    @TempDir
    Path tmp;

    private EmbeddedBroker broker;

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void deliversAQos1MessageAndStops() throws MqttException {
        broker = new EmbeddedBroker(tmp.resolve("broker"), 0);
        broker.start();
        assertThat(broker.isRunning()).isTrue();

        try (MqttProbe subscriber = MqttProbe.connect(broker.url(), "sub-" + UUID.randomUUID());
                MqttProbe publisher = MqttProbe.connect(broker.url(), "pub-" + UUID.randomUUID())) {
            subscriber.subscribe("knutepunkt/v1/+/+/measurements");
            publisher.publish("knutepunkt/v1/acme/device-1/measurements", "{\"weight\":81.2}");

            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.received().contains("{\"weight\":81.2}"));
        }

        broker.stop();
        assertThat(broker.isRunning()).isFalse();
        assertThat(accepts(broker.port())).as("port closed after stop").isFalse();
        assertThat(tmp.resolve("broker/conf/config.xml")).content().contains("<mode>file</mode>");
    }

    @Test
    void keepsAnOfflineSessionsQueuedMessageAcrossARestart() throws MqttException {
        broker = new EmbeddedBroker(tmp.resolve("broker"), 0);
        broker.start();
        String subscriberId = "hub-" + UUID.randomUUID();
        MqttProbe offline = MqttProbe.connectPersistent(broker.url(), subscriberId);
        offline.subscribe("knutepunkt/v1/+/+/measurements");
        offline.close();
        try (MqttProbe publisher = MqttProbe.connect(broker.url(), "pub-" + UUID.randomUUID())) {
            publisher.publish("knutepunkt/v1/acme/device-1/measurements", "queued");
        }

        broker.stop();
        broker = new EmbeddedBroker(tmp.resolve("broker"), broker.port());
        broker.start();

        try (MqttProbe back = MqttProbe.connectPersistent(broker.url(), subscriberId)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> back.received().contains("queued"));
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
