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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import no.knutepunkt.testing.MqttProbe;

/**
 * The one-command run mode, for real: the packaged hub (target/quarkus-app, built by the package
 * phase before failsafe runs this) starts its own PostgreSQL and broker, stops all three cleanly
 * on SIGTERM, and finds its data again on the next start.
 */
class EmbeddedModeIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
        try (MqttProbe probe = MqttProbe.connect("tcp://127.0.0.1:" + brokerPort, "it-" + UUID.randomUUID())) {
            probe.subscribe("embedded-mode-it/echo");
            probe.publish("embedded-mode-it/echo", "ping");
            await().atMost(Duration.ofSeconds(10)).until(() -> probe.received().contains("ping"));
        }

        hub.destroy();
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("hub exited after SIGTERM").isTrue();
        assertThat(hub.exitValue()).isEqualTo(128 + 15);
        assertThat(dataDir.resolve("postgres/postmaster.pid")).as("PostgreSQL stopped").doesNotExist();
        assertThat(accepts(brokerPort)).as("broker stopped").isFalse();
        assertThat(Files.readString(dataDir.resolve("postgres/postgres.log"))).contains("received fast shutdown request");

        startHub("second.log");
        assertThat(query(jdbcUrl, "SELECT note FROM embedded_mode_it")).isEqualTo("kept");
        hub.destroy();
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).isTrue();
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
