package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import no.knutepunkt.common.MosquittoPasswordHash;
import no.knutepunkt.testing.MqttSession;
import no.knutepunkt.testing.ProcessIssuer;

/**
 * The one-command run mode, for real: the packaged hub (target/quarkus-app, built by the package
 * phase before failsafe runs this) starts its own PostgreSQL and broker, logs in to the broker with
 * the account the broker made for it, lets only registered vendors in, stops all three cleanly on
 * SIGTERM, and finds its data (and its broker secret) again on the next start.
 */
class EmbeddedModeIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String VENDOR = "embedded-mode-it";
    private static final String VENDOR_SECRET = "it-" + UUID.randomUUID();

    private final Path dataDir = dataDir();
    private final int postgresPort = FreePort.pick();
    private final int brokerPort = FreePort.pick();
    private final int httpPort = FreePort.pick();
    private Process hub;

    /** Under target/, unless PostgreSQL (nobody, when we are root) cannot reach it there. */
    private static Path dataDir() {
        String name = "embedded-mode-it-" + UUID.randomUUID();
        Path inTarget = Path.of("target", name).toAbsolutePath();
        return EmbeddedPostgres.canUseDataDir(inTarget) ? inTarget
                : Path.of(System.getProperty("java.io.tmpdir"), "knutepunkt-" + name);
    }

    @AfterEach
    void killHub() throws InterruptedException {
        if (hub != null && hub.isAlive()) {
            hub.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // A server left by a failed run must not outlive the test.
        EmbeddedPostgres.builder(dataDir.resolve("postgres")).build().stop();
    }

    @Test
    void startsItsServersStopsThemOnSigtermAndKeepsTheData() throws Exception {
        assertThat(JAR).as("packaged hub; run through 'mvnw verify'").exists();

        startHub("first.log");
        String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/knutepunkt";
        execute(jdbcUrl, "CREATE TABLE embedded_mode_it (note text)", "INSERT INTO embedded_mode_it VALUES ('kept')");
        Path hubSecret = dataDir.resolve("broker/hub-secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hubSecret))).isEqualTo("rw-------");
        String secret = Files.readString(hubSecret);
        assertThat(Files.readString(dataDir.resolve("first.log"))).doesNotContain(secret.strip());
        brokerLetsInOnlyVendorsAndTheHubAnswersThem(jdbcUrl);

        hub.destroy();
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("hub exited after SIGTERM").isTrue();
        assertThat(hub.exitValue()).isEqualTo(128 + 15);
        assertThat(dataDir.resolve("postgres/postmaster.pid")).as("PostgreSQL stopped").doesNotExist();
        assertThat(accepts(brokerPort)).as("broker stopped").isFalse();
        assertThat(Files.readString(dataDir.resolve("postgres/postgres.log"))).contains("received fast shutdown request");

        startHub("second.log");
        assertThat(query(jdbcUrl, "SELECT note FROM embedded_mode_it")).isEqualTo("kept");
        assertThat(Files.readString(hubSecret)).as("the hub's broker secret is kept").isEqualTo(secret);
        receiptFor(VENDOR, "it-again-" + UUID.randomUUID());
        hub.destroy();
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Anonymous clients are refused (and counted in /status); a registered vendor with its credential
     * gets in, and the hub, logged in with the secret the broker made for it, answers its message.
     */
    private void brokerLetsInOnlyVendorsAndTheHubAnswersThem(String jdbcUrl) throws Exception {
        String broker = "tcp://127.0.0.1:" + brokerPort;
        assertThat(MqttSession.connectAnswer(broker, "it-" + UUID.randomUUID(), null, null)).as("anonymous").isEqualTo(0x87);
        // The operator API needs an operator's token; the test writes the credential as the API would.
        execute(jdbcUrl, "INSERT INTO vendor (id, name, format) VALUES ('" + VENDOR + "', 'Embedded mode IT', 'canonical')");
        try (Connection c = DriverManager.getConnection(jdbcUrl, "knutepunkt", "");
                PreparedStatement ps = c.prepareStatement("INSERT INTO vendor_mqtt_credential (vendor_id, secret_hash) VALUES (?, ?)")) {
            ps.setString(1, VENDOR);
            ps.setString(2, MosquittoPasswordHash.hash(VENDOR_SECRET));
            ps.executeUpdate();
        }
        assertThat(receiptFor(VENDOR, "it-" + UUID.randomUUID())).contains("\"status\":\"parked\"");
        assertThat(MqttSession.connectAnswer(broker, "it-" + UUID.randomUUID(), VENDOR, "wrong")).isEqualTo(0x86);

        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/status"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("the counts without a token").isEqualTo(401);
        ProcessIssuer.registerOperator(jdbcUrl, "knutepunkt");
        HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/status"))
                .header("Authorization", "Bearer " + ProcessIssuer.operatorToken()).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).as("the counts as the operator").isEqualTo(200);
        assertThat(status.body()).contains("\"connect-refused\":{").contains("\"" + VENDOR + "\":1").contains("\"unknown\":1");
    }

    /** Publishes a reading of an unregistered device as the vendor and waits for the hub's receipt. */
    private String receiptFor(String vendor, String messageId) throws Exception {
        try (MqttSession session = MqttSession.connect("tcp://127.0.0.1:" + brokerPort, "it-" + UUID.randomUUID(), vendor, VENDOR_SECRET)) {
            assertThat(session.subscribe("knutepunkt/v1/" + vendor + "/+/receipts")).isEqualTo(1);
            String payload = "{\"messageId\": \"" + messageId + "\", \"deviceId\": \"IT-DEV-1\", \"measuredAt\": \""
                    + OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1).withNano(0) + "\", \"readings\": [{\"kind\": \"pulse\", "
                    + "\"value\": 71, \"unit\": \"/min\"}]}";
            assertThat(session.publish("knutepunkt/v1/" + vendor + "/IT-DEV-1/measurements", payload)).isIn(0, 0x10);
            await("the hub's receipt").atMost(Duration.ofSeconds(30))
                    .until(() -> session.received().stream().anyMatch(m -> m.payload().contains(messageId)));
            return session.received().stream().filter(m -> m.payload().contains(messageId)).findFirst().orElseThrow().payload();
        }
    }

    private void startHub(String logName) throws IOException {
        Files.createDirectories(dataDir);
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve(logName).toFile());
        builder.environment().put("EMBEDDED", "true");
        builder.environment().put("EMBEDDED_DATA_DIR", dataDir.toString());
        builder.environment().put("EMBEDDED_POSTGRES_PORT", Integer.toString(postgresPort));
        builder.environment().put("EMBEDDED_BROKER_PORT", Integer.toString(brokerPort));
        builder.environment().put("HTTP_PORT", Integer.toString(httpPort));
        // The packaged hub's own profile (prod) never runs the local issuer: it trusts the test's, by configuration.
        // Its demo users are synthetic people (month + 80), which prod refuses unless told.
        builder.environment().putAll(ProcessIssuer.environment());
        builder.environment().put("SYNTHETIC_IDENTITIES", "true");
        hub = builder.start();
        await("hub ready on port " + httpPort + " (log: " + dataDir.resolve(logName) + ")")
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!hub.isAlive()) {
                        throw new AssertionError("hub exited with " + hub.exitValue() + ":\n"
                                + Files.readString(dataDir.resolve(logName)));
                    }
                    return ready();
                });
    }

    private boolean ready() {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void execute(String jdbcUrl, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "knutepunkt", ""); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static String query(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "knutepunkt", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
