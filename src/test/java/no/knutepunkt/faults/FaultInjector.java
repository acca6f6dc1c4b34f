package no.knutepunkt.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.LoopbackDeployment;
import no.knutepunkt.testing.TotalQueueCheck.BrokerCrash;

/**
 * Takes the deployment's processes down and brings them back, one fault at a time, on its own
 * thread: wait a random gap, inject the next fault, keep the process down for a random while, start
 * it again and wait until it accepts connections (a hub: until it reports ready). The faults come
 * in shuffled rounds of the chosen kinds, so even a short campaign meets each kind. Every draw
 * comes from one seeded {@link Random} in a fixed order, so a seed always gives the same schedule
 * (how long each recovery takes is the machine's business).
 */
final class FaultInjector {

    /** One fault as it happened: when (since the campaign began), to what, down how long, back after how long. */
    record Injected(Fault fault, String target, Duration at, Duration down, Duration recovery) {
    }

    private final LoopbackDeployment deployment;
    private final CampaignOptions options;
    private final Random random;
    private final List<Fault> round = new ArrayList<>();
    private final List<Injected> injected = Collections.synchronizedList(new ArrayList<>());
    private final List<BrokerCrash> brokerCrashes = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private final long began;
    private volatile Throwable failure;

    FaultInjector(LoopbackDeployment deployment, CampaignOptions options, long began) {
        this.deployment = deployment;
        this.options = options;
        this.random = new Random(options.seed());
        this.began = began;
        this.thread = new Thread(this::run, "fault-injector");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** No new fault after this; the one under way (if any) still recovers. */
    void stop() {
        stop.countDown();
    }

    /** Waits until the injector has stopped, and the process it last took down is back. */
    void await() throws InterruptedException {
        thread.join();
    }

    /** All faults the options asked for are done (always false when they asked for "as many as fit"). */
    boolean finished() {
        return !thread.isAlive();
    }

    List<Injected> injected() {
        return List.copyOf(injected);
    }

    /** The broker's kill -9s, each with its last save before it: where Mosquitto could lose acknowledged messages. */
    List<BrokerCrash> brokerCrashes() {
        return List.copyOf(brokerCrashes);
    }

    /** Why the injector gave up (a process that would not come back), or null. */
    Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            while (options.faults() == 0 || injected.size() < options.faults()) {
                // Drawn before waiting, always in this order: the schedule depends on the seed alone.
                Duration gap = options.gap().draw(random);
                Fault fault = next();
                int hub = random.nextInt(deployment.hubs().size());
                Duration down = options.down().draw(random);
                if (stop.await(gap.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                inject(fault, hub, down);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | AssertionError e) {
            failure = e;
        }
    }

    private Fault next() {
        if (round.isEmpty()) {
            round.addAll(options.kinds());
            Collections.shuffle(round, random);
        }
        return round.remove(0);
    }

    private void inject(Fault fault, int hubIndex, Duration down) throws Exception {
        long at = System.nanoTime();
        String target;
        switch (fault) {
            case HUB_KILL -> {
                HubProcess hub = deployment.hubs().get(hubIndex);
                target = "hub-" + (hubIndex + 1);
                hub.kill();
                Thread.sleep(down.toMillis());
                hub.start();
            }
            case BROKER_RESTART -> {
                target = "mosquitto";
                deployment.broker().stop();
                Thread.sleep(down.toMillis());
                deployment.broker().start();
            }
            case BROKER_CRASH -> {
                target = "mosquitto";
                deployment.broker().kill();
                // Read once it is dead: the store cannot change any more. Nothing it never saved survives.
                long lastSave = deployment.broker().lastSave().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
                Thread.sleep(down.toMillis());
                // Until the new broker runs, no acknowledgement can be its: one recorded before then came from the
                // dead broker, late only because the publisher's callbacks lag behind its socket.
                brokerCrashes.add(new BrokerCrash(lastSave, System.currentTimeMillis()));
                deployment.broker().start();
            }
            case DB_RESTART -> {
                target = "postgresql";
                deployment.database().stop();
                Thread.sleep(down.toMillis());
                deployment.database().start();
            }
            case DB_CRASH -> {
                target = "postgresql";
                deployment.database().crash();
                Thread.sleep(down.toMillis());
                deployment.database().start();
            }
            default -> throw new IllegalStateException(fault.toString());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - at);
        Injected done = new Injected(fault, target, Duration.ofNanos(at - began), down, took.minus(down));
        injected.add(done);
        System.out.printf("  fault %2d at %6.1f s: %-14s %-10s down %4.1f s, back after %5.1f s%n", injected.size(),
                done.at().toMillis() / 1000.0, fault.label(), target, down.toMillis() / 1000.0, done.recovery().toMillis() / 1000.0);
    }
}
