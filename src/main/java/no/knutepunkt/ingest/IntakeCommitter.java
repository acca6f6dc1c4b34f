package no.knutepunkt.ingest;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import no.knutepunkt.common.Reading;
import no.knutepunkt.fhir.IdentifierSystems;
import no.knutepunkt.fhir.ObservationWriter;
import no.knutepunkt.ingest.Receipt.Result;
import no.knutepunkt.ingest.Receipt.Status;
import no.knutepunkt.registry.DeviceRouting;
import no.knutepunkt.registry.DeviceRouting.Route;
import no.knutepunkt.store.DeadLetterRow;
import no.knutepunkt.store.InboundRow;
import no.knutepunkt.store.MeasurementRow;
import no.knutepunkt.store.ReadingRow;
import no.knutepunkt.store.ReadingStore;
import no.knutepunkt.store.TallyDelta;

/**
 * The last step of every intake route: commits what became of a message, and only then lets the
 * exchange complete (which acknowledges an MQTT message or answers an HTTP request).
 *
 * <p>Exchanges wait in a queue; writer threads take as many as are waiting (up to the batch size)
 * and write them in ONE transaction: route each reading to its patient, build its Observation,
 * claim its identity (duplicates fall out of the unique constraints), and write the time series,
 * the raw messages with their receipts, dead letters and counts. Throughput therefore does not
 * hinge on one fsync per message. A transient database failure retries the batch with backoff
 * for as long as it takes; the messages stay unacknowledged meanwhile, so a crash loses nothing.
 */
@ApplicationScoped
@Named("commit")
public class IntakeCommitter extends AsyncProcessorSupport {

    private static final Logger LOG = Logger.getLogger(IntakeCommitter.class);
    private static final Logger SECURITY = Logger.getLogger("knutepunkt.security");
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final DataSource db;
    private final DeviceRouting routing;
    private final ObservationWriter observations;
    private final ReadingStore store;
    private final IngestConfig config;
    private final ObjectMapper json;
    private final ParkedReadings parked;
    private final BlockingQueue<Pending> queue;
    private volatile long lastProgress = System.nanoTime();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<Thread> writers = new ArrayList<>();
    private final ExecutorService completions;
    private final Timer commitTimer;
    private final DistributionSummary batchSize;
    private final java.util.Map<Status, io.micrometer.core.instrument.Counter> outcomes;

    public IntakeCommitter(DataSource db, DeviceRouting routing, ObservationWriter observations, ReadingStore store,
            IngestConfig config, ObjectMapper json, ParkedReadings parked, MeterRegistry metrics) {
        this.db = db;
        this.routing = routing;
        this.observations = observations;
        this.store = store;
        this.config = config;
        this.json = json;
        this.parked = parked;
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        this.completions = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ingest-completion");
            t.setDaemon(true);
            return t;
        });
        this.commitTimer = Timer.builder("knutepunkt.ingest.commit").description("One ingest transaction")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.batchSize = DistributionSummary.builder("knutepunkt.ingest.batch.messages")
                .description("Messages per ingest transaction").register(metrics);
        this.outcomes = new java.util.EnumMap<>(Status.class);
        for (Status st : Status.values()) {
            outcomes.put(st, io.micrometer.core.instrument.Counter.builder("knutepunkt.ingest.readings").tag("outcome", st.wire())
                    .description("Readings committed by this instance, by outcome").register(metrics));
        }
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Intake intake = exchange.getVariable(Intake.VARIABLE, Intake.class);
        if (intake == null) {
            exchange.setException(new IllegalStateException("no intake on the exchange"));
            callback.done(true);
            return true;
        }
        if (intake.receipt() != null) {
            // Committed already (an error after the commit brought it back here): once is enough.
            callback.done(true);
            return true;
        }
        if (!running.get() || !queue.offer(new Pending(exchange, callback, intake))) {
            // Stopping, or more waiting than the hub holds: the sender delivers it again later.
            exchange.setException(new NotCommitted(new IllegalStateException(running.get() ? "ingest queue full" : "stopping")));
            callback.done(true);
            return true;
        }
        return false;
    }

    /** Camel starts this with the route; its graceful shutdown waits for queued exchanges before {@link #doStop}. */
    @Override
    protected void doStart() {
        running.set(true);
        lastProgress = System.nanoTime();
        writers.clear();
        for (int i = 0; i < config.writers(); i++) {
            Thread t = new Thread(this::writeLoop, "ingest-writer-" + i);
            t.setDaemon(true);
            writers.add(t);
            t.start();
        }
        LOG.infof("%d ingest writers started (batches of up to %d messages)", writers.size(), config.batchSize());
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(config.batchSize());
        while (running.get() || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long lingerUntil = System.nanoTime() + config.batchLinger().toNanos();
                while (batch.size() < config.batchSize()) {
                    if (queue.drainTo(batch, config.batchSize() - batch.size()) == 0) {
                        long left = lingerUntil - System.nanoTime();
                        Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                    }
                }
                commitWithRetry(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(batch, e);
                return;
            } catch (Throwable e) { // a writer must outlive whatever one batch does
                LOG.error("ingest writer failed; the batch's messages stay unacknowledged", e);
                fail(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    private void commitWithRetry(List<Pending> batch) throws InterruptedException {
        long backoffMillis = 50;
        Committed inDoubt = null;
        while (true) {
            try {
                complete(batch, commit(batch));
                return;
            } catch (SQLException e) {
                if (e instanceof CommitInDoubt d) {
                    inDoubt = d.committed;
                }
                if (inDoubt != null && isInboundKeyViolation(e)) {
                    // The connection broke after the server had committed: the retry meets the rows of
                    // the earlier attempt. That attempt's outcomes are the ones stored; answer with them.
                    LOG.infof("an ingest commit whose answer was lost had taken effect; %d messages completed", batch.size());
                    complete(batch, inDoubt);
                    return;
                }
                if (!isTransient(e)) {
                    commitOneByOne(batch);
                    return;
                }
                if (!running.get() && backoffMillis >= MAX_BACKOFF.toMillis()) {
                    // Shutting down with the database away: leave the messages unacknowledged for redelivery.
                    fail(batch, e);
                    return;
                }
                LOG.warnf("ingest transaction failed (%s), retrying %d messages in %d ms", e.getSQLState(), batch.size(),
                        backoffMillis);
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
            } catch (RuntimeException e) {
                // Something in one message the hub did not foresee: find it, and spare the others.
                LOG.errorf(e, "ingest transaction of %d messages failed; committing them one by one", batch.size());
                commitOneByOne(batch);
                return;
            }
        }
    }

    /** A batch refused for a reason other than availability: find the message at fault. */
    private void commitOneByOne(List<Pending> batch) throws InterruptedException {
        for (Pending p : batch) {
            List<Pending> one = List.of(p);
            try {
                complete(one, commit(one));
            } catch (SQLException e) {
                if (isTransient(e)) {
                    commitWithRetry(one);
                } else {
                    refuseAlone(p, "SQLState " + e.getSQLState());
                }
            } catch (RuntimeException e) {
                LOG.error("storing one message failed", e);
                refuseAlone(p, e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Dead-letters a message the database will not take, every reading of it under its own key. If
     * even that fails the trouble is not the message's (a read-only or broken database): it stays
     * unacknowledged.
     */
    private void refuseAlone(Pending p, String cause) {
        LOG.errorf("the hub could not store message %s (%s); dead-lettering it", p.intake().id(), cause);
        Intake in = p.intake();
        List<String> keys = new ArrayList<>(in.readings().stream().map(Reading::key).toList());
        in.refusals().forEach(r -> keys.add(r.key()));
        in.reject(new Rejection(Rejection.Reason.STORE_REFUSED, "the hub could not store this message"), keys);
        List<Pending> one = List.of(p);
        try {
            complete(one, commit(one));
        } catch (SQLException | RuntimeException again) {
            fail(one, again);
        }
    }

    private Committed commit(List<Pending> batch) throws SQLException {
        Timer.Sample sample = Timer.start();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Committed committed = write(c, batch);
                try {
                    c.commit();
                } catch (SQLException e) {
                    throw new CommitInDoubt(committed, e);
                }
                batchSize.record(batch.size());
                return committed;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            }
        } finally {
            sample.stop(commitTimer);
        }
    }

    private Committed write(Connection c, List<Pending> batch) throws SQLException {
        List<Placed> placed = new ArrayList<>();
        List<DeviceRouting.Query> queries = new ArrayList<>();
        for (Pending p : batch) {
            Intake in = p.intake();
            if (in.rejection() == null) {
                for (Reading r : in.readings()) {
                    placed.add(new Placed(in, r));
                    queries.add(new DeviceRouting.Query(in.vendorId(), r.device(), r.effective()));
                }
            }
        }
        // A gateway speaks for the devices behind it; it must not be another vendor's.
        Map<Intake, Integer> gatewayQuery = new HashMap<>();
        for (Pending p : batch) {
            Intake in = p.intake();
            if (in.rejection() == null && in.gatewayId() != null) {
                gatewayQuery.put(in, queries.size());
                queries.add(new DeviceRouting.Query(in.vendorId(), in.gatewayId(), in.receivedAt()));
            }
        }
        List<Route> routes = routing.route(c, queries);

        // A reading refused at routing refuses its whole message unless the message is a gateway batch.
        Map<Intake, Rejection> refusedAtRouting = new HashMap<>();
        gatewayQuery.forEach((in, i) -> {
            if (routes.get(i).status() == DeviceRouting.Status.FOREIGN) {
                refusedAtRouting.put(in, new Rejection(Rejection.Reason.FOREIGN_DEVICE,
                        "gateway '" + in.gatewayId() + "' is not registered to vendor '" + in.vendorId() + "'"));
            }
        });
        Map<Placed, Rejection> refusedReadings = new HashMap<>();
        for (int i = 0; i < placed.size(); i++) {
            if (routes.get(i).status() == DeviceRouting.Status.FOREIGN) {
                Placed p = placed.get(i);
                Rejection why = new Rejection(Rejection.Reason.FOREIGN_DEVICE,
                        "device '" + p.reading().device() + "' is not registered to vendor '" + p.intake().vendorId() + "'");
                refusedReadings.put(p, why);
                if (!p.intake().partial()) {
                    refusedAtRouting.putIfAbsent(p.intake(), why);
                }
            }
        }

        Map<ResultKey, Result> results = new HashMap<>(placed.size() * 2);
        List<ReadingRow> rows = new ArrayList<>();
        Map<UUID, List<MeasurementRow>> measurementsByReading = new HashMap<>(placed.size() * 2);
        Set<IdentityKey> identities = new HashSet<>(placed.size() * 2);
        Set<ContentKey> contents = new HashSet<>(placed.size() * 2);
        for (int i = 0; i < placed.size(); i++) {
            Placed p = placed.get(i);
            if (refusedAtRouting.containsKey(p.intake()) || refusedReadings.containsKey(p)) {
                continue;
            }
            Intake in = p.intake();
            Reading r = p.reading();
            UUID id = IdentifierSystems.observationId(in.vendorId(), r.key(), r.effective());
            ResultKey resultKey = new ResultKey(in.id(), r.key());
            ContentKey content = r.contentKey() == null ? null
                    : new ContentKey(in.vendorId(), r.device(), r.kind().primaryLoinc(), r.contentKey());
            if (!identities.add(new IdentityKey(in.vendorId(), r.key())) || content != null && !contents.add(content)) {
                results.put(resultKey, new Result(r.key(), Status.DUPLICATE, null, null));
                continue;
            }
            Route route = routes.get(i);
            ReadingRow row;
            if (route.status() == DeviceRouting.Status.ROUTED) {
                RoutedReading routed = RoutedReading.of(id, in.vendorId(), r, route, in.gatewayId(), in.receivedAt(), in.id(), observations);
                row = routed.row();
                measurementsByReading.put(id, routed.measurements());
            } else {
                row = parked.row(id, in.vendorId(), r, route.status(), in.gatewayId(), in.receivedAt(), in.id());
            }
            rows.add(row);
        }

        Set<UUID> claimed = store.claim(c, rows);
        List<MeasurementRow> measurements = new ArrayList<>();
        for (ReadingRow row : rows) {
            ResultKey key = new ResultKey(row.inboundMessageId(), row.identifier());
            if (!claimed.contains(row.id())) {
                results.put(key, new Result(row.identifier(), Status.DUPLICATE, null, null));
            } else if (row.stored()) {
                results.put(key, new Result(row.identifier(), Status.ACCEPTED, null, List.of(row.id().toString())));
                measurements.addAll(measurementsByReading.get(row.id()));
            } else {
                results.put(key, new Result(row.identifier(), Status.PARKED, row.parkedReason(), null));
            }
        }
        store.measurements(c, measurements);

        Map<Intake, Answer> receipts = new LinkedHashMap<>();
        List<String> securityEvents = new ArrayList<>();
        List<InboundRow> inbound = new ArrayList<>();
        List<DeadLetterRow> deadLetters = new ArrayList<>();
        Map<String, TallyDelta> tally = new HashMap<>();
        for (Pending p : batch) {
            Intake in = p.intake();
            Rejection whole = in.rejection() != null ? in.rejection() : refusedAtRouting.get(in);
            List<Result> messageResults = new ArrayList<>();
            if (in.rejection() != null) {
                for (Intake.Refusal refusal : in.refusals()) {
                    messageResults.add(new Result(refusal.key(), Status.REJECTED, whole.reason(), null));
                    deadLetters.add(deadLetter(in, refusal.key(), whole));
                }
            } else if (whole != null) {
                // Refused at routing: every reading under this reason, those refused earlier under their own.
                for (Reading r : in.readings()) {
                    messageResults.add(new Result(r.key(), Status.REJECTED, whole.reason(), null));
                    deadLetters.add(deadLetter(in, r.key(), whole));
                }
                for (Intake.Refusal refusal : in.refusals()) {
                    messageResults.add(new Result(refusal.key(), Status.REJECTED, refusal.why().reason(), null));
                    deadLetters.add(deadLetter(in, refusal.key(), refusal.why()));
                }
            } else {
                for (Reading r : in.readings()) {
                    Rejection refused = refusedReadings.get(new Placed(in, r));
                    if (refused != null) {
                        messageResults.add(new Result(r.key(), Status.REJECTED, refused.reason(), null));
                        deadLetters.add(deadLetter(in, r.key(), refused));
                    } else {
                        messageResults.add(results.get(new ResultKey(in.id(), r.key())));
                    }
                }
                for (Intake.Refusal refusal : in.refusals()) {
                    messageResults.add(new Result(refusal.key(), Status.REJECTED, refusal.why().reason(), null));
                    deadLetters.add(deadLetter(in, refusal.key(), refusal.why()));
                }
            }
            Receipt receipt = Receipt.of(in.messageId(), messageResults, whole);
            Rejection.Reason securityReason = whole != null ? whole.code()
                    : in.readings().stream().map(r -> refusedReadings.get(new Placed(in, r))).filter(x -> x != null)
                            .map(Rejection::code).findFirst().orElse(null);
            if (securityReason != null && securityReason.security()) {
                // Internal ids only: the security log never holds patient data or values.
                securityEvents.add(String.format("refused message %s from vendor %s on device topic %s: %s", in.id(), in.vendorId(),
                        in.topicDeviceId(), securityReason.wire()));
            }
            String receiptJson = toJson(receipt);
            receipts.put(in, new Answer(receipt, receiptJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            inbound.add(new InboundRow(in.id(), in.receivedAt(), in.transport().name().toLowerCase(java.util.Locale.ROOT),
                    in.vendorId(), in.topicDeviceId(), in.messageId(), in.payload(), receipt.status().wire(), receiptJson));
            tally.merge(in.vendorId(), count(messageResults), TallyDelta::plus);
        }
        store.inbound(c, inbound);
        store.deadLetters(c, deadLetters);
        store.tally(c, tally);
        return new Committed(receipts, securityEvents);
    }

    private static TallyDelta count(List<Result> results) {
        long stored = 0, duplicate = 0, parkedN = 0, dead = 0;
        for (Result r : results) {
            switch (r.status()) {
                case ACCEPTED -> stored++;
                case DUPLICATE -> duplicate++;
                case PARKED -> parkedN++;
                default -> dead++;
            }
        }
        return new TallyDelta(results.size(), stored, duplicate, parkedN, dead);
    }

    private static DeadLetterRow deadLetter(Intake in, String key, Rejection why) {
        return new DeadLetterRow(in.id(), in.receivedAt(), in.vendorId(), in.topicDeviceId(), key, why.code().wire(), why.reason());
    }

    /** A reading of a message in this batch. */
    private record ResultKey(UUID intake, String readingKey) {
    }

    /** The identifier half of the duplicate rule. */
    private record IdentityKey(String vendorId, String identifier) {
    }

    /** The content half of the duplicate rule. */
    private record ContentKey(String vendorId, String device, String loinc, String content) {
    }

    private String toJson(Receipt receipt) {
        try {
            return json.writeValueAsString(receipt);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void complete(List<Pending> batch, Committed committed) {
        for (Pending p : batch) {
            Answer answer = committed.receipts().get(p.intake());
            p.intake().receipt(answer.receipt(), answer.json());
            count(answer.receipt());
        }
        committed.securityEvents().forEach(SECURITY::warn);
        lastProgress = System.nanoTime();
        // The writer reuses its batch list as soon as this returns.
        List<Pending> done = List.copyOf(batch);
        completions.execute(() -> done.forEach(p -> p.finish(null)));
    }

    private void count(Receipt receipt) {
        for (Result r : receipt.results()) {
            outcomes.get(r.status()).increment();
        }
    }

    private void fail(List<Pending> batch, Throwable e) {
        List<Pending> copy = List.copyOf(batch);
        completions.execute(() -> copy.forEach(p -> p.finish(new NotCommitted(e))));
    }

    private static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            // No state: the driver or the pool (connection refused, acquisition timeout).
            return true;
        }
        // Connection (08), rollback incl. deadlock (40), resources (53), server shutting down or
        // starting (57P01-57P03). Not 57014: a statement that times out would time out again.
        return state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57P");
    }

    /** The batch's raw messages are there already: only an earlier attempt of this batch writes their ids. */
    private static boolean isInboundKeyViolation(SQLException e) {
        return "23505".equals(e.getSQLState()) && e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                && String.valueOf(p.getServerErrorMessage().getConstraint()).contains("inbound_message");
    }

    /**
     * COMMIT failed on the client's side — the connection broke — so whether the server committed
     * is unknown. Carries what the attempt would have answered, in case it did.
     */
    private static final class CommitInDoubt extends SQLException {
        private static final long serialVersionUID = 1L;
        private final transient Committed committed;

        CommitInDoubt(Committed committed, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.committed = committed;
        }
    }

    /**
     * For the liveness check: every writer alive, and committing whenever there is work.
     */
    boolean isHealthy(Duration stalledAfter) {
        if (!running.get()) {
            return true;
        }
        boolean writersAlive = writers.stream().allMatch(Thread::isAlive);
        boolean progressing = queue.isEmpty() || System.nanoTime() - lastProgress < stalledAfter.toNanos();
        return writersAlive && progressing;
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool discards it.
        }
    }

    @Override
    protected void doStop() {
        running.set(false);
        for (Thread t : writers) {
            try {
                t.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @PreDestroy
    void shutDownCompletions() {
        completions.shutdown();
    }

    /**
     * The outcome of a message could not be committed: it must not be acknowledged (nor refused),
     * so the broker delivers it again.
     */
    public static final class NotCommitted extends no.knutepunkt.common.Unavailable {
        private static final long serialVersionUID = 1L;

        NotCommitted(Throwable cause) {
            super("not committed: " + cause.getMessage(), cause);
        }
    }

    /** An exchange waiting for its commit; completed exactly once, whatever path it takes. */
    private static final class Pending {
        private final Exchange exchange;
        private final AsyncCallback callback;
        private final Intake intake;
        private final AtomicBoolean finished = new AtomicBoolean();

        Pending(Exchange exchange, AsyncCallback callback, Intake intake) {
            this.exchange = exchange;
            this.callback = callback;
            this.intake = intake;
        }

        Intake intake() {
            return intake;
        }

        /** Lets the exchange go on: committed (failure null), or not committed and to be delivered again. */
        void finish(RuntimeException failure) {
            if (finished.compareAndSet(false, true)) {
                if (failure != null) {
                    exchange.setException(failure);
                }
                callback.done(false);
            }
        }
    }

    /** What one transaction committed: each message's receipt, and what the security log must hear of. */
    private record Committed(Map<Intake, Answer> receipts, List<String> securityEvents) {
    }

    /** A message's receipt, and the JSON that was stored and is sent. */
    private record Answer(Receipt receipt, byte[] json) {
    }

    /** A reading with the message it came in. */
    private record Placed(Intake intake, Reading reading) {
    }
}
