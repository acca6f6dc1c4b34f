package no.knutepunkt.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.LoopbackDeployment;
import no.knutepunkt.testing.Machine;
import no.knutepunkt.testing.PublishLog;
import no.knutepunkt.testing.TotalQueueCheck;

/**
 * Horizontal scale on one machine (README, "Horizontal scale"): one hub instance, then two, on one
 * Mosquitto and one PostgreSQL, each configuration on fresh servers. Readings are offered faster
 * than the hubs take them, so the broker always has work queued for every instance; each
 * instance's rate is the growth of its own committed-readings counter (its Prometheus metrics) over
 * the measured window. Afterwards, with the backlog drained, it checks that no reading was
 * processed twice: the instances' own counters add up to the total the database counted, which
 * equals what was published, with no duplicate outcome and nothing lost, duplicated or unexpected.
 *
 * <p>Options: --instances 1,2 (configurations), --rate R (readings/s offered, default 8000),
 * --warm-up S (seconds before measuring, default 30), --seconds S (measured, default 60),
 * --devices N (default 3000), --dir PATH (default target/scale/RUN).
 */
public final class HorizontalScale {

    private static final Map<String, String> HUB_ENV = Map.of();
    private static final List<String> HUB_JVM_ARGS = List.of("-Xmx1g");

    /** One instance's share of one configuration's run. */
    record InstanceRate(String instance, double readingsPerSecond, long ownReadings) {
    }

    /** One configuration: its instances, what the publisher sent, what the database counted, and the checks. */
    record Configuration(int instances, List<InstanceRate> rates, double publishedPerSecond, long published, long received,
            long duplicate, TotalQueueCheck.Verdict verdict) {

        double total() {
            return rates.stream().mapToDouble(InstanceRate::readingsPerSecond).sum();
        }

        long ownTotal() {
            return rates.stream().mapToLong(InstanceRate::ownReadings).sum();
        }

        /** Every reading processed exactly once: the instances' counts add up to what was published, no duplicate, nothing lost. */
        boolean processedOnce() {
            return ownTotal() == received && received == published && duplicate == 0 && verdict.clean() && verdict.recovered() == 0
                    && verdict.stored() == published;
        }
    }

    private HorizontalScale() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> instances = List.of(1, 2);
        int rate = 8000;
        int warmUp = 30;
        int seconds = 60;
        int devices = 3000;
        Path dir = Path.of("target", "scale", Long.toString(System.currentTimeMillis(), 36));
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in pairs: --name value");
        }
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--instances" -> instances = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--rate" -> rate = Integer.parseInt(value);
                case "--warm-up" -> warmUp = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--devices" -> devices = Integer.parseInt(value);
                case "--dir" -> dir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the class comment or the README");
            }
        }
        List<Configuration> results = new ArrayList<>();
        for (int n : instances) {
            results.add(measure(dir.resolve(n + "-hubs"), n, rate, warmUp, seconds, devices));
        }
        System.out.println();
        System.out.println(table(results, rate, seconds));
        System.exit(results.stream().allMatch(Configuration::processedOnce) ? 0 : 1);
    }

    private static Configuration measure(Path dir, int instances, int rate, int warmUp, int seconds, int devices) throws Exception {
        System.out.printf("%n%d hub instance(s): starting Mosquitto, PostgreSQL and the hubs in %s%n", instances, dir);
        try (LoopbackDeployment deployment = new LoopbackDeployment(dir, "scale" + instances, instances, HUB_ENV, HUB_JVM_ARGS).start()) {
            List<SimulatedDevice> fleet = deployment.registerFleet(devices);
            PublishLog log = new PublishLog();
            List<HubProcess> hubs = deployment.hubs();
            long[] before = new long[instances];
            long[] after = new long[instances];
            LoadGenerator.Run[] run = new LoadGenerator.Run[1];
            try (LoadGenerator load = new LoadGenerator(deployment.broker().url(), 4, false, "scale" + instances, false)) {
                log.attach(load);
                Thread publishing = new Thread(() -> {
                    try {
                        run[0] = load.run(fleet, rate, Duration.ofSeconds(warmUp + seconds));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "scale-load");
                publishing.start();
                System.out.printf("offering %d readings/s: %d s warm-up, then %d s measured%n", rate, warmUp, seconds);
                Thread.sleep(warmUp * 1000L);
                long from = System.nanoTime();
                for (int i = 0; i < instances; i++) {
                    before[i] = received(hubs.get(i));
                }
                Thread.sleep(seconds * 1000L);
                long to = System.nanoTime();
                for (int i = 0; i < instances; i++) {
                    after[i] = received(hubs.get(i));
                }
                double window = (to - from) / 1e9;
                publishing.join();
                if (load.awaitAcknowledgements(Duration.ofMinutes(1)) > 0) {
                    throw new IllegalStateException("the broker did not acknowledge every message");
                }
                System.out.printf("published %,d readings (%,.0f/s); waiting for the backlog to drain%n", run[0].readings(),
                        run[0].readingsPerSecond());
                long published = run[0].readings();
                JsonNode total = awaitReceived(deployment.anyRunningHub(), published);
                List<InstanceRate> rates = new ArrayList<>();
                for (int i = 0; i < instances; i++) {
                    rates.add(new InstanceRate("hub-" + (i + 1), (after[i] - before[i]) / window, received(hubs.get(i))));
                }
                TotalQueueCheck.Verdict verdict;
                try (Connection c = deployment.connect()) {
                    verdict = TotalQueueCheck.check(log, c, List.of());
                }
                Configuration result = new Configuration(instances, rates, run[0].readingsPerSecond(), published,
                        total.get("received").asLong(), total.get("duplicate").asLong(), verdict);
                System.out.printf("%d instance(s): %s; total %,.0f readings/s; own counters %,d, database %,d, published %,d, duplicates %d, "
                        + "lost %d, duplicated %d, unexpected %d%n", instances, rates, result.total(), result.ownTotal(), result.received(),
                        published, result.duplicate(), verdict.lost(), verdict.duplicated(), verdict.unexpected());
                return result;
            }
        }
    }

    /** Readings this instance committed (any outcome), by its own counter. */
    private static long received(HubProcess hub) throws Exception {
        return hub.ownReadings().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits until the database has counted every published reading, or its count has not moved for 30 s. */
    private static JsonNode awaitReceived(HubProcess hub, long published) throws Exception {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            JsonNode total = hub.status().get("readings");
            long received = total.get("received").asLong();
            if (received != last) {
                last = received;
                lastChange = System.nanoTime();
            }
            if (received >= published || System.nanoTime() - lastChange > Duration.ofSeconds(30).toNanos()) {
                return total;
            }
            Thread.sleep(1000);
        }
    }

    private static String table(List<Configuration> results, int rate, int seconds) {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "%s; hubs, Mosquitto, PostgreSQL and the publisher share it. %,d readings/s offered, measured over %d s.%n%n",
                Machine.describe(), rate, seconds));
        t.append("| hub instances | instance | readings/s | readings it processed (own counter) | share |\n");
        t.append("|---:|---|---:|---:|---:|\n");
        for (Configuration c : results) {
            for (InstanceRate r : c.rates()) {
                t.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %,d | %.1f %% |%n", c.instances(), r.instance(), r.readingsPerSecond(),
                        r.ownReadings(), 100.0 * r.ownReadings() / Math.max(1, c.ownTotal())));
            }
            if (c.instances() > 1) {
                t.append(String.format(Locale.ROOT, "| %d | **total** | **%,.0f** | %,d | |%n", c.instances(), c.total(), c.ownTotal()));
            }
        }
        t.append('\n');
        for (Configuration c : results) {
            t.append(String.format(Locale.ROOT, "- %d instance(s): published %,d readings; the instances' own counters add up to %,d, "
                    + "the database counted %,d received, %d duplicate; lost %d, duplicated %d, unexpected %d: %s%n", c.instances(), c.published(),
                    c.ownTotal(), c.received(), c.duplicate(), c.verdict().lost(), c.verdict().duplicated(), c.verdict().unexpected(),
                    c.processedOnce() ? "every reading processed exactly once" : "NOT processed exactly once"));
        }
        return t.toString();
    }
}
