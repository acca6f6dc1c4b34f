package no.knutepunkt.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * The balance of readings per vendor: received = stored + duplicate + parked + dead-lettered.
 * Reads the folded totals plus the deltas not yet folded, in one statement (one snapshot).
 */
@ApplicationScoped
public class Tallies {

    /** Any constant; only the fold takes it, so one instance folds at a time. */
    private static final long FOLD_LOCK = 0x6b6e7574_7461_6c79L;

    private static final String TOTALS = """
            SELECT vendor_id, sum(received), sum(stored), sum(duplicate), sum(parked), sum(dead_lettered)
              FROM (SELECT vendor_id, received, stored, duplicate, parked, dead_lettered FROM reading_tally
                    UNION ALL
                    SELECT vendor_id, received, stored, duplicate, parked, dead_lettered FROM reading_tally_delta) t
             GROUP BY vendor_id ORDER BY vendor_id
            """;

    private static final String FOLD = """
            WITH moved AS (DELETE FROM reading_tally_delta RETURNING *)
            INSERT INTO reading_tally (vendor_id, received, stored, duplicate, parked, dead_lettered)
            SELECT vendor_id, sum(received), sum(stored), sum(duplicate), sum(parked), sum(dead_lettered)
              FROM moved GROUP BY vendor_id
            ON CONFLICT (vendor_id) DO UPDATE SET
                received = reading_tally.received + excluded.received,
                stored = reading_tally.stored + excluded.stored,
                duplicate = reading_tally.duplicate + excluded.duplicate,
                parked = reading_tally.parked + excluded.parked,
                dead_lettered = reading_tally.dead_lettered + excluded.dead_lettered
            """;

    private static final String ROWS = """
            SELECT count(*) FILTER (WHERE state = 'stored'), count(*) FILTER (WHERE state = 'parked'),
                   (SELECT count(*) FROM dead_letter)
              FROM reading
            """;

    private final DataSource db;

    public Tallies(DataSource db) {
        this.db = db;
    }

    /** Per vendor, in vendor order. */
    public Map<String, TallyDelta> totals() {
        Map<String, TallyDelta> totals = new TreeMap<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TOTALS)) {
            while (rs.next()) {
                totals.put(rs.getString(1), new TallyDelta(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading counts could not be read", e);
        }
        return totals;
    }

    /**
     * The counts against the rows they count, in one snapshot: stored and parked readings, dead
     * letters. Counts whole tables, so it is for operators and tests, not for every scrape.
     */
    public Reconciliation reconcile() {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement s = c.createStatement()) {
                TallyDelta total = TallyDelta.ZERO;
                try (ResultSet rs = s.executeQuery(TOTALS)) {
                    while (rs.next()) {
                        total = total.plus(new TallyDelta(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                    }
                }
                try (ResultSet rs = s.executeQuery(ROWS)) {
                    rs.next();
                    Reconciliation r = new Reconciliation(total, rs.getLong(1), rs.getLong(2), rs.getLong(3));
                    c.commit();
                    return r;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counts could not be reconciled", e);
        }
    }

    /** The counts, and the rows behind the three of them that rows can show. */
    public record Reconciliation(TallyDelta counts, long storedRows, long parkedRows, long deadLetterRows) {
        public boolean consistent() {
            return counts.balances() && counts.stored() == storedRows && counts.parked() == parkedRows
                    && counts.deadLettered() == deadLetterRows;
        }
    }

    /** Keeps the delta table small, so that reading the totals stays cheap. */
    @Scheduled(every = "${knutepunkt.ingest.tally-fold-every:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void fold() throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                lock.setLong(1, FOLD_LOCK);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        c.rollback();
                        return;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate(FOLD);
            }
            c.commit();
        }
    }
}
