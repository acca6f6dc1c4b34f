package no.knutepunkt.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import no.knutepunkt.common.ReadingFlags;

/**
 * Marks readings already stored when a pause is recorded after it began (and unmarks those after
 * a resumption), so that a reading's paused flag and its Observation's tag say the same as if the
 * pause had been known when it arrived. New readings are marked by routing as they are stored.
 */
@ApplicationScoped
class PausedReadings {

    // Decimals exactly as written ("80.00" stays "80.00"): only the tag may change.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** Marks the enrollment's stored readings measured in [from, to) (to null: from on). */
    void mark(Connection c, UUID enrollmentId, OffsetDateTime from, OffsetDateTime to) throws SQLException {
        rewrite(c, "SELECT id, observation FROM reading WHERE enrollment_id = ? AND state = 'stored' AND NOT paused AND effective >= ?"
                + (to == null ? "" : " AND effective < ?") + " FOR UPDATE", enrollmentId, from, to, true);
    }

    /** Unmarks the enrollment's readings measured at or after {@code from}. */
    void unmark(Connection c, UUID enrollmentId, OffsetDateTime from) throws SQLException {
        rewrite(c, "SELECT id, observation FROM reading WHERE enrollment_id = ? AND state = 'stored' AND paused AND effective >= ? FOR UPDATE",
                enrollmentId, from, null, false);
    }

    private static void rewrite(Connection c, String select, UUID enrollmentId, OffsetDateTime from, OffsetDateTime to, boolean paused)
            throws SQLException {
        List<UUID> ids = new ArrayList<>();
        List<String> observations = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setObject(1, enrollmentId);
            ps.setObject(2, from);
            if (to != null) {
                ps.setObject(3, to);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                    observations.add(tagged(rs.getString(2), paused));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE reading SET paused = ?, observation = ? WHERE id = ?")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setBoolean(1, paused);
                ps.setString(2, observations.get(i));
                ps.setObject(3, ids.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The Observation with the enrollment-paused tag added or removed. */
    static String tagged(String observation, boolean paused) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(observation);
            ObjectNode meta = o.has("meta") ? (ObjectNode) o.get("meta") : o.putObject("meta");
            ArrayNode tags = meta.has("tag") ? (ArrayNode) meta.get("tag") : meta.putArray("tag");
            for (int i = tags.size() - 1; i >= 0; i--) {
                JsonNode t = tags.get(i);
                if (ReadingFlags.SYSTEM.equals(t.path("system").asText()) && ReadingFlags.ENROLLMENT_PAUSED.equals(t.path("code").asText())) {
                    tags.remove(i);
                }
            }
            if (paused) {
                tags.addObject().put("system", ReadingFlags.SYSTEM).put("code", ReadingFlags.ENROLLMENT_PAUSED);
            }
            if (tags.isEmpty()) {
                meta.remove("tag");
            }
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored Observation is not JSON", e);
        }
    }
}
