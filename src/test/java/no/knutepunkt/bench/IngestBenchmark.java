package no.knutepunkt.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;

/**
 * The ingest benchmark (README, "Benchmark"): the packaged hub against a broker and PostgreSQL,
 * a stream of readings from many devices in all three formats, and — same run, same broker, same
 * database — a bare subscriber doing the least possible with the same messages. Prints sustained
 * readings/s, publish-to-commit latency at a fixed rate, and the ratio hub ÷ baseline.
 *
 * <p>Settings (system properties): bench.mqtt (broker URL; required until the harness starts its
 * own), bench.db (a PostgreSQL JDBC URL whose user may create databases), bench.db.user,
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
    private static final int STEP_SECONDS = Integer.getInteger("bench.step-seconds", 15);

    public static void main(String[] args) throws Exception {
        String mqtt = System.getProperty("bench.mqtt", "tcp://127.0.0.1:1883");
        String adminUrl = System.getProperty("bench.db", "jdbc:postgresql://127.0.0.1:5432/postgres");
        String user = System.getProperty("bench.db.user", "postgres");
        String run = Long.toString(System.currentTimeMillis(), 36);
        String database = "bench_" + run;
        try (Connection admin = DriverManager.getConnection(adminUrl, user, ""); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String dbUrl = adminUrl.replaceAll("/[^/?]*(\\?.*)?$", "/" + database);
        List<SimulatedDevice> fleet = fleet(DEVICES);
        System.out.printf("Benchmark: %d devices, %d publishing connections, broker %s, database %s%n", fleet.size(), PUBLISHERS, mqtt,
                database);

        Result hub;
        Process process = startHub(dbUrl, user, mqtt, run);
        try {
            provision(dbUrl, user, fleet);
            try (LoadGenerator load = new LoadGenerator(mqtt, PUBLISHERS, true, "bench-" + run)) {
                hub = measure("hub", load, fleet, () -> load.committedReadings());
                System.out.println("hub receipts: " + load.receiptStatuses());
            }
            try (Connection c = DriverManager.getConnection(dbUrl, user, "")) {
                System.out.printf("hub stored: %d readings (%d time-series rows)%n", count(c, "SELECT count(*) FROM reading WHERE state = 'stored'"),
                        count(c, "SELECT count(*) FROM measurement"));
            }
        } finally {
            process.destroy();
            process.waitFor();
        }

        if (Boolean.getBoolean("bench.hub-only")) {
            return;
        }
        Result baseline;
        try (LoadGenerator load = new LoadGenerator(mqtt, PUBLISHERS, false, "bench-" + run + "-b", true);
                BareSubscriber bare = new BareSubscriber(mqtt, dbUrl, user, "", CONSUMERS, RECEIVE_MAXIMUM, "baseline-" + run,
                        load::committed)) {
            baseline = measure("baseline", load, fleet, () -> load.committedReadings());
        }

        System.out.println();
        System.out.println(table(hub, baseline));
    }

    record Result(double readingsPerSecond, double p50, double p99, double achievedRate) {
    }

    /**
     * Steps the publish rate up until the receiver falls behind; the last rate it kept up with
     * (everything committed within a second of the step's end) is its sustained throughput. Then
     * measures latency at a fixed rate.
     */
    private static Result measure(String name, LoadGenerator load, List<SimulatedDevice> fleet, LongSupplier committed)
            throws InterruptedException {
        System.out.printf("%s: warming up%n", name);
        load.run(fleet, 3000, Duration.ofSeconds(10));
        drain(committed);

        double sustained = 0;
        for (int rate = FIRST_STEP; rate <= LAST_STEP; rate += STEP) {
            long before = committed.getAsLong();
            LoadGenerator.Run step = load.run(fleet, rate, Duration.ofSeconds(STEP_SECONDS));
            Thread.sleep(1000);
            long inStep = committed.getAsLong() - before;
            boolean keptUp = inStep >= step.readings() * 0.99;
            System.out.printf("%s: %6d readings/s asked, %6.0f published, %6.0f committed%s%n", name, rate, step.readingsPerSecond(),
                    inStep / step.seconds(), keptUp ? "" : "  <- fell behind");
            if (!keptUp || step.readingsPerSecond() < rate * 0.97) {
                break;
            }
            sustained = inStep / step.seconds();
        }
        drain(committed);

        System.out.printf("%s: %d s at %d readings/s%n", name, SECONDS, LATENCY_RATE);
        load.resetLatencies();
        LoadGenerator.Run paced = load.run(fleet, LATENCY_RATE, Duration.ofSeconds(SECONDS));
        drain(committed);
        Result r = new Result(sustained, load.latencyMillis(50), load.latencyMillis(99), paced.readingsPerSecond());
        System.out.printf("%s: p50 %.1f ms, p99 %.1f ms over %d messages%n", name, r.p50(), r.p99(), load.latencySamples());
        return r;
    }

    /** Waits until nothing more gets committed for two seconds. */
    private static void drain(LongSupplier committed) throws InterruptedException {
        long before;
        do {
            before = committed.getAsLong();
            Thread.sleep(2000);
        } while (committed.getAsLong() > before);
    }

    private static String table(Result hub, Result baseline) {
        String machine = machine();
        return String.format(Locale.ROOT, """
                | %s | hub | bare baseline | hub ÷ baseline |
                |---|---:|---:|---:|
                | sustained readings/s (highest paced rate kept up with) | %.0f | %.0f | %.2f |
                | p50 publish→commit at %d readings/s (ms) | %.1f | %.1f | |
                | p99 publish→commit at %d readings/s (ms) | %.1f | %.1f | |
                """, machine, hub.readingsPerSecond(), baseline.readingsPerSecond(), hub.readingsPerSecond() / baseline.readingsPerSecond(),
                LATENCY_RATE, hub.p50(), baseline.p50(), LATENCY_RATE, hub.p99(), baseline.p99());
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        } catch (IOException e) {
            // unknown CPU
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB heap";
    }

    /** A third each of canonical BP cuffs, acme-flat scales/oximeters, and medgw gateways with two devices behind. */
    static List<SimulatedDevice> fleet(int n) {
        List<SimulatedDevice> fleet = new ArrayList<>();
        for (int i = 0; i < n / 3; i++) {
            fleet.add(SimulatedDevice.of(SimulatedDevice.CANONICAL_VENDOR, String.format("NT-BP-%06d", i), "systolic", "diastolic", "pulse"));
            fleet.add(SimulatedDevice.of(SimulatedDevice.ACME_VENDOR, String.format("AC-%06d", i), "weight", "spo2"));
            fleet.add(new SimulatedDevice(SimulatedDevice.GATEWAY_VENDOR, String.format("GW-%06d", i), List.of(),
                    List.of(SimulatedDevice.of(SimulatedDevice.GATEWAY_VENDOR, String.format("OX-%06d", i), "spo2", "pulse"),
                            SimulatedDevice.of(SimulatedDevice.GATEWAY_VENDOR, String.format("TH-%06d", i), "temperature"))));
        }
        return fleet;
    }

    /** One patient per device (or gateway), each enrolled and assigned since a year ago. */
    static void provision(String url, String user, List<SimulatedDevice> fleet) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            c.setAutoCommit(false);
            UUID org = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO organisation (id, org_number, name, kind) VALUES (?, '999999999', 'Benchmark kommune', 'municipality')")) {
                ps.setObject(1, org);
                ps.executeUpdate();
            }
            for (String[] v : new String[][] { { SimulatedDevice.CANONICAL_VENDOR, "canonical" }, { SimulatedDevice.ACME_VENDOR, "acme-flat" },
                    { SimulatedDevice.GATEWAY_VENDOR, "medgw" } }) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO vendor (id, name, format) VALUES (?, ?, ?)")) {
                    ps.setString(1, v[0]);
                    ps.setString(2, v[0]);
                    ps.setString(3, v[1]);
                    ps.executeUpdate();
                }
            }
            Instant since = Instant.now().minus(Duration.ofDays(365));
            int n = 0;
            try (PreparedStatement patient = c.prepareStatement(
                    "INSERT INTO patient (id, identifier_system, identifier, given_name, family_name) VALUES (?, 'fnr', ?, 'Test', ?)");
                    PreparedStatement enrollment = c.prepareStatement(
                            "INSERT INTO enrollment (id, patient_id, programme, responsible_organisation_id, started_at) VALUES (?, ?, 'copd', ?, ?)");
                    PreparedStatement device = c.prepareStatement(
                            "INSERT INTO device (fhir_id, vendor_id, serial) VALUES (?, ?, ?) RETURNING id");
                    PreparedStatement assignment = c.prepareStatement(
                            "INSERT INTO device_assignment (id, enrollment_id, device_id, valid_from) VALUES (?, ?, ?, ?)")) {
                for (SimulatedDevice d : fleet) {
                    UUID p = UUID.randomUUID();
                    patient.setObject(1, p);
                    patient.setString(2, String.format("%011d", n++));
                    patient.setString(3, "Pasient " + n);
                    patient.executeUpdate();
                    UUID e = UUID.randomUUID();
                    enrollment.setObject(1, e);
                    enrollment.setObject(2, p);
                    enrollment.setObject(3, org);
                    enrollment.setObject(4, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
                    enrollment.executeUpdate();
                    for (SimulatedDevice measuring : d.isGateway() ? d.behindGateway() : List.of(d)) {
                        device.setObject(1, UUID.randomUUID());
                        device.setString(2, measuring.vendor());
                        device.setString(3, measuring.serial());
                        long id;
                        try (var rs = device.executeQuery()) {
                            rs.next();
                            id = rs.getLong(1);
                        }
                        assignment.setObject(1, UUID.randomUUID());
                        assignment.setObject(2, e);
                        assignment.setLong(3, id);
                        assignment.setObject(4, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
                        assignment.executeUpdate();
                    }
                }
            }
            c.commit();
        }
    }

    private static Process startHub(String dbUrl, String user, String mqtt, String run) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the hub first: ./mvnw package -DskipTests");
        }
        Path log = Files.createTempFile("bench-hub-", ".log");
        List<String> command = new ArrayList<>(List.of("java"));
        String jvmArgs = System.getProperty("bench.hub-jvm-args", "");
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("EMBEDDED", "false");
        env.put("DB_URL", dbUrl);
        env.put("DB_USER", user);
        env.put("MQTT_URL", mqtt);
        env.put("MQTT_CLIENT_ID", "bench-hub-" + run);
        env.put("MQTT_SHARE_GROUP", "bench-hub-" + run);
        env.put("MQTT_CONSUMERS", Integer.toString(CONSUMERS));
        env.put("MQTT_RECEIVE_MAXIMUM", Integer.toString(RECEIVE_MAXIMUM));
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("SYNTHETIC_IDENTITIES", "true");
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the hub exited; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    System.out.println("hub ready (log: " + log + ")");
                    return p;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        p.destroy();
        throw new IllegalStateException("the hub did not become ready; see " + log);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
