package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.common.MosquittoPasswordHash;
import no.knutepunkt.testing.MosquittoBroker;
import no.knutepunkt.testing.MqttSession;

/**
 * The simulator behind a broker with per-vendor access control (a private Mosquitto with
 * deploy/mosquitto/acl): each vendor's messages and receipts go over a connection logged in as that
 * vendor, which is the only way the broker lets them through.
 */
class PerVendorLoginTest {

    private static final String HUB = "knutepunkt-hub";
    private static final List<String> VENDORS = List.of(SimulatedDevice.CANONICAL_VENDOR, SimulatedDevice.ACME_VENDOR,
            SimulatedDevice.GATEWAY_VENDOR);

    @TempDir
    Path tmp;

    private final Map<String, String> secrets = VENDORS.stream().collect(Collectors.toMap(v -> v, v -> "secret-" + UUID.randomUUID()));
    private final String hubSecret = "hub-" + UUID.randomUUID();
    private MosquittoBroker broker;
    private MqttSession hub;

    @BeforeEach
    void startMosquittoWithTheVendorsAndTheHub() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed (Debian package mosquitto)");
        StringBuilder passwd = new StringBuilder(HUB + ":" + MosquittoPasswordHash.hash(hubSecret) + "\n");
        secrets.forEach((v, s) -> passwd.append(v).append(':').append(MosquittoPasswordHash.hash(s)).append('\n'));
        Path file = Files.writeString(tmp.resolve("passwd"), passwd, StandardCharsets.UTF_8);
        broker = MosquittoBroker.withAccessControl(tmp.resolve("mosquitto"), file, Path.of("deploy", "mosquitto", "acl"));
        broker.start();
        hub = MqttSession.connect(broker.url(), "hub-" + UUID.randomUUID(), HUB, hubSecret);
        assertThat(hub.subscribe("knutepunkt/v1/+/+/measurements")).isEqualTo(1);
    }

    @AfterEach
    void stopMosquitto() {
        if (hub != null) {
            hub.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void eachVendorsMessagesAndReceiptsGoOverItsOwnLogin() throws Exception {
        BrokerLogins logins = new BrokerLogins(BrokerAccess.of(broker.url()), secrets);
        try (VendorLink link = new VendorLink(logins, "sim-" + UUID.randomUUID(), new ReceiptTally(), null)) {
            Map<String, CompletableFuture<JsonNode>> receipts = new java.util.TreeMap<>();
            for (String vendor : VENDORS) {
                receipts.put(vendor, link.publish(new OutgoingMessage(vendor, "DEV-1", "m-" + vendor, 1,
                        ("{\"from\": \"" + vendor + "\"}").getBytes(StandardCharsets.UTF_8), Instant.now())));
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> hub.received().size() == VENDORS.size());
            assertThat(hub.received()).extracting(MqttSession.Arrived::topic)
                    .containsExactlyInAnyOrderElementsOf(VENDORS.stream().map(v -> "knutepunkt/v1/" + v + "/DEV-1/measurements").toList());

            for (String vendor : VENDORS) {
                assertThat(hub.publish("knutepunkt/v1/" + vendor + "/DEV-1/receipts",
                        "{\"messageId\": \"m-" + vendor + "\", \"status\": \"accepted\", \"results\": []}")).isZero();
            }
            for (String vendor : VENDORS) {
                assertThat(receipts.get(vendor).get(10, TimeUnit.SECONDS).path("messageId").asText()).isEqualTo("m-" + vendor);
            }
        }
    }

    @Test
    void withoutItsOwnLoginTheBrokerDoesNotTakeTheSimulator() {
        assertThatThrownBy(() -> new VendorLink(BrokerAccess.of(broker.url()), "sim-" + UUID.randomUUID(), new ReceiptTally(), null))
                .isInstanceOf(MqttException.class);
        Map<String, String> wrong = Map.of(SimulatedDevice.CANONICAL_VENDOR, "not-the-secret");
        assertThatThrownBy(() -> new VendorLink(new BrokerLogins(BrokerAccess.of(broker.url()), wrong), "sim-" + UUID.randomUUID(),
                new ReceiptTally(), null)).isInstanceOf(MqttException.class);
    }

    @Test
    void theLoadGeneratorPublishesEachVendorsDevicesOverItsOwnLogin() throws Exception {
        BrokerLogins logins = new BrokerLogins(BrokerAccess.of(broker.url()), secrets);
        List<SimulatedDevice> fleet = LoadFleet.of(6, 1);
        LoadGenerator.Run run;
        try (LoadGenerator load = new LoadGenerator(logins, 1, false, "load-" + UUID.randomUUID().toString().substring(0, 8), false)) {
            assertThat(load.connections()).hasSize(VENDORS.size());
            run = load.run(fleet, 0, Duration.ofSeconds(5), 30);
            await().atMost(Duration.ofSeconds(10)).until(() -> load.acknowledged() == run.messages());
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> hub.received().size() == run.messages());
        Set<String> vendorsSeen = hub.received().stream().map(m -> m.topic().split("/")[2]).collect(Collectors.toSet());
        assertThat(vendorsSeen).containsExactlyInAnyOrderElementsOf(VENDORS);
    }

    @Test
    void theLoadGeneratorRefusesADeviceWhoseVendorHasNoLogin() throws Exception {
        BrokerLogins onlyNordic = new BrokerLogins(BrokerAccess.of(broker.url()),
                Map.of(SimulatedDevice.CANONICAL_VENDOR, secrets.get(SimulatedDevice.CANONICAL_VENDOR)));
        try (LoadGenerator load = new LoadGenerator(onlyNordic, 1, false, "load-" + UUID.randomUUID().toString().substring(0, 8), false)) {
            assertThatThrownBy(() -> load.run(LoadFleet.of(3, 1), 0, Duration.ofSeconds(1), 3)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no broker login for vendor");
        }
    }
}
