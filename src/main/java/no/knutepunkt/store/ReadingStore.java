package no.knutepunkt.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes one ingest transaction's rows, each table in one statement (arrays unnested server-side),
 * so a batch of hundreds of messages costs a handful of round trips and one commit. The caller
 * owns the transaction.
 */
@ApplicationScoped
public class ReadingStore {

    /** Per session; emptied at every commit. Same columns as the COPY below. */
    private static final String STAGING = """
            CREATE TEMP TABLE IF NOT EXISTS reading_staging (
                id uuid, vendor_id text, identifier text, device_serial text, loinc text, effective timestamptz,
                content_key text, kind text, received_at timestamptz, inbound_message_id uuid, device_id bigint,
                patient_id uuid, enrollment_id uuid, observation text, parked_reading text, parked_reason text, paused boolean
            ) ON COMMIT DELETE ROWS
            """;

    // Ordered by key, so concurrent writers mostly take row locks in the same order; a deadlock the
    // content key can still cause is detected by PostgreSQL and the batch retried.
    private static final String CLAIM = """
            INSERT INTO reading (id, vendor_id, identifier, device_serial, loinc, effective, content_key, kind, state,
                                 received_at, inbound_message_id, device_id, patient_id, enrollment_id,
                                 observation, parked_reading, parked_reason, paused)
            SELECT id, vendor_id, identifier, device_serial, loinc, effective, content_key, kind,
                   CASE WHEN observation IS NULL THEN 'parked' ELSE 'stored' END,
                   received_at, inbound_message_id, device_id, patient_id, enrollment_id,
                   observation, parked_reading, parked_reason, paused
              FROM reading_staging ORDER BY vendor_id, identifier
            ON CONFLICT DO NOTHING
            RETURNING id
            """;

    private static final String TALLY = """
            INSERT INTO reading_tally_delta (vendor_id, received, stored, duplicate, parked, dead_lettered)
            SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
            """;

    /**
     * Inserts the readings whose identity is not yet taken; a reading whose identifier or content
     * key already exists is left out. Rows must not repeat a key among themselves.
     *
     * @return the ids of the rows inserted; the others are duplicates
     */
    public Set<UUID> claim(Connection c, List<ReadingRow> rows) throws SQLException {
        Set<UUID> inserted = new HashSet<>();
        if (rows.isEmpty()) {
            return inserted;
        }
        try (Statement s = c.createStatement()) {
            s.execute(STAGING);
        }
        BinaryCopy copy = new BinaryCopy(17);
        for (ReadingRow r : rows) {
            copy.row().uuid(r.id()).text(r.vendorId()).text(r.identifier()).text(r.deviceSerial()).text(r.loinc())
                    .timestamptz(r.effective()).text(r.contentKey()).text(r.kind()).timestamptz(r.receivedAt())
                    .uuid(r.inboundMessageId()).int8(r.deviceId()).uuid(r.patientId()).uuid(r.enrollmentId())
                    .bytes(r.observation()).text(r.parkedReading()).text(r.parkedReason()).bool(r.paused());
        }
        copy.copyInto(c, "reading_staging");
        try (PreparedStatement ps = c.prepareStatement(CLAIM); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                inserted.add(rs.getObject(1, UUID.class));
            }
        }
        return inserted;
    }

    public void measurements(Connection c, List<MeasurementRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        BinaryCopy copy = new BinaryCopy(8);
        for (MeasurementRow m : rows) {
            copy.row().timestamptz(m.time()).uuid(m.patientId()).int8(m.deviceId()).text(m.loinc()).numeric(m.value())
                    .text(m.comparator()).text(m.unit()).uuid(m.observationId());
        }
        copy.copyInto(c, "measurement (time, patient_id, device_id, loinc, value, comparator, unit, observation_id)");
    }

    public void inbound(Connection c, List<InboundRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        BinaryCopy copy = new BinaryCopy(9);
        for (InboundRow m : rows) {
            copy.row().uuid(m.id()).timestamptz(m.receivedAt()).text(m.transport()).text(m.vendorId()).text(m.topicDeviceId())
                    .text(m.messageId()).bytes(m.payload()).text(m.status()).text(m.receipt());
        }
        copy.copyInto(c, "inbound_message (id, received_at, transport, vendor_id, topic_device_id, message_id, payload, status, receipt)");
    }

    public void deadLetters(Connection c, List<DeadLetterRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        BinaryCopy copy = new BinaryCopy(7);
        for (DeadLetterRow d : rows) {
            copy.row().uuid(d.inboundMessageId()).timestamptz(d.receivedAt()).text(d.vendorId()).text(d.topicDeviceId())
                    .text(d.readingKey()).text(d.reasonCode()).text(d.reason());
        }
        copy.copyInto(c, "dead_letter (inbound_message_id, received_at, vendor_id, topic_device_id, reading_key, reason_code, reason)");
    }

    /** Appends each vendor's counts for this transaction. */
    public void tally(Connection c, Map<String, TallyDelta> deltas) throws SQLException {
        List<Map.Entry<String, TallyDelta>> rows = deltas.entrySet().stream().filter(e -> !e.getValue().isZero()).toList();
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(TALLY)) {
            ps.setArray(1, c.createArrayOf("text", col(rows, Map.Entry::getKey)));
            ps.setArray(2, c.createArrayOf("bigint", col(rows, e -> e.getValue().received())));
            ps.setArray(3, c.createArrayOf("bigint", col(rows, e -> e.getValue().stored())));
            ps.setArray(4, c.createArrayOf("bigint", col(rows, e -> e.getValue().duplicate())));
            ps.setArray(5, c.createArrayOf("bigint", col(rows, e -> e.getValue().parked())));
            ps.setArray(6, c.createArrayOf("bigint", col(rows, e -> e.getValue().deadLettered())));
            ps.executeUpdate();
        }
    }

    private static final String PARKED = """
            SELECT r.id, r.parked_reading, r.received_at, r.inbound_message_id FROM reading r
             WHERE r.state = 'parked' AND r.vendor_id = ? AND r.device_serial = ?
               AND EXISTS (SELECT 1 FROM device d JOIN device_assignment a ON a.device_id = d.id
                            WHERE d.vendor_id = r.vendor_id AND d.serial = r.device_serial
                              AND a.valid_from <= r.effective AND (a.valid_to IS NULL OR r.effective < a.valid_to))
             ORDER BY r.effective LIMIT ? FOR UPDATE OF r
            """;

    private static final String UNPARK = """
            UPDATE reading r SET state = 'stored', device_id = u.device_id, patient_id = u.patient_id,
                   enrollment_id = u.enrollment_id, observation = u.observation, parked_reading = NULL, parked_reason = NULL,
                   paused = u.paused
              FROM unnest(?::uuid[], ?::bigint[], ?::uuid[], ?::uuid[], ?::text[], ?::boolean[])
                   AS u(id, device_id, patient_id, enrollment_id, observation, paused)
             WHERE r.id = u.id AND r.state = 'parked'
            """;

    private static final String PARKED_ROUTABLE = """
            SELECT DISTINCT r.vendor_id, r.device_serial
              FROM reading r
              JOIN device d ON d.vendor_id = r.vendor_id AND d.serial = r.device_serial
              JOIN device_assignment a ON a.device_id = d.id AND a.valid_from <= r.effective
                                      AND (a.valid_to IS NULL OR r.effective < a.valid_to)
             WHERE r.state = 'parked'
             LIMIT ?
            """;

    /** Parked readings of one device that an assignment now covers, oldest first, locked for this transaction. */
    public List<ParkedRow> routableParked(Connection c, String vendorId, String serial, int limit) throws SQLException {
        List<ParkedRow> rows = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PARKED)) {
            ps.setString(1, vendorId);
            ps.setString(2, serial);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ParkedRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                            rs.getObject(4, UUID.class)));
                }
            }
        }
        return rows;
    }

    /** Turns parked readings into stored ones (their identity rows stay as they were claimed). */
    public int unpark(Connection c, List<ReadingRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(UNPARK)) {
            ps.setArray(1, c.createArrayOf("uuid", col(rows, ReadingRow::id)));
            ps.setArray(2, c.createArrayOf("bigint", col(rows, ReadingRow::deviceId)));
            ps.setArray(3, c.createArrayOf("uuid", col(rows, ReadingRow::patientId)));
            ps.setArray(4, c.createArrayOf("uuid", col(rows, ReadingRow::enrollmentId)));
            ps.setArray(5, c.createArrayOf("text", col(rows, r -> new String(r.observation(), java.nio.charset.StandardCharsets.UTF_8))));
            ps.setArray(6, c.createArrayOf("boolean", col(rows, ReadingRow::paused)));
            return ps.executeUpdate();
        }
    }

    /** Devices that have parked readings an assignment now covers (a safety net for missed replays). */
    public List<String[]> devicesWithRoutableParkedReadings(Connection c, int limit) throws SQLException {
        List<String[]> devices = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PARKED_ROUTABLE)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    devices.add(new String[] { rs.getString(1), rs.getString(2) });
                }
            }
        }
        return devices;
    }

    /** A parked reading as needed to route it again. */
    public record ParkedRow(UUID id, String parkedReading, OffsetDateTime receivedAt, UUID inboundMessageId) {
    }

    private static <T> Object[] col(List<T> rows, Function<T, ?> f) {
        Object[] a = new Object[rows.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = f.apply(rows.get(i));
        }
        return a;
    }

}
