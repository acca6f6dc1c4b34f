package no.knutepunkt.faults;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import no.knutepunkt.testing.TotalQueueCheck;

/** What a fault campaign did and found, and the verdict. */
record CampaignReport(CampaignOptions options, String machine, List<FaultInjector.Injected> faults, int brokerCrashWindows,
        Publisher publisher, Throughput throughput, long heldUntilRestart, TotalQueueCheck.Verdict verdict, Counts counts) {

    /** The publisher's side: what it sent, what the broker acknowledged, what it had to send again. */
    record Publisher(long messages, long readings, double seconds, long acknowledgedMessages, long resentMessages, long givenUp) {
    }

    /** Readings stored per second during the load (all instances), the lowest 10 s of it, and the drain after it. */
    record Throughput(double meanStored, double lowest10s, double drainSeconds) {
    }

    /** GET /status (over every instance) and GET /status/reconciliation. */
    record Counts(long received, long stored, long duplicate, long parked, long deadLettered, boolean balanced, boolean consistent) {
    }

    /** The hub lost, duplicated and invented nothing, refused no valid reading, and its counts balance and match its rows. */
    boolean passed() {
        return verdict.clean() && counts.balanced() && counts.consistent() && counts.parked() == 0 && counts.deadLettered() == 0;
    }

    Map<Fault, Long> faultsByKind() {
        Map<Fault, Long> byKind = new EnumMap<>(Fault.class);
        faults.forEach(f -> byKind.merge(f.fault(), 1L, Long::sum));
        return byKind;
    }

    void print(PrintStream out) {
        TotalQueueCheck.Verdict v = verdict;
        out.println();
        out.println("=== Fault campaign: seed " + options.seed() + " ===");
        out.println("machine          " + machine + "; hubs, Mosquitto, PostgreSQL and the publisher all share it");
        out.printf(Locale.ROOT, "load             %.0f s at %,d readings/s offered from %,d devices (canonical, acme-flat, medgw); %d hub instances%n",
                publisher.seconds(), options.rate(), options.devices(), options.hubs());
        out.printf("faults injected  %d: %s%n", faults.size(), faultsByKind().entrySet().stream()
                .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", ")));
        out.printf(Locale.ROOT, "publisher        %,d readings in %,d messages (%,.0f/s); broker acknowledged %,d messages, %,d readings;"
                + " %,d resent after a lost acknowledgement; %,d given up%n", publisher.readings(), publisher.messages(),
                publisher.readings() / publisher.seconds(), publisher.acknowledgedMessages(), v.acknowledged(), publisher.resentMessages(),
                publisher.givenUp());
        out.printf(Locale.ROOT, "throughput held  %,.0f readings/s stored on average while publishing; lowest 10 s: %,.0f/s; "
                + "backlog drained %.0f s after publishing stopped%n", throughput.meanStored(), throughput.lowest10s(),
                throughput.drainSeconds());
        out.printf("%s %,d readings the broker held until the hubs were restarted after the load (a stalled consumer "
                + "connection: late, not lost)%n", heldUntilRestart > 0 ? "STALLED         " : "stalled         ", heldUntilRestart);
        out.printf("hub              lost %d | duplicated %d | unexpected %d | stored without time-series values %d%n", v.lost(),
                v.duplicated(), v.unexpected(), v.storedWithoutValues());
        if (!v.lostExamples().isEmpty() || !v.duplicatedExamples().isEmpty() || !v.unexpectedExamples().isEmpty()) {
            out.printf("                 e.g. lost %s, duplicated %s, unexpected %s%n", v.lostExamples(), v.duplicatedExamples(),
                    v.unexpectedExamples());
        }
        out.printf("broker           lost %,d acknowledged readings inside its %d crash window(s) (acknowledged after its last save, "
                + "before its kill -9)%n", v.lostByBroker(), brokerCrashWindows);
        out.printf("                 dropped %,d readings it acknowledged with 'no matching subscribers' (after a restart, before the hubs "
                + "had subscribed again: Mosquitto 2.0 does not restore shared subscriptions)%n", v.droppedByBroker());
        out.printf("recovered        %,d readings stored whose message's acknowledgement never reached the publisher%n", v.recovered());
        out.printf("deduplicated     %,d redelivered readings absorbed (duplicate outcomes)%n", counts.duplicate());
        out.printf("counts           received %,d = stored %,d + duplicate %,d + parked %,d + dead-lettered %,d: %s; against rows: %s%n",
                counts.received(), counts.stored(), counts.duplicate(), counts.parked(), counts.deadLettered(),
                counts.balanced() ? "balanced" : "NOT BALANCED", counts.consistent() ? "consistent" : "INCONSISTENT");
        out.println(passed() ? "verdict          PASS: the hub lost, duplicated and invented nothing; its counts balance"
                : "verdict          FAIL");
        out.println("data and logs    " + options.dir().toAbsolutePath());
    }
}
