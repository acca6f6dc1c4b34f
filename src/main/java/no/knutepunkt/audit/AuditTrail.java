package no.knutepunkt.audit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads the audit log back: for the patient's own access log, the FHIR AuditEvent views and the
 * patient's export. Newest first, a page at a time by {@code seq} (keyset: rows appended while a
 * client pages neither repeat nor skip), or every row of one patient in a caller's transaction.
 * Only reads; what may be read is the access policy's business, asked before this is.
 */
@ApplicationScoped
public class AuditTrail {

    /** The columns {@link AuditVerification#row} reads, in its order, then the organisation's name. */
    private static final String COLUMNS = """
            SELECT a.seq, a.id, a.recorded_at, a.action, a.outcome, a.purpose, a.subject, a.person_name, a.hpr_number,
                   a.organisation_number, a.role, a.client_id, a.issuer, a.patient_id, a.resource_type, a.resource_ids,
                   a.entry_point, a.source_address, a.reason, a.emergency_access_id, o.name
              FROM audit_event a LEFT JOIN organisation o ON o.org_number = a.organisation_number::bpchar""";

    /**
     * One stored row.
     *
     * @param organisationName the registered name of the organisation the row names, or null
     */
    public record Event(long seq, UUID id, Instant recordedAt, AuditEntry entry, String organisationName) {
    }

    /**
     * Which rows: every condition that is not null must hold.
     *
     * @param patient  rows about this patient
     * @param from     recorded at or after
     * @param to       recorded before
     * @param outcome  allowed or denied
     * @param subject  rows of this caller (the token's subject, as the row names it)
     */
    public record Filter(UUID patient, Instant from, Instant to, AuditEntry.Outcome outcome, String subject) {

        public static final Filter ALL = new Filter(null, null, null, null, null);
    }

    private final DataSource db;

    AuditTrail(DataSource db) {
        this.db = db;
    }

    /**
     * Up to {@code limit} rows, newest first.
     *
     * @param beforeSeq only rows older than this one (the previous page's last seq), or null from the newest
     */
    public List<Event> page(Filter f, Long beforeSeq, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(COLUMNS).append(" WHERE true");
        List<Object> params = new ArrayList<>();
        if (f.patient() != null) {
            sql.append(" AND a.patient_id = ?");
            params.add(f.patient());
        }
        if (f.from() != null) {
            sql.append(" AND a.recorded_at >= ?");
            params.add(OffsetDateTime.ofInstant(f.from(), ZoneOffset.UTC));
        }
        if (f.to() != null) {
            sql.append(" AND a.recorded_at < ?");
            params.add(OffsetDateTime.ofInstant(f.to(), ZoneOffset.UTC));
        }
        if (f.outcome() != null) {
            sql.append(" AND a.outcome = ?");
            params.add(f.outcome().code());
        }
        if (f.subject() != null) {
            sql.append(" AND a.subject = ?");
            params.add(f.subject());
        }
        if (beforeSeq != null) {
            sql.append(" AND a.seq < ?");
            params.add(beforeSeq);
        }
        // Newest first by seq, not by time: seq is the chain's order and unique, so it pages exactly.
        sql.append(" ORDER BY a.seq DESC LIMIT ?");
        params.add(limit);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<Event> out = new ArrayList<>(Math.min(limit, 1000));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(event(rs));
                }
            }
            return out;
        }
    }

    /** The row with this id, or null. */
    public Event byId(UUID id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE a.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? event(rs) : null;
            }
        }
    }

    /** How many rows name this patient, as the caller's transaction sees them. */
    public static long countOfPatient(Connection c, UUID patient) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_event WHERE patient_id = ?")) {
            ps.setObject(1, patient);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What is done with each row of {@link #eachOfPatient}: written out, typically. */
    @FunctionalInterface
    public interface Sink {
        void accept(Event e) throws IOException;
    }

    /**
     * Hands every row naming this patient to the sink, oldest first, read through a cursor in the
     * caller's transaction (which must not be in auto-commit), so that years of log never sit in
     * memory at once.
     */
    public static void eachOfPatient(Connection c, UUID patient, Sink sink) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement(COLUMNS + " WHERE a.patient_id = ? ORDER BY a.seq")) {
            ps.setFetchSize(500);
            ps.setObject(1, patient);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(event(rs));
                }
            }
        }
    }

    private static Event event(ResultSet rs) throws SQLException {
        AuditChain.Row row = AuditVerification.row(rs);
        return new Event(row.seq(), row.id(), row.recordedAt(), row.e(), rs.getString(21));
    }
}
