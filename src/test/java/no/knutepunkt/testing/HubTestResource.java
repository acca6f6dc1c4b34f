package no.knutepunkt.testing;

import java.util.Map;
import java.util.Optional;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import no.knutepunkt.embedded.EmbeddedBroker;
import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.embedded.LocalIssuer;

/**
 * The real PostgreSQL and MQTT broker every {@code @QuarkusTest} talks to. With TEST_DB_URL /
 * TEST_MQTT_URL set, it uses those servers (a fresh database per run); otherwise it starts its own:
 * an embedded PostgreSQL and a private Mosquitto (TEST_BROKER=hivemq: the embedded HiveMQ). One set
 * of servers serves the whole test JVM; see {@link TestServers}.
 * <p>
 * End-to-end tests reach the servers through the static accessors, e.g. to kill the broker.
 */
public class HubTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestServers servers = TestServers.get();
        return Map.ofEntries(
                Map.entry("quarkus.datasource.jdbc.url", servers.jdbcUrl),
                Map.entry("quarkus.datasource.username", servers.dbUser),
                Map.entry("quarkus.datasource.password", servers.dbPassword),
                Map.entry("knutepunkt.db.owner-user", servers.ownerUser),
                Map.entry("knutepunkt.db.owner-password", servers.ownerPassword),
                Map.entry("knutepunkt.mqtt.url", servers.mqttUrl),
                // Concurrent runs against one broker must not share sessions or split each other's messages.
                Map.entry("knutepunkt.mqtt.client-id", "knutepunkt-test-" + servers.run),
                Map.entry("knutepunkt.mqtt.share-group", "knutepunkt-test-" + servers.run),
                // The hub trusts the test issuer as it would HelseID and ID-porten: by configuration only.
                Map.entry("quarkus.oidc.helseid.auth-server-url", servers.issuer.issuerUrl(LocalIssuer.Realm.HELSEID)),
                Map.entry("quarkus.oidc.idporten.auth-server-url", servers.issuer.issuerUrl(LocalIssuer.Realm.IDPORTEN)),
                Map.entry("knutepunkt.local-issuer.web-client-secret", servers.issuer.clientSecret(LocalIssuer.WEB_CLIENT_ID)));
    }

    @Override
    public void stop() {
        // Shared by every test class of the run; the servers stop with the JVM.
    }

    /** The hub's database, as the hub's datasource sees it. */
    public static String jdbcUrl() {
        return TestServers.get().jdbcUrl;
    }

    public static String dbUser() {
        return TestServers.get().dbUser;
    }

    public static String dbPassword() {
        return TestServers.get().dbPassword;
    }

    /** The schema's owner (migrations); a superuser on the embedded server, for what the hub's own role may not do. */
    public static String dbOwner() {
        return TestServers.get().ownerUser;
    }

    public static String dbOwnerPassword() {
        return TestServers.get().ownerPassword;
    }

    public static String mqttUrl() {
        return TestServers.get().mqttUrl;
    }

    /** The private Mosquitto, to stop, kill or restart; empty with TEST_MQTT_URL or TEST_BROKER=hivemq. */
    public static Optional<MosquittoBroker> mosquitto() {
        return Optional.ofNullable(TestServers.get().mosquitto);
    }

    /** The in-process HiveMQ; present only with TEST_BROKER=hivemq and no TEST_MQTT_URL. */
    public static Optional<EmbeddedBroker> embeddedBroker() {
        return Optional.ofNullable(TestServers.get().embeddedBroker);
    }

    /** The OIDC issuer the test hub trusts. */
    public static LocalIssuer issuer() {
        return TestServers.get().issuer;
    }

    /** The embedded PostgreSQL, to crash or restart; empty with TEST_DB_URL. */
    public static Optional<EmbeddedPostgres> postgres() {
        return Optional.ofNullable(TestServers.get().postgres);
    }
}
