package no.knutepunkt.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.LoopbackDeployment;
import no.knutepunkt.testing.PublishLog;
import no.knutepunkt.testing.TotalQueueCheck;

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
        try (LoopbackDeployment deployment = new LoopbackDeployment(Path.of("target", "faults", "kill9-" + seed), "kill9", 1,
                Map.of("MQTT_CONSUMERS", "2"), List.of("-Xmx512m")).start()) {
            HubProcess hub = deployment.hubs().get(0);
            List<SimulatedDevice> fleet = deployment.registerFleet(300);

            AtomicInteger kills = new AtomicInteger();
            ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
            long at = 0;
            for (int k = 0; k < KILLS; k++) {
                at += (SECONDS * 1000L / (KILLS + 1)) / 2 + random.nextInt((int) (SECONDS * 1000L / (KILLS + 1)));
                long downFor = 500 + random.nextInt(2500);
                faults.schedule(() -> {
                    hub.kill();
                    kills.incrementAndGet();
                    TimeUnit.MILLISECONDS.sleep(downFor); // the hub stays down a while: the broker queues meanwhile
                    hub.start();
                    return null;
                }, at, TimeUnit.MILLISECONDS);
            }
            PublishLog published = new PublishLog();
            LoadGenerator.Run run;
            try (LoadGenerator load = new LoadGenerator(deployment.broker().url(), 2, false, "kill9-load")) {
                published.attach(load);
                run = load.run(fleet, RATE, Duration.ofSeconds(SECONDS));
            }
            faults.shutdown();
            assertThat(faults.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
            assertThat(kills.get()).isEqualTo(KILLS);
            assertThat(hub.isAlive()).isTrue();

            long acknowledged = published.acknowledgedReadings().size();
            System.out.printf("published %d messages (%d readings); broker acknowledged %d messages (%d readings)%n", run.messages(),
                    run.readings(), published.acknowledgedMessages(), acknowledged);
            assertThat(published.publishedReadings()).as("the publisher's count of readings agrees with its keys").hasSize((int) run.readings());

            try (Connection c = deployment.connect()) {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> count(c, "SELECT count(*) FROM reading") >= acknowledged);
                // The broker was never stopped: whatever it acknowledged is the hub's to keep.
                TotalQueueCheck.Verdict verdict = TotalQueueCheck.check(published, c, List.of());
                JsonNode total = hub.status().get("readings");
                System.out.printf("kills %d | lost %d | duplicated %d | unexpected %d | unacknowledged but stored %d | "
                        + "redeliveries absorbed %d | counts %s%n", kills.get(), verdict.lost(), verdict.duplicated(), verdict.unexpected(),
                        verdict.recovered(), total.get("duplicate").asLong(), total);

                assertThat(verdict.lost()).as("acknowledged readings not stored, e.g. %s", verdict.lostExamples()).isZero();
                assertThat(verdict.duplicated()).as("readings stored twice, e.g. %s", verdict.duplicatedExamples()).isZero();
                assertThat(verdict.unexpected()).as("readings stored that no one sent, e.g. %s", verdict.unexpectedExamples()).isZero();
                assertThat(verdict.storedWithoutValues()).as("stored readings without their time-series values").isZero();
                assertThat(total.get("balanced").asBoolean()).isTrue();
                assertThat(total.get("stored").asLong()).isEqualTo(verdict.stored());
                assertThat(total.get("deadLettered").asLong()).isZero();
                assertThat(total.get("parked").asLong()).isZero();
                JsonNode reconciled = hub.reconciliation();
                assertThat(reconciled.get("consistent").asBoolean()).as("counts against rows: %s", reconciled).isTrue();
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
