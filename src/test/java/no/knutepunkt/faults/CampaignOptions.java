package no.knutepunkt.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** The fault campaign's settings, from its command line (README, "Fault campaign"). */
record CampaignOptions(long seed, Duration load, int rate, int devices, int hubs, int publishers, int faults, Range gap, Range down,
        List<Fault> kinds, Path dir) {

    static final String USAGE = """
            Usage: deploy/fault-campaign [options]

            Runs two hub instances, Mosquitto and PostgreSQL as processes on loopback, publishes readings
            from many devices in all three formats, and meanwhile kills and restarts those processes at
            random; then reconciles every reading the broker acknowledged against the database.

              --seed N           seed of the fault schedule (default: the current time; printed, to repeat a run)
              --minutes M        how long to publish (default 5); or --seconds S
              --rate R           readings per second offered (default 3000)
              --devices N        simulated devices, a third per format (default 3000)
              --hubs N           hub instances sharing the subscription (default 2)
              --publishers N     publishing MQTT connections (default 2)
              --faults N         inject exactly N faults, publishing for as long as they take (default 0:
                                 as many as fit in the publishing time)
              --gap MIN-MAX      seconds between one fault's recovery and the next fault (default 5-20)
              --down MIN-MAX     seconds a process stays down (default 1-5)
              --kinds LIST       comma-separated, from hub-kill, broker-restart, broker-crash, db-restart,
                                 db-crash (default: all); they come in shuffled rounds, each kind once a round
              --dir PATH         where the processes keep their data and logs; must not exist yet
                                 (default target/faults/campaign-SEED-TIME)
              --help             this text

            Exit status: 0 when the hub lost, duplicated and invented nothing and its counts balance; 1 otherwise.
            """;

    /** Seconds from MIN to MAX, drawn uniformly in milliseconds. */
    record Range(Duration min, Duration max) {
        Duration draw(Random random) {
            return min.plusMillis(random.nextLong(max.toMillis() - min.toMillis() + 1));
        }

        static Range parse(String text) {
            String[] parts = text.split("-");
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected MIN-MAX seconds, got '" + text + "'");
            }
            Range r = new Range(seconds(parts[0]), seconds(parts[1]));
            if (r.min.isNegative() || r.max.compareTo(r.min) < 0) {
                throw new IllegalArgumentException("expected 0 <= MIN <= MAX, got '" + text + "'");
            }
            return r;
        }

        private static Duration seconds(String s) {
            return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
        }

        @Override
        public String toString() {
            return min.toMillis() / 1000.0 + "-" + max.toMillis() / 1000.0 + " s";
        }
    }

    /** @throws IllegalArgumentException with what is wrong, for the usage message */
    static CampaignOptions parse(String... args) {
        long seed = System.currentTimeMillis();
        Duration load = Duration.ofMinutes(5);
        int rate = 3000;
        int devices = 3000;
        int hubs = 2;
        int publishers = 2;
        int faults = 0;
        Range gap = Range.parse("5-20");
        Range down = Range.parse("1-5");
        List<Fault> kinds = List.of(Fault.values());
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unknown argument " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--seed" -> seed = Long.parseLong(value);
                case "--minutes" -> load = Duration.ofMillis(Math.round(Double.parseDouble(value) * 60_000));
                case "--seconds" -> load = Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
                case "--rate" -> rate = positive(option, value);
                case "--devices" -> devices = positive(option, value);
                case "--hubs" -> hubs = positive(option, value);
                case "--publishers" -> publishers = positive(option, value);
                case "--faults" -> faults = Integer.parseInt(value);
                case "--gap" -> gap = Range.parse(value);
                case "--down" -> down = Range.parse(value);
                case "--kinds" -> kinds = Arrays.stream(value.split(",")).map(String::trim).map(Fault::of).distinct().toList();
                case "--dir" -> dir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (devices < 3) {
            throw new IllegalArgumentException("--devices: at least 3 (one per format)");
        }
        if (faults < 0) {
            throw new IllegalArgumentException("--faults: 0 or more");
        }
        if (dir != null && java.nio.file.Files.exists(dir)) {
            // A second run on the same data would meet the first run's devices and readings.
            throw new IllegalArgumentException("--dir " + dir + " exists already; give a new one");
        }
        return new CampaignOptions(seed, load, rate, devices, hubs, publishers, faults, gap, down, kinds,
                dir != null ? dir : Path.of("target", "faults", "campaign-" + seed + "-" + Long.toString(System.currentTimeMillis(), 36)));
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(option + ": a positive number");
        }
        return n;
    }

    /** --help: not an error, but no campaign either. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }
}
