package no.knutepunkt.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Writes the audit log. A read of patient data is answered only once its audit row is committed
 * ({@link #record}); concurrent requests share one transaction (one writer thread takes whatever
 * is waiting, up to a batch), so the chain's lock and the commit's flush are paid once per batch,
 * not once per request. A write of patient data puts its audit row in its own transaction
 * ({@link #recordIn}), so the change and its record commit together or not at all.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    /** The audit log could not take the entry: the request that needed it must not be answered with data. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private record Pending(AuditEntry entry, CompletableFuture<AuditChain.Stored> done) {
    }

    private final DataSource db;
    private final Clock clock;
    private final AuditConfig config;
    private final BlockingQueue<Pending> queue;
    private final MeterRegistry metrics;
    private volatile Thread writer;
    private volatile boolean stopping;

    AuditLog(DataSource db, Clock clock, AuditConfig config, MeterRegistry metrics) {
        this.db = db;
        this.clock = clock;
        this.config = config;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    }

    void start(@Observes StartupEvent start) {
        Thread t = new Thread(this::write, "audit-writer");
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent stop) {
        stopping = true;
        Thread t = writer;
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records the entry and returns once it is committed; {@link Unavailable} if that cannot be done in time. */
    public AuditChain.Stored record(AuditEntry entry) {
        return await(submit(entry));
    }

    private AuditChain.Stored await(CompletableFuture<AuditChain.Stored> done) {
        try {
            return done.get(config.commitWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while writing the audit log", e);
        } catch (ExecutionException e) {
            throw new Unavailable("the audit log could not be written", e.getCause());
        } catch (TimeoutException e) {
            throw new Unavailable("the audit log did not commit within " + config.commitWait(), e);
        }
    }

    /** Records the entries (a list shows many patients at once) and returns once all are committed. */
    public void recordAll(List<AuditEntry> entries) {
        List<CompletableFuture<AuditChain.Stored>> done = new ArrayList<>(entries.size());
        for (AuditEntry e : entries) {
            done.add(submit(e));
        }
        for (CompletableFuture<AuditChain.Stored> d : done) {
            await(d);
        }
    }

    /**
     * Records the entry without waiting: for refusals answered before any data is touched (a bad
     * token gets its 401 whether or not the log keeps up), so that a flood of them cannot hold
     * request threads. Still committed by the writer; a full queue drops the entry and counts it.
     */
    public void recordLater(AuditEntry entry) {
        if (!queue.offer(new Pending(entry, new CompletableFuture<>()))) {
            metrics.counter("knutepunkt.audit.dropped").increment();
            LOG.warnf("the audit queue is full: a refused %s at %s was not recorded", entry.action(), entry.entryPoint());
        }
    }

    /** Appends the entries in the caller's transaction: they commit, or roll back, with the change they record. */
    public List<AuditChain.Stored> recordIn(Connection c, List<AuditEntry> entries) throws SQLException {
        return AuditChain.append(c, entries, clock.instant());
    }

    private CompletableFuture<AuditChain.Stored> submit(AuditEntry entry) {
        Pending p = new Pending(entry, new CompletableFuture<>());
        try {
            if (stopping || !queue.offer(p, config.commitWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Unavailable("the audit log is not taking entries (queue full or stopping)", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while writing the audit log", e);
        }
        return p.done();
    }

    private void write() {
        List<Pending> batch = new ArrayList<>(config.batchSize());
        Duration backoff = Duration.ofMillis(50);
        while (!stopping || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, config.batchSize() - 1);
                commit(batch);
                backoff = Duration.ofMillis(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.done().completeExceptionally(e));
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.errorf("audit log write failed (%s); %d request(s) refused", e instanceof SQLException s ? "SQL state " + s.getSQLState()
                        : e.getClass().getSimpleName(), batch.size());
                batch.forEach(p -> p.done().completeExceptionally(e));
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : backoff.multipliedBy(2);
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) throws SQLException {
        List<AuditEntry> entries = new ArrayList<>(batch.size());
        batch.forEach(p -> entries.add(p.entry()));
        List<AuditChain.Stored> stored;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                stored = AuditChain.append(c, entries, clock.instant());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(stored.get(i));
        }
        metrics.counter("knutepunkt.audit.recorded").increment(batch.size());
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
