package no.knutepunkt.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Walks the audit log's hash chain from its first row and says whether it is whole: every seq
 * follows the one before, every row names the previous row's hash, and every hash is what the
 * row's fields give ({@link AuditChain}). A row changed through SQL, one inserted, one removed
 * from the middle: each is found at its seq. Rows removed from the end leave a shorter but whole
 * chain; an anchor (a seq and its hash noted earlier, as the hub logs them) catches that.
 */
@ApplicationScoped
public class AuditVerification {

    private static final HexFormat HEX = HexFormat.of();
    private static final String ROWS = """
            SELECT seq, id, recorded_at, action, outcome, purpose, subject, person_name, hpr_number, organisation_number, role,
                   client_id, issuer, patient_id, resource_type, resource_ids, entry_point, source_address, reason,
                   emergency_access_id, prev_hash, hash
              FROM audit_event ORDER BY seq""";

    /** Where the chain breaks, and how. */
    public record Break(long seq, String problem) {
    }

    /**
     * @param intact  no break found, and the anchor (if given) is in the chain
     * @param rows    rows checked
     * @param headSeq the last row's seq (0 for an empty log)
     * @param headHash the last row's hash in hex: note it, and a later check against it finds rows removed from the end
     * @param breaks  the first breaks found (at most 20)
     */
    public record Result(boolean intact, long rows, long headSeq, String headHash, List<Break> breaks) {
    }

    private static final int MAX_BREAKS = 20;

    private final DataSource db;

    AuditVerification(DataSource db) {
        this.db = db;
    }

    /**
     * @param anchorSeq  a seq noted earlier, or null
     * @param anchorHash its hash (hex), or null
     */
    public Result verify(Long anchorSeq, String anchorHash) throws SQLException {
        List<Break> breaks = new ArrayList<>();
        long rows = 0;
        long expectedSeq = 1;
        byte[] previous = AuditChain.GENESIS;
        boolean anchorSeen = anchorSeq == null;
        try (Connection c = db.getConnection()) {
            // A cursor, not the whole table in memory: the log only grows.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(ROWS)) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        AuditChain.Row row = row(rs);
                        byte[] prevHash = rs.getBytes(21);
                        byte[] hash = rs.getBytes(22);
                        if (row.seq() != expectedSeq) {
                            add(breaks, new Break(row.seq(), row.seq() > expectedSeq
                                    ? "rows " + expectedSeq + (row.seq() - 1 > expectedSeq ? "–" + (row.seq() - 1) : "") + " are missing"
                                    : "seq repeats or goes back (expected " + expectedSeq + ")"));
                        }
                        if (!AuditChain.same(prevHash, previous)) {
                            add(breaks, new Break(row.seq(), "does not name the previous row's hash"));
                        }
                        if (!AuditChain.same(AuditChain.hash(prevHash, row), hash)) {
                            add(breaks, new Break(row.seq(), "its fields do not give its hash: the row was changed"));
                        }
                        if (anchorSeq != null && row.seq() == anchorSeq) {
                            anchorSeen = true;
                            if (anchorHash == null || !anchorHash.equalsIgnoreCase(HEX.formatHex(hash))) {
                                add(breaks, new Break(row.seq(), "differs from the anchor noted for it"));
                            }
                        }
                        expectedSeq = row.seq() + 1;
                        previous = hash;
                    }
                }
            } finally {
                c.rollback();
            }
        }
        if (!anchorSeen) {
            add(breaks, new Break(anchorSeq, "the anchor's row is gone: rows were removed from the end of the log"));
        }
        long head = expectedSeq - 1;
        return new Result(breaks.isEmpty(), rows, head, rows == 0 ? null : HEX.formatHex(previous), List.copyOf(breaks));
    }

    private static void add(List<Break> breaks, Break b) {
        if (breaks.size() < MAX_BREAKS) {
            breaks.add(b);
        }
    }

    /** A stored row as the chain hashes it; shared with the audit search, which shows the same fields. */
    static AuditChain.Row row(ResultSet rs) throws SQLException {
        Array ids = rs.getArray(16);
        List<String> resourceIds = ids == null ? List.of() : Arrays.asList((String[]) ids.getArray());
        String purpose = rs.getString(6);
        AuditEntry e = new AuditEntry(rs.getString(4), AuditEntry.Outcome.valueOf(rs.getString(5).toUpperCase(java.util.Locale.ROOT)),
                purpose == null ? null : AuditEntry.Purpose.of(purpose),
                new AuditEntry.Who(rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12),
                        rs.getString(13)),
                rs.getObject(14, UUID.class), rs.getString(15), resourceIds, rs.getString(17), rs.getString(18), rs.getString(19),
                rs.getObject(20, UUID.class));
        return new AuditChain.Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, OffsetDateTime.class).toInstant(), e);
    }
}
