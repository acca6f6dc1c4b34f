package no.knutepunkt.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    private static final String CLAIM = """
            INSERT INTO reading (id, vendor_id, identifier, device_serial, loinc, effective, value_key, kind, state,
                                 received_at, inbound_message_id, device_id, patient_id, enrollment_id,
                                 observation, parked_reading, parked_reason)
            SELECT id, vendor_id, identifier, device_serial, loinc, effective, value_key, kind,
                   CASE WHEN observation IS NULL THEN 'parked' ELSE 'stored' END,
                   received_at, inbound_message_id, device_id, patient_id, enrollment_id,
                   observation, parked_reading, parked_reason
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[],
                          ?::timestamptz[], ?::uuid[], ?::bigint[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[])
                   AS r(id, vendor_id, identifier, device_serial, loinc, effective, value_key, kind,
                        received_at, inbound_message_id, device_id, patient_id, enrollment_id,
                        observation, parked_reading, parked_reason)
            ON CONFLICT DO NOTHING
            RETURNING id
            """;

    private static final String MEASUREMENTS = """
            INSERT INTO measurement (time, patient_id, device_id, loinc, value, comparator, unit, observation_id)
            SELECT * FROM unnest(?::timestamptz[], ?::uuid[], ?::bigint[], ?::text[], ?::numeric[], ?::text[], ?::text[], ?::uuid[])
            """;

    private static final String INBOUND = """
            INSERT INTO inbound_message (id, received_at, transport, vendor_id, topic_device_id, message_id, payload, status, receipt)
            SELECT * FROM unnest(?::uuid[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::text[], ?::text[])
            """;

    private static final String DEAD_LETTERS = """
            INSERT INTO dead_letter (inbound_message_id, received_at, vendor_id, topic_device_id, reading_key, reason_code, reason, payload)
            SELECT * FROM unnest(?::uuid[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[])
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
        try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            int i = 1;
            ps.setArray(i++, c.createArrayOf("uuid", col(rows, ReadingRow::id)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::vendorId)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::identifier)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::deviceSerial)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::loinc)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, r -> time(r.effective()))));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::valueKey)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::kind)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, r -> time(r.receivedAt()))));
            ps.setArray(i++, c.createArrayOf("uuid", col(rows, ReadingRow::inboundMessageId)));
            ps.setArray(i++, c.createArrayOf("bigint", col(rows, ReadingRow::deviceId)));
            ps.setArray(i++, c.createArrayOf("uuid", col(rows, ReadingRow::patientId)));
            ps.setArray(i++, c.createArrayOf("uuid", col(rows, ReadingRow::enrollmentId)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::observation)));
            ps.setArray(i++, c.createArrayOf("text", col(rows, ReadingRow::parkedReading)));
            ps.setArray(i, c.createArrayOf("text", col(rows, ReadingRow::parkedReason)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return inserted;
    }

    public void measurements(Connection c, List<MeasurementRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(MEASUREMENTS)) {
            ps.setArray(1, c.createArrayOf("text", col(rows, r -> time(r.time()))));
            ps.setArray(2, c.createArrayOf("uuid", col(rows, MeasurementRow::patientId)));
            ps.setArray(3, c.createArrayOf("bigint", col(rows, MeasurementRow::deviceId)));
            ps.setArray(4, c.createArrayOf("text", col(rows, MeasurementRow::loinc)));
            ps.setArray(5, c.createArrayOf("numeric", col(rows, MeasurementRow::value)));
            ps.setArray(6, c.createArrayOf("text", col(rows, MeasurementRow::comparator)));
            ps.setArray(7, c.createArrayOf("text", col(rows, MeasurementRow::unit)));
            ps.setArray(8, c.createArrayOf("uuid", col(rows, MeasurementRow::observationId)));
            ps.executeUpdate();
        }
    }

    public void inbound(Connection c, List<InboundRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INBOUND)) {
            ps.setArray(1, c.createArrayOf("uuid", col(rows, InboundRow::id)));
            ps.setArray(2, c.createArrayOf("text", col(rows, r -> time(r.receivedAt()))));
            ps.setArray(3, c.createArrayOf("text", col(rows, InboundRow::transport)));
            ps.setArray(4, c.createArrayOf("text", col(rows, InboundRow::vendorId)));
            ps.setArray(5, c.createArrayOf("text", col(rows, InboundRow::topicDeviceId)));
            ps.setArray(6, c.createArrayOf("text", col(rows, InboundRow::messageId)));
            ps.setArray(7, c.createArrayOf("bytea", rows.stream().map(InboundRow::payload).toArray(byte[][]::new)));
            ps.setArray(8, c.createArrayOf("text", col(rows, InboundRow::status)));
            ps.setArray(9, c.createArrayOf("text", col(rows, InboundRow::receipt)));
            ps.executeUpdate();
        }
    }

    public void deadLetters(Connection c, List<DeadLetterRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(DEAD_LETTERS)) {
            ps.setArray(1, c.createArrayOf("uuid", col(rows, DeadLetterRow::inboundMessageId)));
            ps.setArray(2, c.createArrayOf("text", col(rows, r -> time(r.receivedAt()))));
            ps.setArray(3, c.createArrayOf("text", col(rows, DeadLetterRow::vendorId)));
            ps.setArray(4, c.createArrayOf("text", col(rows, DeadLetterRow::topicDeviceId)));
            ps.setArray(5, c.createArrayOf("text", col(rows, DeadLetterRow::readingKey)));
            ps.setArray(6, c.createArrayOf("text", col(rows, DeadLetterRow::reasonCode)));
            ps.setArray(7, c.createArrayOf("text", col(rows, DeadLetterRow::reason)));
            ps.setArray(8, c.createArrayOf("bytea", rows.stream().map(DeadLetterRow::payload).toArray(byte[][]::new)));
            ps.executeUpdate();
        }
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
                   enrollment_id = u.enrollment_id, observation = u.observation, parked_reading = NULL, parked_reason = NULL
              FROM unnest(?::uuid[], ?::bigint[], ?::uuid[], ?::uuid[], ?::text[]) AS u(id, device_id, patient_id, enrollment_id, observation)
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
            ps.setArray(5, c.createArrayOf("text", col(rows, ReadingRow::observation)));
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

    private static String time(OffsetDateTime t) {
        return t == null ? null : t.toString();
    }
}
