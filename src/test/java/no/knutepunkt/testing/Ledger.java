package no.knutepunkt.testing;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the hub recorded about the messages a test sent: the raw inbound messages with their
 * receipts, the dead letters, the readings, and the per-vendor tally — both as GET /status reports
 * it (to the operator) and as the tables themselves add up. Read straight from the database, independently of the
 * hub's own queries.
 */
public final class Ledger implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection c;

    public Ledger() throws SQLException {
        var config = ConfigProvider.getConfig();
        c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    /** A message as the hub recorded it when it arrived, with the receipt it got. */
    public record Inbound(UUID id, String transport, String messageId, byte[] payload, String status, JsonNode receipt) {
    }

    /** A refused reading, or an unreadable message (no reading key). */
    public record DeadLetter(UUID inboundMessageId, String readingKey, String reasonCode, String reason, byte[] payload) {
    }

    /** A reading that was not refused: stored (with its Observation) or parked. */
    public record Reading(String identifier, String deviceSerial, String state, OffsetDateTime effective, String parkedReason,
            JsonNode observation) {
    }

    /** received = stored + duplicate + parked + deadLettered, per vendor (device-contract.md). */
    public record Tally(long received, long stored, long duplicate, long parked, long deadLettered) {

        public static final Tally ZERO = new Tally(0, 0, 0, 0, 0);

        public Tally minus(Tally o) {
            return new Tally(received - o.received, stored - o.stored, duplicate - o.duplicate, parked - o.parked,
                    deadLettered - o.deadLettered);
        }

        public boolean balances() {
            return received == stored + duplicate + parked + deadLettered;
        }

        public static Tally stored(long n) {
            return new Tally(n, n, 0, 0, 0);
        }

        public static Tally duplicate(long n) {
            return new Tally(n, 0, n, 0, 0);
        }

        public static Tally parked(long n) {
            return new Tally(n, 0, 0, n, 0);
        }

        public static Tally deadLettered(long n) {
            return new Tally(n, 0, 0, 0, n);
        }
    }

    /** The inbound messages that arrived on this vendor's device topic, oldest first. */
    public List<Inbound> inbound(String vendor, String topicDevice) throws SQLException {
        List<Inbound> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, transport, message_id, payload, status, receipt FROM inbound_message
                 WHERE vendor_id = ? AND topic_device_id = ? ORDER BY received_at, id""")) {
            ps.setString(1, vendor);
            ps.setString(2, topicDevice);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Inbound(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getBytes(4), rs.getString(5),
                            json(rs.getString(6))));
                }
            }
        }
        return rows;
    }

    /** The dead letters of messages that arrived on this vendor's device topic, in reading-key order. */
    public List<DeadLetter> deadLetters(String vendor, String topicDevice) throws SQLException {
        List<DeadLetter> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT inbound_message_id, reading_key, reason_code, reason, payload FROM dead_letter_raw
                 WHERE vendor_id = ? AND topic_device_id = ? ORDER BY reading_key NULLS FIRST, id""")) {
            ps.setString(1, vendor);
            ps.setString(2, topicDevice);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new DeadLetter(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getBytes(5)));
                }
            }
        }
        return rows;
    }

    /** The readings (stored or parked) measured by this device of the vendor, in identifier order. */
    public List<Reading> readings(String vendor, String deviceSerial) throws SQLException {
        List<Reading> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT identifier, device_serial, state, effective, parked_reason, observation FROM reading
                 WHERE vendor_id = ? AND device_serial = ? ORDER BY identifier""")) {
            ps.setString(1, vendor);
            ps.setString(2, deviceSerial);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String observation = rs.getString(6);
                    rows.add(new Reading(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class),
                            rs.getString(5), observation == null ? null : json(observation)));
                }
            }
        }
        return rows;
    }

    /** This vendor's counts as GET /status reports them (zero before its first message). */
    public static Tally status(String vendor) {
        JsonNode v = statusOf(vendor);
        return v == null ? Tally.ZERO
                : new Tally(v.get("received").asLong(), v.get("stored").asLong(), v.get("duplicate").asLong(), v.get("parked").asLong(),
                        v.get("deadLettered").asLong());
    }

    /** GET /status's own verdict on this vendor's balance; true before its first message. */
    public static boolean statusSaysBalanced(String vendor) {
        JsonNode v = statusOf(vendor);
        return v == null || v.get("balanced").asBoolean();
    }

    /** As the operator: the counts are the operator's to see. */
    private static JsonNode statusOf(String vendor) {
        String body = given().auth().oauth2(Tokens.operator()).get("/status").then().statusCode(200).extract().asString();
        return json(body).path("vendors").get(vendor);
    }

    /**
     * This vendor's counts as the tables add up, in one snapshot: every result of every stored
     * receipt was received; stored and parked are reading rows; each dead letter is one refused
     * reading (or unreadable message); a duplicate stores nothing, so only its receipts show it.
     */
    public Tally tables(String vendor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT (SELECT count(*) FROM inbound_message m, json_array_elements(m.receipt::json -> 'results') r
                         WHERE m.vendor_id = ?),
                       (SELECT count(*) FROM reading WHERE vendor_id = ? AND state = 'stored'),
                       (SELECT count(*) FROM inbound_message m, json_array_elements(m.receipt::json -> 'results') r
                         WHERE m.vendor_id = ? AND r ->> 'status' = 'duplicate'),
                       (SELECT count(*) FROM reading WHERE vendor_id = ? AND state = 'parked'),
                       (SELECT count(*) FROM dead_letter WHERE vendor_id = ?)""")) {
            for (int i = 1; i <= 5; i++) {
                ps.setString(i, vendor);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Tally(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
