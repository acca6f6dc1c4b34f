package no.knutepunkt.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The realistic mode, runnable in-process (the hub's demo starts one) or from the command line:
 * the pilot's patients measure at the times people do, with simulated time starting {@code daysBack}
 * ago and running {@code factor} times faster than real time until it reaches now, then at real
 * pace ({@link SimulatedClock}). Publishes through a {@link VendorLink} (each vendor over its own
 * broker login, where {@link BrokerLogins} has one), and reports the
 * {@link ReceiptTally} every {@code reportEvery}.
 */
public final class Simulator implements AutoCloseable {

    /**
     * @param reportEvery how often to report; zero for never
     * @param reports     where reports go (a line per call, several lines each)
     * @param recording   where to record what is sent; null for none
     */
    public record Settings(BrokerLogins logins, SimulatedPilot pilot, double factor, Duration daysBack, Duration reportEvery,
            Consumer<String> reports, Recording recording) {

        /** Every vendor over one broker login (or none). */
        public Settings(BrokerAccess broker, SimulatedPilot pilot, double factor, Duration daysBack, Duration reportEvery,
                Consumer<String> reports, Recording recording) {
            this(BrokerLogins.shared(broker), pilot, factor, daysBack, reportEvery, reports, recording);
        }
    }

    private final Settings settings;
    private final ReceiptTally tally = new ReceiptTally();
    private final VendorLink link;
    private final SimulatedClock clock;
    private final Timeline timeline;
    private final Thread publisher;
    private final ScheduledExecutorService reporter;
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile Throwable failure;

    private Simulator(Settings settings, Clock real) throws MqttException {
        this.settings = settings;
        Instant now = real.instant();
        Instant origin = now.minus(settings.daysBack());
        // Nothing before the pilot's assignments start: it would all be parked.
        if (origin.isBefore(SimulatedPilot.STARTED_AT.toInstant())) {
            origin = SimulatedPilot.STARTED_AT.toInstant();
        }
        this.clock = new SimulatedClock(real, origin, settings.factor());
        this.timeline = new Timeline(settings.pilot(), origin);
        this.link = new VendorLink(settings.logins(), "knutepunkt-simulator-" + UUID.randomUUID().toString().substring(0, 8), tally,
                settings.recording());
        this.publisher = new Thread(this::publish, "simulator-realistic");
        this.publisher.setDaemon(true);
        this.reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulator-report");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects to the broker and starts publishing. */
    public static Simulator start(Settings settings) throws MqttException {
        Simulator s = new Simulator(settings, Clock.systemUTC());
        s.publisher.start();
        if (!settings.reportEvery().isZero()) {
            long every = settings.reportEvery().toMillis();
            s.reporter.scheduleAtFixedRate(() -> settings.reports().accept(s.report()), every, every, TimeUnit.MILLISECONDS);
        }
        return s;
    }

    private void publish() {
        try {
            while (!stopping) {
                OutgoingMessage next = timeline.peek();
                Instant due = clock.realTimeOf(next.publishAt());
                synchronized (wake) {
                    long wait = Duration.between(clock.real().instant(), due).toMillis();
                    if (wait > 0) {
                        wake.wait(wait);
                        continue;
                    }
                }
                link.publish(timeline.next());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            settings.reports().accept("the simulator stopped publishing: " + e);
        }
    }

    public ReceiptTally tally() {
        return tally;
    }

    /** The simulated time now. */
    public Instant simulatedNow() {
        return clock.now();
    }

    /** Why publishing stopped early, if it did. */
    public Throwable failure() {
        return failure;
    }

    /** The periodic report: where simulated time is, and the tally. */
    public String report() {
        Instant sim = simulatedNow();
        String where = clock.caughtUp() ? "simulated time has reached now"
                : String.format(Locale.ROOT, "simulated time %s (catching up at ×%.0f)", sim.atZone(PilotPlan.OSLO).toLocalDateTime().withNano(0),
                        settings.factor());
        return "device simulator: " + where + System.lineSeparator() + tally.report();
    }

    /** Stops publishing, waits up to {@code forReceipts} for outstanding receipts, and disconnects. */
    public void stop(Duration forReceipts) {
        stopping = true;
        reporter.shutdownNow();
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            publisher.join(10_000);
            link.awaitReceipts(forReceipts);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
        if (settings.recording() != null) {
            settings.recording().close();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
