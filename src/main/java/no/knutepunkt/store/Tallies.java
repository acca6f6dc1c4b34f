package no.knutepunkt.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * The balance of readings per vendor: received = stored + duplicate + parked + dead-lettered.
 * Reads the folded totals plus the deltas not yet folded, in one statement (one snapshot). For the
 * status page it also keeps the counts per minute (recent counts and rates) and when each vendor's
 * latest reading arrived, folded from the same deltas.
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

    // Moves the deltas into the totals and, in the same statement, into per-minute sums (the rates
    // of the status page); a delta is in both or in neither. Unparking moves readings from parked to
    // stored without receiving any: only deltas that received readings say when one last arrived.
    private static final String FOLD = """
            WITH moved AS (DELETE FROM reading_tally_delta RETURNING *),
            totals AS (
                INSERT INTO reading_tally (vendor_id, received, stored, duplicate, parked, dead_lettered, last_received_at)
                SELECT vendor_id, sum(received), sum(stored), sum(duplicate), sum(parked), sum(dead_lettered),
                       max(recorded_at) FILTER (WHERE received > 0)
                  FROM moved GROUP BY vendor_id
                ON CONFLICT (vendor_id) DO UPDATE SET
                    received = reading_tally.received + excluded.received,
                    stored = reading_tally.stored + excluded.stored,
                    duplicate = reading_tally.duplicate + excluded.duplicate,
                    parked = reading_tally.parked + excluded.parked,
                    dead_lettered = reading_tally.dead_lettered + excluded.dead_lettered,
                    last_received_at = greatest(reading_tally.last_received_at, excluded.last_received_at))
            INSERT INTO reading_tally_minute (minute, vendor_id, received, stored, duplicate, parked, dead_lettered)
            SELECT date_trunc('minute', recorded_at), vendor_id, sum(received), sum(stored), sum(duplicate), sum(parked),
                   sum(dead_lettered)
              FROM moved GROUP BY 1, 2
            ON CONFLICT (minute, vendor_id) DO UPDATE SET
                received = reading_tally_minute.received + excluded.received,
                stored = reading_tally_minute.stored + excluded.stored,
                duplicate = reading_tally_minute.duplicate + excluded.duplicate,
                parked = reading_tally_minute.parked + excluded.parked,
                dead_lettered = reading_tally_minute.dead_lettered + excluded.dead_lettered
            """;

    /** Rates are shown over minutes, not days: a day of minutes is plenty, and bounds the table. */
    private static final String FORGET_MINUTES = "DELETE FROM reading_tally_minute WHERE minute < now() - interval '1 day'";

    // Both tables, each part once: the folded minutes and totals, and the deltas not folded yet. The
    // window starts on a minute boundary, where the minute sums agree with the deltas they came from.
    private static final String ACTIVITY = """
            WITH w AS (SELECT date_trunc('minute', now() - ? * interval '1 second') AS since, now() AS until),
            totals AS (
                SELECT vendor_id, sum(received) AS received, sum(stored) AS stored, sum(duplicate) AS duplicate,
                       sum(parked) AS parked, sum(dead_lettered) AS dead_lettered, max(last_received_at) AS last_received_at
                  FROM (SELECT vendor_id, received, stored, duplicate, parked, dead_lettered, last_received_at FROM reading_tally
                        UNION ALL
                        SELECT vendor_id, received, stored, duplicate, parked, dead_lettered,
                               CASE WHEN received > 0 THEN recorded_at END
                          FROM reading_tally_delta) t
                 GROUP BY vendor_id),
            recent AS (
                SELECT vendor_id, sum(received) AS received, sum(stored) AS stored, sum(duplicate) AS duplicate,
                       sum(parked) AS parked, sum(dead_lettered) AS dead_lettered
                  FROM (SELECT vendor_id, received, stored, duplicate, parked, dead_lettered
                          FROM reading_tally_minute, w WHERE minute >= w.since
                        UNION ALL
                        SELECT vendor_id, received, stored, duplicate, parked, dead_lettered
                          FROM reading_tally_delta, w WHERE recorded_at >= w.since) r
                 GROUP BY vendor_id)
            SELECT w.since, w.until, t.vendor_id, t.received, t.stored, t.duplicate, t.parked, t.dead_lettered, t.last_received_at,
                   coalesce(r.received, 0), coalesce(r.stored, 0), coalesce(r.duplicate, 0), coalesce(r.parked, 0),
                   coalesce(r.dead_lettered, 0)
              FROM w LEFT JOIN totals t ON true LEFT JOIN recent r USING (vendor_id)
             ORDER BY t.vendor_id
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
     * Each vendor's counts, the part of them recorded from the minute {@code window} ago began until
     * now (so the window is up to a minute longer than asked), and when its latest reading arrived:
     * one snapshot, read from the tallies alone.
     */
    public Activity activity(Duration window) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(ACTIVITY)) {
            ps.setLong(1, window.toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                OffsetDateTime since = null;
                OffsetDateTime until = null;
                Map<String, VendorActivity> vendors = new TreeMap<>();
                while (rs.next()) {
                    since = rs.getObject(1, OffsetDateTime.class);
                    until = rs.getObject(2, OffsetDateTime.class);
                    String vendor = rs.getString(3);
                    if (vendor != null) {
                        vendors.put(vendor, new VendorActivity(
                                new TallyDelta(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)),
                                new TallyDelta(rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14)),
                                rs.getObject(9, OffsetDateTime.class)));
                    }
                }
                return new Activity(since, until, vendors);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading counts could not be read", e);
        }
    }

    /** Every vendor's activity, and the window its recent counts cover: [since, until). */
    public record Activity(OffsetDateTime since, OffsetDateTime until, Map<String, VendorActivity> vendors) {
    }

    /**
     * @param total          all the vendor's counts
     * @param recent         those recorded within the window; unparking moves readings from parked to stored then, without receiving any
     * @param lastReceivedAt when a transaction last received one of its readings, or null
     */
    public record VendorActivity(TallyDelta total, TallyDelta recent, OffsetDateTime lastReceivedAt) {
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
                s.executeUpdate(FORGET_MINUTES);
            }
            c.commit();
        }
    }
}
