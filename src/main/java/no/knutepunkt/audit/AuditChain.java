package no.knutepunkt.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The audit log's hash chain. Each row's hash is SHA-256 over the previous row's hash followed by
 * the row's canonical form: a JSON object of all its fields with the keys sorted, no whitespace,
 * nulls written out, times as UTC ISO-8601 with microseconds (what PostgreSQL keeps). The first
 * row's previous hash is 32 zero bytes. Anyone with read access can recompute it (README, "Audit
 * log"), so a row changed, inserted or removed through SQL is found where it was.
 * <p>
 * Rows are appended under a transaction-scoped advisory lock, with seq = the previous seq + 1, so
 * the chain has one order whatever the number of hub instances, and a gap means a removed row.
 */
public final class AuditChain {

    /** The advisory lock (key pair) that serialises appends: the chain has one head. */
    private static final int LOCK_SPACE = 0x6b6e_6175;
    private static final int LOCK_KEY = 1;
    static final byte[] GENESIS = new byte[32];
    private static final String LOCK_THEN_HEAD = "SELECT pg_advisory_xact_lock(" + LOCK_SPACE + ", " + LOCK_KEY + "); "
            + "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1";

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final String INSERT = """
            INSERT INTO audit_event (seq, id, recorded_at, action, outcome, purpose, subject, person_name, hpr_number,
                                     organisation_number, role, client_id, issuer, patient_id, resource_type, resource_ids,
                                     entry_point, source_address, reason, emergency_access_id, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private AuditChain() {
    }

    /** A row as stored: its place in the chain and when it was recorded. */
    public record Stored(long seq, UUID id, Instant recordedAt) {
    }

    /** One row as the chain hashes it. */
    record Row(long seq, UUID id, Instant recordedAt, AuditEntry e) {
    }

    /**
     * Appends the entries, in order, inside the caller's transaction; the lock is held until it
     * ends, so keep that short. Times are truncated to microseconds, as stored.
     */
    static List<Stored> append(Connection c, List<AuditEntry> entries, Instant now) throws SQLException {
        if (entries.isEmpty()) {
            return List.of();
        }
        long seq = 0;
        byte[] prev = GENESIS;
        // Two statements in one round trip: the lock, then the head. Each statement of a READ
        // COMMITTED transaction reads its own snapshot, so the head is read after the lock is held
        // and is the one every other appender committed before it.
        try (Statement s = c.createStatement()) {
            s.execute(LOCK_THEN_HEAD);
            if (!s.getMoreResults()) {
                throw new SQLException("the audit chain's head query gave no result");
            }
            try (ResultSet rs = s.getResultSet()) {
                if (rs.next()) {
                    seq = rs.getLong(1);
                    prev = rs.getBytes(2);
                }
            }
        }
        Instant at = now.truncatedTo(ChronoUnit.MICROS);
        List<Stored> stored = new ArrayList<>(entries.size());
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (AuditEntry e : entries) {
                Row row = new Row(++seq, UUID.randomUUID(), at, e);
                byte[] hash = hash(prev, row);
                bind(c, ps, row, prev, hash);
                ps.addBatch();
                stored.add(new Stored(row.seq(), row.id(), at));
                prev = hash;
            }
            ps.executeBatch();
        }
        return stored;
    }

    private static void bind(Connection c, PreparedStatement ps, Row row, byte[] prev, byte[] hash) throws SQLException {
        AuditEntry e = row.e();
        AuditEntry.Who w = e.who() == null ? AuditEntry.Who.UNKNOWN : e.who();
        int i = 1;
        ps.setLong(i++, row.seq());
        ps.setObject(i++, row.id());
        ps.setObject(i++, OffsetDateTime.ofInstant(row.recordedAt(), ZoneOffset.UTC));
        ps.setString(i++, e.action());
        ps.setString(i++, e.outcome().code());
        ps.setString(i++, e.purpose() == null ? null : e.purpose().code());
        ps.setString(i++, w.subject());
        ps.setString(i++, w.name());
        ps.setString(i++, w.hprNumber());
        ps.setString(i++, w.organisationNumber());
        ps.setString(i++, w.role());
        ps.setString(i++, w.clientId());
        ps.setString(i++, w.issuer());
        ps.setObject(i++, e.patientId());
        ps.setString(i++, e.resourceType());
        Array ids = c.createArrayOf("text", e.resourceIds().toArray());
        ps.setArray(i++, ids);
        ps.setString(i++, e.entryPoint());
        ps.setString(i++, e.sourceAddress());
        ps.setString(i++, e.reason());
        ps.setObject(i++, e.emergencyAccessId());
        ps.setBytes(i++, prev);
        ps.setBytes(i, hash);
    }

    /** The row's hash, given the previous row's. */
    static byte[] hash(byte[] previous, Row row) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previous);
            sha.update(canonical(row).getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The canonical form (see the class comment); package-visible for the verifier and its test. */
    static String canonical(Row row) {
        AuditEntry e = row.e();
        AuditEntry.Who w = e.who() == null ? AuditEntry.Who.UNKNOWN : e.who();
        Map<String, Object> fields = new TreeMap<>();
        fields.put("seq", row.seq());
        fields.put("id", row.id().toString());
        fields.put("recorded_at", MICROS.format(row.recordedAt()));
        fields.put("action", e.action());
        fields.put("outcome", e.outcome().code());
        fields.put("purpose", e.purpose() == null ? null : e.purpose().code());
        fields.put("subject", w.subject());
        fields.put("person_name", w.name());
        fields.put("hpr_number", w.hprNumber());
        fields.put("organisation_number", w.organisationNumber());
        fields.put("role", w.role());
        fields.put("client_id", w.clientId());
        fields.put("issuer", w.issuer());
        fields.put("patient_id", e.patientId() == null ? null : e.patientId().toString());
        fields.put("resource_type", e.resourceType());
        fields.put("resource_ids", e.resourceIds());
        fields.put("entry_point", e.entryPoint());
        fields.put("source_address", e.sourceAddress());
        fields.put("reason", e.reason());
        fields.put("emergency_access_id", e.emergencyAccessId() == null ? null : e.emergencyAccessId().toString());
        try {
            return CANONICAL.writeValueAsString(fields);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("an audit row that cannot be written as JSON", ex);
        }
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
