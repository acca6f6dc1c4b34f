package no.knutepunkt.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import no.knutepunkt.embedded.LocalIssuer;
import no.knutepunkt.embedded.LoginRoles;

/**
 * The machine's own PostgreSQL and Mosquitto services (as Debian runs them: 127.0.0.1:5432 with
 * trust authentication for postgres, 127.0.0.1:1883), for running end-to-end tests against the
 * servers a deployment would use as well as against the embedded ones. Tests using this profile
 * are skipped where the services are absent ({@link #present()}).
 */
public final class LocalServices implements QuarkusTestProfile {

    static final String DB = System.getenv().getOrDefault("LOCAL_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String DB_USER = System.getenv().getOrDefault("LOCAL_DB_USER", "postgres");
    static final String MQTT_HOST = "127.0.0.1";
    static final int MQTT_PORT = 1883;

    /** For @EnabledIf: both services answer. */
    public static boolean present() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(MQTT_HOST, MQTT_PORT), 500);
        } catch (IOException e) {
            return false;
        }
        try (Connection c = DriverManager.getConnection(DB, DB_USER, "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }

    /** A fresh database on the local server, and a session of its own on the local broker. */
    public static final class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            String run = UUID.randomUUID().toString().substring(0, 8);
            String database = "knutepunkt_local_" + run;
            try (Connection admin = DriverManager.getConnection(DB, DB_USER, ""); Statement s = admin.createStatement()) {
                s.execute("CREATE DATABASE " + database);
                LoginRoles.ensure(admin, TestServers.HUB_ROLE);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create a database on the local PostgreSQL", e);
            }
            // The callers' tokens come from the test issuer (Tokens), as with HubTestResource.
            LocalIssuer issuer = HubTestResource.issuer();
            return Map.ofEntries(Map.entry("quarkus.datasource.jdbc.url", DB.replaceAll("/[^/?]*(\\?.*)?$", "/" + database)),
                    Map.entry("quarkus.datasource.username", TestServers.HUB_ROLE), Map.entry("quarkus.datasource.password", ""),
                    Map.entry("knutepunkt.db.owner-user", DB_USER), Map.entry("knutepunkt.db.owner-password", ""),
                    Map.entry("knutepunkt.mqtt.url", "tcp://" + MQTT_HOST + ":" + MQTT_PORT),
                    Map.entry("knutepunkt.mqtt.client-id", "knutepunkt-local-" + run),
                    Map.entry("knutepunkt.mqtt.share-group", "knutepunkt-local-" + run),
                    Map.entry("quarkus.oidc.helseid.auth-server-url", issuer.issuerUrl(LocalIssuer.Realm.HELSEID)),
                    Map.entry("quarkus.oidc.idporten.auth-server-url", issuer.issuerUrl(LocalIssuer.Realm.IDPORTEN)),
                    Map.entry("knutepunkt.local-issuer.web-client-secret", issuer.clientSecret(LocalIssuer.WEB_CLIENT_ID)));
        }

        @Override
        public void stop() {
            // The database is left for inspection; each run creates its own.
        }
    }
}
