package no.knutepunkt.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;
import no.knutepunkt.testing.Fleet;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.MosquittoBroker;

/**
 * How fast the hub drains a backlog with no publisher competing for the CPU: the pipeline's own
 * ceiling on this machine (hub, PostgreSQL and broker), as opposed to the benchmark's figure with
 * the load generator on the same two cores. A diagnostic, not the benchmark.
 */
public final class DrainExperiment {

    public static void main(String[] args) throws Exception {
        int readings = Integer.getInteger("drain.readings", 150_000);
        String run = Long.toString(System.currentTimeMillis(), 36);
        Path dir = Files.createDirectories(Path.of("target", "drain", run));
        try (MosquittoBroker broker = new MosquittoBroker(dir.resolve("broker"));
                EmbeddedPostgres db = EmbeddedPostgres.builder(dir.resolve("postgres")).port(0).database("knutepunkt").superuser("knutepunkt")
                        .setting("shared_preload_libraries", "'pg_stat_statements'").setting("pg_stat_statements.track", "all").build()) {
            broker.start();
            db.start();
            List<String> jvmArgs = List.of(System.getProperty("drain.hub-jvm-args", "").trim().split("\\s+")).stream()
                    .filter(a -> !a.isBlank()).toList();
            HubProcess hub = new HubProcess(db.jdbcUrl(), db.user(), broker.url(), "drain-hub", Map.of(), jvmArgs);
            hub.start();
            List<SimulatedDevice> fleet = Fleet.of(3000);
            Fleet.register(db.jdbcUrl(), db.user(), "", fleet);
            hub.stop(); // its sessions stay with the broker, which queues for them
            try (LoadGenerator load = new LoadGenerator(broker.url(), 4, false, "drain-" + run)) {
                LoadGenerator.Run r = load.run(fleet, 0, Duration.ofSeconds(600), readings);
                System.out.printf("queued %d readings (%d messages) in %.1f s%n", r.readings(), r.messages(), r.seconds());
            }
            long t0 = System.nanoTime();
            hub.start();
            long ready = System.nanoTime();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "")) {
                long stored;
                long firstAt = 0;
                long firstCount = -1;
                do {
                    Thread.sleep(500);
                    stored = stored(c);
                    if (firstCount < 0 && stored > 0) {
                        firstAt = System.nanoTime();
                        firstCount = stored;
                    }
                } while (stored < readings * 0.995);
                double seconds = (System.nanoTime() - firstAt) / 1e9;
                System.out.printf("hub start %.1f s; drained %d readings at %.0f readings/s%n", (ready - t0) / 1e9, stored,
                        (stored - firstCount) / seconds);
                if (Boolean.getBoolean("drain.statements")) {
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                        try (ResultSet rs = s.executeQuery("SELECT round(total_exec_time::numeric, 0), calls, rows, "
                                + "round((total_exec_time / greatest(calls, 1))::numeric, 2), left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
                                + "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14")) {
                            while (rs.next()) {
                                System.out.printf("%8s ms %7d calls %9d rows %8s ms/call  %s%n", rs.getString(1), rs.getLong(2), rs.getLong(3),
                                        rs.getString(4), rs.getString(5));
                            }
                        }
                    }
                }
            } finally {
                hub.stop();
            }
        }
    }

    private static long stored(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT coalesce(sum(stored), 0) FROM (SELECT stored FROM reading_tally UNION ALL SELECT stored FROM reading_tally_delta) t")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
