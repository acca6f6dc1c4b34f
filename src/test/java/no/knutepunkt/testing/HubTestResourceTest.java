package no.knutepunkt.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The hub and the test code see the same servers, and the accessors reach them. */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class HubTestResourceTest {

    @Test
    void theHubAndTheTestUseTheSameDatabase() throws Exception {
        Config config = ConfigProvider.getConfig();
        assertThat(config.getValue("quarkus.datasource.jdbc.url", String.class)).isEqualTo(HubTestResource.jdbcUrl());
        // As the schema's owner: the hub's own role may not read Flyway's history (V4 revokes it).
        try (Connection c = DriverManager.getConnection(HubTestResource.jdbcUrl(), HubTestResource.dbOwner(),
                HubTestResource.dbOwnerPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rs.next();
            assertThat(rs.getInt(1)).as("migrations the hub applied at start").isPositive();
        }
        if (System.getenv("TEST_DB_URL") == null) {
            assertThat(HubTestResource.postgres()).hasValueSatisfying(pg -> assertThat(pg.isRunning()).isTrue());
        }
    }

    @Test
    void theHubAndTheTestUseTheSameBroker() throws Exception {
        assertThat(ConfigProvider.getConfig().getValue("knutepunkt.mqtt.url", String.class))
                .isEqualTo(HubTestResource.mqttUrl());
        if (System.getenv("TEST_MQTT_URL") == null) {
            String url = HubTestResource.mosquitto().map(MosquittoBroker::url)
                    .or(() -> HubTestResource.embeddedBroker().map(b -> b.url()))
                    .orElseThrow();
            assertThat(url).isEqualTo(HubTestResource.mqttUrl());
        }
        try (MqttProbe probe = MqttProbe.connect(HubTestResource.mqttUrl(), "probe-" + UUID.randomUUID())) {
            probe.subscribe("knutepunkt-test/echo");
            probe.publish("knutepunkt-test/echo", "ping");
            await().atMost(Duration.ofSeconds(10)).until(() -> probe.received().contains("ping"));
        }
    }
}
