package no.knutepunkt.testing;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The audit log as a test reads it: its head (the last seq) before a request, and the rows
 * appended after it. Refusals of tokens are recorded asynchronously (AuditLog.recordLater), so
 * {@link #awaitAfter} waits for the row rather than expecting it to be there with the answer.
 */
public final class AuditTrail {

    /** One audit_event row, the fields a refusal or a grant is judged by. */
    public record Row(long seq, String action, String outcome, String reason, String entryPoint, UUID patientId, String role,
            String hprNumber) {
    }

    private final Connection c;

    /** Reads through the caller's connection (the hub's role may select from audit_event). */
    public AuditTrail(Connection c) {
        this.c = c;
    }

    /** The last seq in the log, 0 when it is empty. */
    public long head() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_event"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows with seq above {@code seq}, in order. */
    public List<Row> after(long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT seq, action, outcome, reason, entry_point, patient_id, role, hpr_number
                  FROM audit_event WHERE seq > ? ORDER BY seq""")) {
            ps.setLong(1, seq);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getObject(6, UUID.class), rs.getString(7), rs.getString(8)));
                }
            }
            return rows;
        }
    }

    /** Waits until a row after {@code seq} matches, then returns every row after {@code seq}. */
    public List<Row> awaitAfter(long seq, Predicate<Row> wanted) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> after(seq), rows -> rows.stream().anyMatch(wanted));
    }
}
