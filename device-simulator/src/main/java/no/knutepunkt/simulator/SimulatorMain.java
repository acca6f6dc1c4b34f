package no.knutepunkt.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The device simulator's command line ({@code simulate --help}). It plays the vendors from outside:
 * it talks to the hub only as a vendor and a municipality would, over MQTT and the HTTP API.
 */
public final class SimulatorMain {

    static final int OK = 0;
    static final int MISMATCH = 1;
    static final int USAGE = 2;
    static final int FAILED = 3;

    private final Options options;
    private final PrintStream out;

    private SimulatorMain(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String... args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    /** Runs the command line; returns the exit status. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (Options.UsageException e) {
            err.println("simulate: " + e.getMessage());
            err.println("Try 'simulate --help'.");
            return USAGE;
        }
        if (options.help()) {
            out.print(Options.USAGE);
            return OK;
        }
        try {
            return new SimulatorMain(options, out).run();
        } catch (MqttException e) {
            err.println("simulate: the broker at " + options.broker() + " did not take us: " + e.getMessage());
            return FAILED;
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            err.println("simulate: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    private int run() throws MqttException, IOException, InterruptedException {
        return switch (options.mode()) {
            case "realistic" -> realistic();
            case "load" -> load();
            case "bad" -> bad();
            case "replay" -> replay();
            default -> throw new IllegalStateException(options.mode());
        };
    }

    private SimulatedPilot pilot(long seed, int patients) {
        return PilotPlan.generate(seed, patients, Instant.now());
    }

    private void provision(List<PatientKit> kits) throws IOException, InterruptedException {
        out.println("Provisioning " + kits.size() + " patients through " + options.hubUrl() + "/api/registry ...");
        Provisioning.Result r = new Provisioning(options.hubUrl(), options.provisioners()).provision(kits);
        out.println("Provisioned: " + r);
    }

    private Recording recording(String mode) {
        return options.recordFile() == null ? null
                : Recording.create(options.recordFile(), new Recording.Header(mode, options.seed(), options.patients(), Instant.now()));
    }

    // --- realistic

    private int realistic() throws MqttException, IOException, InterruptedException {
        SimulatedPilot pilot = pilot(options.seed(), options.patients());
        if (options.provision()) {
            provision(PatientKit.of(pilot));
        }
        out.printf(Locale.ROOT, "Simulating %d patients (seed %d) on %s: from %s back at ×%.0f until now, then in real time.%n",
                pilot.patients().size(), options.seed(), options.broker(), readable(options.daysBack()), options.factor());
        printScript(pilot);
        Simulator simulator = Simulator.start(new Simulator.Settings(options.broker(), pilot, options.factor(), options.daysBack(),
                options.reportEvery(), out::print, recording("realistic")));
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                out.println("Stopping; waiting up to " + options.receiptTimeout().toSeconds() + " s for receipts ...");
                simulator.stop(options.receiptTimeout());
                out.print(simulator.report());
                stopped.countDown();
            }
        };
        // Ctrl-C: stop publishing, collect the receipts still coming, and report before the JVM exits.
        Thread hook = new Thread(finish, "simulator-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        if (options.duration().isZero()) {
            stopped.await();
        } else {
            stopped.await(options.duration().toMillis(), TimeUnit.MILLISECONDS);
        }
        finish.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook has run already.
        }
        return simulator.failure() == null ? OK : FAILED;
    }

    private static String readable(java.time.Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toHours() + " hours";
    }

    private void printScript(SimulatedPilot pilot) {
        for (SimulatedPatient p : pilot.patients()) {
            if (!p.role().isEmpty()) {
                out.printf("  scripted: %-22s %-13s %-16s %s%n", p.name(), p.programme().wireName(), p.vendor().id(), p.role());
            }
        }
    }

    // --- load

    private int load() throws MqttException, IOException, InterruptedException {
        List<SimulatedDevice> fleet = LoadFleet.of(options.devices(), options.seed());
        if (options.provision()) {
            provision(LoadFleet.kits(fleet, options.seed()));
        }
        ReceiptTally tally = new ReceiptTally();
        String prefix = "knutepunkt-simulator-load-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> vendors = fleet.stream().map(SimulatedDevice::vendor).distinct().toList();
        out.println("Load: " + fleet.size() + " devices on " + options.broker() + ", " + (options.rate() == 0 ? "as fast as possible"
                : options.rate() + " readings/s") + " for " + options.duration().toSeconds() + " s over " + options.connections()
                + " connections.");
        // Listens for the receipts of what the load generator publishes, per vendor.
        VendorLink receipts = VendorLink.listening(options.broker(), prefix + "-receipts", tally, vendors);
        try (LoadGenerator load = new LoadGenerator(options.broker(), options.connections(), false, prefix, false)) {
            Runnable update = () -> load.acknowledgedByVendor().forEach((v, n) -> tally.publishedSoFar(v, n[0], n[1]));
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
            if (!options.reportEvery().isZero()) {
                long every = options.reportEvery().toMillis();
                reporter.scheduleAtFixedRate(() -> {
                    update.run();
                    out.print(tally.report());
                }, every, every, TimeUnit.MILLISECONDS);
            }
            LoadGenerator.Run run;
            try {
                run = load.run(fleet, options.rate(), options.duration());
            } finally {
                reporter.shutdownNow();
            }
            // The broker acknowledges a publish before the hub has committed it; wait for the receipts.
            long deadline = System.nanoTime() + options.receiptTimeout().toNanos();
            update.run();
            while (tally.total().awaiting() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                update.run();
            }
            out.printf("Published %d messages, %d readings in %.1f s: %.0f readings/s%n", run.messages(), run.readings(), run.seconds(),
                    run.readingsPerSecond());
            out.print(tally.report());
        } finally {
            receipts.close();
        }
        return OK;
    }

    // --- bad

    private int bad() throws MqttException, IOException, InterruptedException {
        SimulatedPilot pilot = pilot(options.seed(), options.patients());
        if (options.provision()) {
            provision(PatientKit.of(pilot));
        }
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        List<BadInputs.Case> cases = BadInputs.cases(pilot, run, Instant.now());
        out.println("Bad input: " + cases.size() + " messages on " + options.broker() + ", one at a time, each receipt checked ...");
        ReceiptTally tally = new ReceiptTally();
        List<BadInputs.Outcome> outcomes;
        Recording recording = recording("bad");
        try (VendorLink link = new VendorLink(options.broker(), "knutepunkt-simulator-bad-" + run, tally, recording)) {
            outcomes = BadInputs.check(link, cases, options.receiptTimeout());
        } finally {
            if (recording != null) {
                recording.close();
            }
        }
        out.print(BadInputs.report(outcomes));
        out.print(tally.report());
        boolean allOk = outcomes.stream().allMatch(BadInputs.Outcome::ok);
        if (!allOk && outcomes.stream().anyMatch(o -> "parked".equals(o.status()) && !o.c().expected().status().equals("parked"))) {
            out.println("(Readings parked that should be accepted: is the pilot provisioned? Run once with --provision.)");
        }
        return allOk ? OK : MISMATCH;
    }

    // --- replay

    private int replay() throws MqttException, IOException, InterruptedException {
        Recording.Contents recorded = Recording.read(options.replayFile());
        Recording.Header h = recorded.header();
        out.println("Replaying " + recorded.messages().size() + " messages from " + options.replayFile() + " (recorded " + h.recordedAt()
                + ", " + h.mode() + ", seed " + h.seed() + ", " + h.patients() + " patients) on " + options.broker() + " ...");
        if (options.provision()) {
            provision(PatientKit.of(pilot(h.seed(), h.patients())));
        }
        ReceiptTally tally = new ReceiptTally();
        Recording recording = recording("replay");
        try (VendorLink link = new VendorLink(options.broker(), "knutepunkt-simulator-replay-" + UUID.randomUUID().toString().substring(0, 8),
                tally, recording)) {
            for (OutgoingMessage m : recorded.messages()) {
                link.publish(m);
            }
            if (!link.awaitReceipts(options.receiptTimeout())) {
                out.println(link.pending() + " messages got no receipt within " + options.receiptTimeout().toSeconds() + " s");
            }
        } finally {
            if (recording != null) {
                recording.close();
            }
        }
        out.print(tally.report());
        return OK;
    }
}
