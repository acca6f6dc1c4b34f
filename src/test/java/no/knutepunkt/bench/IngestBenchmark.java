package no.knutepunkt.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;
import no.knutepunkt.testing.Fleet;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.Machine;
import no.knutepunkt.testing.MosquittoBroker;

/**
 * The ingest benchmark (README, "Benchmark"): the packaged hub against a broker and PostgreSQL,
 * a stream of readings from many devices in all three formats, and — same run, same broker, same
 * database — a bare subscriber doing the least possible with the same messages. Prints sustained
 * readings/s, publish-to-commit latency at a fixed rate, and the ratio hub ÷ baseline.
 *
 * <p>By default it starts its own Mosquitto (persistence on, raised queue limits) and embedded
 * PostgreSQL under target/benchmark/. Settings (system properties): bench.mqtt and bench.db to use
 * running servers instead (bench.db: a JDBC URL whose user may create databases), bench.db.user,
 * bench.seconds (each measured phase, default 30), bench.rate (readings/s of the latency phase,
 * default 5000), bench.devices (default 3000).
 */
public final class IngestBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    private static final int LATENCY_RATE = Integer.getInteger("bench.rate", 5000);
    private static final int DEVICES = Integer.getInteger("bench.devices", 3000);
    private static final int PUBLISHERS = Integer.getInteger("bench.publishers", 4);
    private static final int CONSUMERS = Integer.getInteger("bench.consumers", 4);
    private static final int RECEIVE_MAXIMUM = Integer.getInteger("bench.receive-maximum", 256);
    private static final int FIRST_STEP = Integer.getInteger("bench.first-step", 4000);
    private static final int STEP = Integer.getInteger("bench.step", 2000);
    private static final int LAST_STEP = Integer.getInteger("bench.last-step", 40000);
    private static final int STEP_SECONDS = Integer.getInteger("bench.step-seconds", 20);
    private static final int SETTLE_SECONDS = 5;
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warm-up-seconds", 30);
    private static final int WARM_UP_RATE = Integer.getInteger("bench.warm-up-rate", 3000);

    /** A setting, or null when not given (Maven passes an unset one as empty). */
    private static String setting(String name) {
        String value = System.getProperty(name, "");
        return value.isBlank() ? null : value.trim();
    }

    public static void main(String[] args) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        Path dir = Files.createDirectories(Path.of("target", "benchmark", run));
        String externalMqtt = setting("bench.mqtt");
        String externalDb = setting("bench.db");
        try (MosquittoBroker broker = externalMqtt == null ? new MosquittoBroker(dir.resolve("broker")) : null;
                EmbeddedPostgres postgres = externalDb == null
                        ? EmbeddedPostgres.builder(dir.resolve("postgres")).port(0).database("knutepunkt").superuser("knutepunkt").build()
                        : null) {
            String mqtt = externalMqtt;
            String dbUrl;
            String user;
            if (broker != null) {
                broker.start();
                mqtt = broker.url();
            }
            if (postgres != null) {
                postgres.start();
                dbUrl = postgres.jdbcUrl();
                user = postgres.user();
            } else {
                user = System.getProperty("bench.db.user", "postgres");
                String database = "bench_" + run;
                try (Connection admin = DriverManager.getConnection(externalDb, user, ""); Statement s = admin.createStatement()) {
                    s.execute("CREATE DATABASE " + database);
                }
                dbUrl = externalDb.replaceAll("/[^/?]*(\\?.*)?$", "/" + database);
            }
            benchmark(run, mqtt, dbUrl, user);
        }
    }

    private static void benchmark(String run, String mqtt, String dbUrl, String user) throws Exception {
        List<SimulatedDevice> fleet = Fleet.of(DEVICES);
        System.out.printf("Benchmark: %d devices, %d publishing connections, broker %s, database %s%n", fleet.size(), PUBLISHERS, mqtt, dbUrl);

        Result hub;
        List<String> jvmArgs = List.of(System.getProperty("bench.hub-jvm-args", "").trim().split("\\s+")).stream()
                .filter(a -> !a.isBlank()).toList();
        HubProcess process = new HubProcess(dbUrl, user, mqtt, "bench-hub-" + run,
                Map.of("MQTT_CONSUMERS", Integer.toString(CONSUMERS), "MQTT_RECEIVE_MAXIMUM", Integer.toString(RECEIVE_MAXIMUM)), jvmArgs);
        try {
            process.start();
            System.out.println("hub ready (log: " + process.log() + ")");
            Fleet.register(dbUrl, user, "", fleet);
            try (LoadGenerator load = new LoadGenerator(mqtt, PUBLISHERS, true, "bench-" + run);
                    Connection tally = DriverManager.getConnection(dbUrl, user, "")) {
                // Throughput from the hub's committed counts; receipts (which the hub sends all the
                // same) are read only while measuring latency, as their reading costs the generator.
                load.listenForReceipts(false);
                hub = measure("hub", load, fleet, () -> received(tally), () -> load.listenForReceipts(true));
                System.out.println("hub receipts while measuring latency: " + load.receiptStatuses());
            }
            try (Connection c = DriverManager.getConnection(dbUrl, user, "")) {
                System.out.printf("hub stored: %d readings (%d time-series rows)%n",
                        count(c, "SELECT count(*) FROM reading WHERE state = 'stored'"), count(c, "SELECT count(*) FROM measurement"));
            }
        } finally {
            process.stop();
        }
        // The hub's sessions outlive it (persistent, on the shared subscription): left alone, the
        // broker would queue every baseline message for them too, and the baseline would pay for it.
        endSessions(mqtt, "bench-hub-" + run, CONSUMERS);
        if (Boolean.getBoolean("bench.hub-only")) {
            return;
        }

        Result baseline;
        java.util.Map<String, Integer> readingsBySerial = new java.util.HashMap<>();
        fleet.forEach(d -> readingsBySerial.put(d.serial(), d.readingsPerMessage()));
        try (LoadGenerator load = new LoadGenerator(mqtt, PUBLISHERS, false, "bench-" + run + "-b", false)) {
            // knutepunkt/v1/{vendor}/{device}/measurements
            BareSubscriber bare = new BareSubscriber(mqtt, dbUrl, user, "", CONSUMERS, RECEIVE_MAXIMUM, "baseline-" + run, load::committed,
                    topic -> readingsBySerial.get(topic.split("/")[3]));
            try {
                baseline = measure("baseline", load, fleet, bare::committedReadings, () -> load.timeMessages(true));
            } finally {
                bare.close();
            }
        }

        System.out.println();
        System.out.println(table(hub, baseline));
    }

    record Result(double readingsPerSecond, double p50, double p99, double achievedRate) {
    }

    /** Something to do before the latency phase (start reading receipts). */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /**
     * Steps the publish rate up until the receiver falls behind; the last rate it kept up with
     * (its commit rate inside the step at least 97 % of the rate asked) is its sustained
     * throughput. Then measures latency at a fixed rate, once the backlog is gone.
     */
    private static Result measure(String name, LoadGenerator load, List<SimulatedDevice> fleet, LongSupplier committed,
            Step beforeLatency) throws Exception {
        System.out.printf("%s: warming up (%d s)%n", name, WARM_UP_SECONDS);
        // Long enough for the JIT compiler to finish: a cold JVM spends a core compiling for a while.
        load.run(fleet, WARM_UP_RATE, Duration.ofSeconds(WARM_UP_SECONDS));
        drain(committed, load);

        double sustained = 0;
        for (int rate = FIRST_STEP; rate <= LAST_STEP; rate += STEP) {
            // The commit rate inside the step, after its first seconds, against the rate asked.
            java.util.concurrent.atomic.AtomicLong[] window = { new java.util.concurrent.atomic.AtomicLong(),
                    new java.util.concurrent.atomic.AtomicLong() };
            java.util.concurrent.ScheduledExecutorService clock = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            clock.schedule(() -> window[0].set(committed.getAsLong()), SETTLE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            LoadGenerator.Run step = load.run(fleet, rate, Duration.ofSeconds(STEP_SECONDS));
            window[1].set(committed.getAsLong());
            clock.shutdownNow();
            double committedRate = (window[1].get() - window[0].get()) / (double) (STEP_SECONDS - SETTLE_SECONDS);
            boolean keptUp = committedRate >= rate * 0.97 && step.readingsPerSecond() >= rate * 0.97;
            System.out.printf("%s: %6d readings/s asked, %6.0f published, %6.0f committed%s%n", name, rate, step.readingsPerSecond(),
                    committedRate, keptUp ? "" : "  <- fell behind");
            if (!keptUp) {
                break;
            }
            sustained = committedRate;
            drain(committed, load);
        }
        drain(committed, load);

        System.out.printf("%s: %d s at %d readings/s%n", name, SECONDS, LATENCY_RATE);
        beforeLatency.run();
        load.resetLatencies();
        LoadGenerator.Run paced = load.run(fleet, LATENCY_RATE, Duration.ofSeconds(SECONDS));
        drain(committed, load);
        Result r = new Result(sustained, load.latencyMillis(50), load.latencyMillis(99), paced.readingsPerSecond());
        System.out.printf("%s: p50 %.1f ms, p99 %.1f ms over %d messages%n", name, r.p50(), r.p99(), load.latencySamples());
        return r;
    }

    private static void endSessions(String mqtt, String clientId, int consumers) throws Exception {
        for (int n = 0; n < consumers; n++) {
            org.eclipse.paho.mqttv5.client.MqttAsyncClient c = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(mqtt, clientId + "-" + n,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            org.eclipse.paho.mqttv5.client.MqttConnectionOptions o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
            o.setCleanStart(true);
            o.setSessionExpiryInterval(0L);
            c.connect(o).waitForCompletion(10_000);
            c.disconnect().waitForCompletion(10_000);
            c.close();
        }
    }

    /**
     * Waits until every reading the broker acknowledged is committed, so that a backlog left by a
     * step the receiver could not keep up with does not count against the next phase; gives up
     * after 30 s without progress.
     */
    private static void drain(LongSupplier committed, LoadGenerator load) throws InterruptedException {
        long last = committed.getAsLong();
        long progressAt = System.nanoTime();
        while (last < load.acknowledgedReadings() && System.nanoTime() - progressAt < Duration.ofSeconds(30).toNanos()) {
            Thread.sleep(500);
            long now = committed.getAsLong();
            if (now > last) {
                last = now;
                progressAt = System.nanoTime();
            }
        }
    }

    private static String table(Result hub, Result baseline) {
        String machine = Machine.describe();
        return String.format(Locale.ROOT, """
                | %s | hub | bare baseline | hub ÷ baseline |
                |---|---:|---:|---:|
                | sustained readings/s (highest paced rate kept up with) | %.0f | %.0f | %.2f |
                | p50 publish→commit at %d readings/s (ms) | %.1f | %.1f | |
                | p99 publish→commit at %d readings/s (ms) | %.1f | %.1f | |
                """, machine, hub.readingsPerSecond(), baseline.readingsPerSecond(), hub.readingsPerSecond() / baseline.readingsPerSecond(),
                LATENCY_RATE, hub.p50(), baseline.p50(), LATENCY_RATE, hub.p99(), baseline.p99());
    }

    /** Readings the hub has committed an outcome for, from its counts (cheap: no table scan). */
    private static long received(Connection c) {
        try {
            return count(c, "SELECT coalesce(sum(received), 0) FROM (SELECT received FROM reading_tally UNION ALL "
                    + "SELECT received FROM reading_tally_delta) t");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
