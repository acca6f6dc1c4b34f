package no.knutepunkt.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

import no.knutepunkt.embedded.BrokerRefusals;
import no.knutepunkt.store.Tallies;
import no.knutepunkt.store.TallyDelta;

/**
 * Shows that nothing vanishes: received = stored + duplicate + parked + dead-lettered, per vendor
 * and in total, over every hub instance (the counts are committed with the readings). The same
 * totals are Prometheus gauges {@code knutepunkt_readings{outcome=...}}. Beside them, while the
 * embedded broker runs, what it refused (embedded/BrokerRefusals).
 */
@Path("/status")
@ApplicationScoped
public class IngestStatus {

    private static final long GAUGE_MAX_AGE_NANOS = 2_000_000_000L;

    private final Tallies tallies;
    private final AtomicReference<Snapshot> cached = new AtomicReference<>(new Snapshot(TallyDelta.ZERO, 0));

    public IngestStatus(Tallies tallies) {
        this.tallies = tallies;
    }

    void registerGauges(@Observes StartupEvent start, MeterRegistry metrics) {
        gauge(metrics, "received", TallyDelta::received);
        gauge(metrics, "stored", TallyDelta::stored);
        gauge(metrics, "duplicate", TallyDelta::duplicate);
        gauge(metrics, "parked", TallyDelta::parked);
        gauge(metrics, "dead_lettered", TallyDelta::deadLettered);
    }

    private void gauge(MeterRegistry metrics, String outcome, java.util.function.ToLongFunction<TallyDelta> f) {
        Gauge.builder("knutepunkt.readings", this, s -> f.applyAsLong(s.recentTotal()))
                .description("Readings by outcome, all vendors and instances (received = stored + duplicate + parked + dead_lettered)")
                .tag("outcome", outcome).register(metrics);
    }

    // On the endpoints, not the class: on the class it would also guard the start-up observer
    // above, which runs with no caller, and the hub would not start.
    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Status status() {
        Map<String, TallyDelta> byVendor = tallies.totals();
        TallyDelta total = byVendor.values().stream().reduce(TallyDelta.ZERO, TallyDelta::plus);
        cached.set(new Snapshot(total, System.nanoTime()));
        return new Status(Counts.of(total), byVendor.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> Counts.of(e.getValue()), (a, b) -> a,
                        java.util.TreeMap::new)), BrokerRefusals.enforcing() ? Broker.now() : null);
    }

    /**
     * The counts checked against the rows they count (stored and parked readings, dead letters), in
     * one snapshot. Counts whole tables: for operators and tests, not for monitoring every minute.
     */
    @GET
    @RolesAllowed("operator")
    @Path("/reconciliation")
    @Produces(MediaType.APPLICATION_JSON)
    public Reconciled reconciliation() {
        Tallies.Reconciliation r = tallies.reconcile();
        return new Reconciled(Counts.of(r.counts()), r.storedRows(), r.parkedRows(), r.deadLetterRows(), r.consistent());
    }

    public record Reconciled(Counts counts, long storedReadingRows, long parkedReadingRows, long deadLetterRows, boolean consistent) {
    }

    /** Scrapes are frequent; the totals are read at most every two seconds. */
    private TallyDelta recentTotal() {
        Snapshot s = cached.get();
        if (System.nanoTime() - s.at() > GAUGE_MAX_AGE_NANOS) {
            TallyDelta total = tallies.totals().values().stream().reduce(TallyDelta.ZERO, TallyDelta::plus);
            s = new Snapshot(total, System.nanoTime());
            cached.set(s);
        }
        return s.total();
    }

    /** {@code broker}: only while the embedded broker (with its access control) runs in this JVM. */
    public record Status(Counts readings, Map<String, Counts> vendors, @JsonInclude(JsonInclude.Include.NON_NULL) Broker broker) {
    }

    /**
     * What the embedded broker refused since this hub started: per reason (connect-refused,
     * publish-denied, subscribe-denied; each listed, if only as {}) the count per vendor id, the hub's
     * own account, or "unknown".
     */
    public record Broker(Map<String, Map<String, Long>> refusals) {
        static Broker now() {
            Map<String, Map<String, Long>> refusals = new java.util.TreeMap<>(BrokerRefusals.counts());
            for (String reason : List.of(BrokerRefusals.CONNECT_REFUSED, BrokerRefusals.PUBLISH_DENIED, BrokerRefusals.SUBSCRIBE_DENIED)) {
                refusals.putIfAbsent(reason, Map.of());
            }
            return new Broker(refusals);
        }
    }

    public record Counts(long received, long stored, long duplicate, long parked, long deadLettered, boolean balanced) {
        public static Counts of(TallyDelta t) {
            return new Counts(t.received(), t.stored(), t.duplicate(), t.parked(), t.deadLettered(), t.balances());
        }
    }

    private record Snapshot(TallyDelta total, long at) {
    }
}
