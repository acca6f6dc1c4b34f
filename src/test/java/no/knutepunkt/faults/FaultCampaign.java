package no.knutepunkt.faults;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.simulator.LoadGenerator;
import no.knutepunkt.simulator.SimulatedDevice;
import no.knutepunkt.testing.LoopbackDeployment;
import no.knutepunkt.testing.Machine;
import no.knutepunkt.testing.PublishLog;
import no.knutepunkt.testing.TotalQueueCheck;

/**
 * The fault campaign (README, "Fault campaign"): two hub instances, Mosquitto and PostgreSQL as
 * real processes on loopback; a publisher sends readings from many devices in all three formats,
 * retrying across broker restarts, while a {@link FaultInjector} kills and restarts the processes;
 * then every reading the broker acknowledged is reconciled against the database
 * ({@link TotalQueueCheck}) and the hub's counts are checked to balance. Run by
 * {@code deploy/fault-campaign}; a short run is {@code FaultCampaignIT}.
 */
public final class FaultCampaign {

    /** The load keeps running this long after the last fault's recovery, to show the system recovered under load. */
    private static final Duration TAIL = Duration.ofSeconds(10);
    /** A bound on the faults' own time beyond the asked load, so a campaign always ends. */
    private static final Duration MAX_OVERRUN = Duration.ofMinutes(15);
    /** Publishing runs in slices, so the campaign can decide between them whether to go on. */
    private static final Duration SLICE = Duration.ofSeconds(5);
    private static final Map<String, String> HUB_ENV = Map.of("MQTT_CONSUMERS", "2");
    private static final List<String> HUB_JVM_ARGS = List.of("-Xmx512m");
    /**
     * Paho logs each connection the campaign breaks as SEVERE, with a stack trace, hundreds of lines
     * a fault; the campaign counts what they cost itself. Held here: the logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger PAHO = java.util.logging.Logger.getLogger("org.eclipse.paho");

    private FaultCampaign() {
    }

    public static void main(String[] args) throws Exception {
        CampaignOptions options;
        try {
            options = CampaignOptions.parse(args);
        } catch (CampaignOptions.HelpRequested e) {
            System.out.print(CampaignOptions.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("fault-campaign: " + e.getMessage());
            System.err.print(CampaignOptions.USAGE);
            System.exit(2);
            return;
        }
        CampaignReport report = run(options);
        report.print(System.out);
        System.exit(report.passed() ? 0 : 1);
    }

    static CampaignReport run(CampaignOptions o) throws Exception {
        java.util.logging.Level pahoLevel = PAHO.getLevel();
        PAHO.setLevel(java.util.logging.Level.OFF);
        try {
            return campaign(o);
        } finally {
            PAHO.setLevel(pahoLevel); // a test JVM runs other tests after this one
        }
    }

    private static CampaignReport campaign(CampaignOptions o) throws Exception {
        System.out.printf(Locale.ROOT, "Fault campaign: seed %d, %d s of load at %d readings/s, %d devices, %d hubs, %s faults (%s), gap %s, down %s%n",
                o.seed(), o.load().toSeconds(), o.rate(), o.devices(), o.hubs(), o.faults() == 0 ? "as many" : o.faults(),
                String.join(",", o.kinds().stream().map(Fault::label).toList()), o.gap(), o.down());
        try (LoopbackDeployment deployment = new LoopbackDeployment(o.dir(), "campaign", o.hubs(), HUB_ENV, HUB_JVM_ARGS).start()) {
            List<SimulatedDevice> fleet = deployment.registerFleet(o.devices());
            System.out.printf("%d hubs ready; logs and data in %s%n", o.hubs(), deployment.dir());
            PublishLog log = new PublishLog();
            FaultInjector faults;
            CampaignReport.Publisher publisher;
            CampaignReport.Throughput throughput;
            long heldUntilRestart;
            try (CommitRate rate = new CommitRate(deployment.database().jdbcUrl(), deployment.database().user());
                    LoadGenerator load = new LoadGenerator(deployment.broker().url(), o.publishers(), false, "campaign-load", false)) {
                load.resendUnacknowledged(true);
                log.attach(load);
                long began = System.nanoTime();
                faults = new FaultInjector(deployment, o, began);
                faults.start();
                long messages = 0;
                long readings = 0;
                while (goOn(o, faults, began)) {
                    LoadGenerator.Run slice = load.run(fleet, o.rate(), SLICE);
                    messages += slice.messages();
                    readings += slice.readings();
                }
                faults.stop();
                faults.await();
                if (faults.failure() != null) {
                    throw new IllegalStateException("the campaign could not bring a process back", faults.failure());
                }
                long stopped = System.nanoTime();
                long givenUp = load.awaitAcknowledgements(Duration.ofMinutes(2));
                publisher = new CampaignReport.Publisher(messages, readings, (stopped - began) / 1e9, log.acknowledgedMessages(),
                        load.resends(), givenUp);
                long mustBeStored = TotalQueueCheck.mustBeStored(log, faults.brokerCrashes());
                double drain = awaitDrained(rate, mustBeStored, stopped);
                throughput = new CampaignReport.Throughput(rate.mean(began, stopped), rate.lowest(began, stopped, 10), drain);
                // The final recovery, as after any incident: restart every hub. What a consumer connection that
                // stalled left with the broker arrives only now; that is late, not lost, and is reported apart.
                long storedBefore = rate.latest().stored();
                System.out.println("restarting the hubs once more, then waiting for what the broker still holds");
                deployment.restartHubs();
                awaitDrained(rate, mustBeStored, System.nanoTime());
                heldUntilRestart = rate.latest().stored() - storedBefore;
            }
            TotalQueueCheck.Verdict verdict;
            try (Connection c = deployment.connect()) {
                verdict = TotalQueueCheck.check(log, c, faults.brokerCrashes());
            }
            JsonNode total = deployment.anyRunningHub().status().get("readings");
            JsonNode reconciled = deployment.anyRunningHub().reconciliation();
            CampaignReport.Counts counts = new CampaignReport.Counts(total.get("received").asLong(), total.get("stored").asLong(),
                    total.get("duplicate").asLong(), total.get("parked").asLong(), total.get("deadLettered").asLong(),
                    total.get("balanced").asBoolean(), reconciled.get("consistent").asBoolean());
            return new CampaignReport(o, Machine.describe(), faults.injected(), faults.brokerCrashes().size(), publisher, throughput,
                    heldUntilRestart, verdict, counts);
        }
    }

    /**
     * Whether to publish another slice: until the asked time is up, the asked number of faults (if
     * any) is done, and the last one has been recovered from for a while.
     */
    private static boolean goOn(CampaignOptions o, FaultInjector faults, long began) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - began);
        if (elapsed.compareTo(o.load()) >= 0 && (o.faults() == 0 || elapsed.compareTo(o.load().plus(MAX_OVERRUN)) >= 0)) {
            faults.stop();
        }
        if (elapsed.compareTo(o.load()) < 0 || !faults.finished()) {
            return true;
        }
        Duration lastRecovered = faults.injected().stream().map(f -> f.at().plus(f.down()).plus(f.recovery())).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        return elapsed.compareTo(lastRecovered.plus(TAIL)) < 0;
    }

    /**
     * Waits until the hubs have taken everything the broker still holds: their counts stop moving
     * (10 s of quiet once as many readings are stored as must be, 60 s before that, as a hub may be
     * waiting out a backoff), at most ten minutes.
     *
     * @return seconds from {@code since} until the counts last moved
     */
    private static double awaitDrained(CommitRate counts, long mustBeStored, long since) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long lastReceived = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            CommitRate.Sample now = counts.latest();
            if (now != null && now.received() != lastReceived) {
                lastReceived = now.received();
                lastChange = now.nanos();
            }
            long quiet = now != null && now.stored() >= mustBeStored ? 10 : 60;
            if (System.nanoTime() - lastChange >= Duration.ofSeconds(quiet).toNanos()) {
                break;
            }
            Thread.sleep(1000);
        }
        return Math.max(0, lastChange - since) / 1e9;
    }
}
