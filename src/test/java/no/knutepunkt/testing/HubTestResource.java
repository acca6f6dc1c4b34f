package no.knutepunkt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real PostgreSQL and MQTT broker every {@code @QuarkusTest} talks to. With TEST_DB_URL /
 * TEST_MQTT_URL set, it uses those servers (a fresh database per run); otherwise it starts its own.
 * One set of servers serves the whole test run.
 */
public class HubTestResource implements QuarkusTestResourceLifecycleManager {

    private static Map<String, String> config;

    @Override
    public synchronized Map<String, String> start() {
        if (config == null) {
            config = startServers();
        }
        return config;
    }

    @Override
    public void stop() {
        // Shared by every test class of the run; the servers stop with the JVM.
    }

    private static Map<String, String> startServers() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> c = new HashMap<>();
        String dbUrl = System.getenv("TEST_DB_URL");
        String mqttUrl = System.getenv("TEST_MQTT_URL");
        if (dbUrl == null || mqttUrl == null) {
            throw new IllegalStateException("embedded servers not wired yet: set TEST_DB_URL and TEST_MQTT_URL");
        }
        String user = System.getenv().getOrDefault("TEST_DB_USER", "postgres");
        String database = "knutepunkt_test_" + run;
        try (Connection admin = DriverManager.getConnection(dbUrl, user, System.getenv("TEST_DB_PASSWORD"));
                Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + dbUrl, e);
        }
        c.put("quarkus.datasource.jdbc.url", dbUrl.replaceAll("/[^/?]*(\\?.*)?$", "/" + database + "$1"));
        c.put("quarkus.datasource.username", user);
        c.put("quarkus.datasource.password", System.getenv().getOrDefault("TEST_DB_PASSWORD", ""));
        c.put("knutepunkt.mqtt.url", mqttUrl);
        // Concurrent runs against one broker must not share sessions or split each other's messages.
        c.put("knutepunkt.mqtt.client-id", "knutepunkt-test-" + run);
        c.put("knutepunkt.mqtt.share-group", "knutepunkt-test-" + run);
        return c;
    }
}
