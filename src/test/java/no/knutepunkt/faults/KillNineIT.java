package no.knutepunkt.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;
import no.knutepunkt.testing.Fleet;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.MosquittoBroker;

/**
 * The hub process is killed with kill -9 at random moments while readings stream in, and
 * restarted. Afterwards every reading of every message the broker acknowledged to the publisher
 * must be stored exactly once, nothing else may be stored, and the counts must balance. The
 * seed (-Dfaults.seed) makes a run repeatable.
 */
class KillNineIT {

    private static final int RATE = Integer.getInteger("faults.rate", 1500);
    private static final int SECONDS = Integer.getInteger("faults.seconds", 40);
    private static final int KILLS = Integer.getInteger("faults.kills", 3);

    @Test
    void everyAcknowledgedReadingIsStoredExactlyOnceAcrossKills() throws Exception {
        long seed = Long.getLong("faults.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        System.out.printf("kill -9 test: seed %d, %d readings/s for %d s, %d kills%n", seed, RATE, SECONDS, KILLS);
        // Under target/: PostgreSQL runs as nobody when the build runs as root, and must reach its data dir.
        Path dir = Files.createDirectories(Path.of("target", "faults", "kill9-" + seed));
        try (MosquittoBroker broker = new MosquittoBroker(dir.resolve("broker"));
                EmbeddedPostgres db = EmbeddedPostgres.builder(dir.resolve("postgres")).port(0).database("knutepunkt").superuser("knutepunkt")
                        .build()) {
            broker.start();
            db.start();
            HubProcess hub = new HubProcess(db.jdbcUrl(), db.user(), broker.url(), "kill9-hub", Map.of("MQTT_CONSUMERS", "2"),
                    List.of("-Xmx512m"));
            try {
                hub.start();
                List<SimulatedDevice> fleet = Fleet.of(300);
                Fleet.register(db.jdbcUrl(), db.user(), "", fleet);

                Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
                AtomicInteger kills = new AtomicInteger();
                ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
                long at = 0;
                for (int k = 0; k < KILLS; k++) {
                    at += (SECONDS * 1000L / (KILLS + 1)) / 2 + random.nextInt((int) (SECONDS * 1000L / (KILLS + 1)));
                    long downFor = 500 + random.nextInt(2500);
                    faults.schedule(() -> {
                        try {
                            hub.kill();
                            kills.incrementAndGet();
                            TimeUnit.MILLISECONDS.sleep(downFor); // the hub stays down a while: the broker queues meanwhile
                            hub.start();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return null;
                    }, at, TimeUnit.MILLISECONDS);
                }
                LoadGenerator.Run run;
                try (LoadGenerator load = new LoadGenerator(broker.url(), 2, false, "kill9-load")) {
                    load.onAcknowledged(acknowledged::put);
                    run = load.run(fleet, RATE, Duration.ofSeconds(SECONDS));
                }
                faults.shutdown();
                assertThat(faults.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
                assertThat(kills.get()).isEqualTo(KILLS);
                assertThat(hub.isAlive()).isTrue();

                Set<String> expected = new HashSet<>();
                acknowledged.values().forEach(expected::addAll);
                System.out.printf("published %d messages (%d readings); broker acknowledged %d messages (%d readings)%n", run.messages(),
                        run.readings(), acknowledged.size(), expected.size());

                try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "")) {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> count(c, "SELECT count(*) FROM reading") >= expected.size());
                    Set<String> stored = new HashSet<>();
                    long rows = 0;
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT identifier, state FROM reading")) {
                        while (rs.next()) {
                            rows++;
                            stored.add(rs.getString(1));
                            assertThat(rs.getString(2)).isEqualTo("stored");
                        }
                    }
                    Set<String> lost = new HashSet<>(expected);
                    lost.removeAll(stored);
                    Set<String> unexpected = new HashSet<>(stored);
                    unexpected.removeAll(expected);
                    JsonNode status = new ObjectMapper().readTree(HttpClient.newHttpClient()
                            .send(HttpRequest.newBuilder(URI.create(hub.url() + "/status")).build(), HttpResponse.BodyHandlers.ofString()).body());
                    JsonNode total = status.get("readings");
                    System.out.printf("kills %d | lost %d | duplicated %d | unexpected %d | redeliveries absorbed %d | counts %s%n", kills.get(),
                            lost.size(), rows - stored.size(), unexpected.size(), total.get("duplicate").asLong(), total);

                    assertThat(lost).as("acknowledged readings not stored").isEmpty();
                    assertThat(rows).as("readings stored twice").isEqualTo(stored.size());
                    // The publisher's last messages may be stored before their acknowledgement reached it; nothing else.
                    assertThat(unexpected.size()).as("readings stored that no one sent").isLessThanOrEqualTo(
                            (int) (run.readings() - expected.size()));
                    assertThat(run.readings()).as("the publisher's count of readings agrees with its keys").isEqualTo(expected.size());
                    assertThat(total.get("balanced").asBoolean()).isTrue();
                    assertThat(total.get("stored").asLong()).isEqualTo(rows);
                    assertThat(total.get("deadLettered").asLong()).isZero();
                    assertThat(total.get("parked").asLong()).isZero();
                    assertThat(count(c, "SELECT count(*) FROM measurement")).isGreaterThanOrEqualTo(rows);
                    JsonNode reconciled = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                            HttpRequest.newBuilder(URI.create(hub.url() + "/status/reconciliation")).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    assertThat(reconciled.get("consistent").asBoolean()).as("counts against rows: %s", reconciled).isTrue();
                }
            } finally {
                hub.stop();
            }
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
