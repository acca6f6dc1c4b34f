package no.knutepunkt.fhir;

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

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

import no.knutepunkt.access.AccessPolicy;

/**
 * Reads stored Observations (the {@code reading} table) for the FHIR API. Every patient search
 * walks the {@code reading_patient} index once per kind, newest or oldest first, and stops after a
 * page: its cost follows the page size, not the length of the patient's history.
 */
@Singleton
class ObservationStore {

    /** A stored Observation, its place in the search order, and whose it is. */
    record Row(UUID id, Instant effective, UUID patient, String json) {
    }

    private final DataSource db;

    @Inject
    ObservationStore(DataSource db) {
        this.db = db;
    }

    /** The stored Observation, or null if there is none by that id. */
    Row read(UUID id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, effective, patient_id, observation FROM reading WHERE id = ? AND state = 'stored'")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getObject(3, UUID.class),
                rs.getString(4));
    }

    /**
     * Up to {@code limit} rows of the search from the cursor on (or from the start), in scan order:
     * the search's order, or its reverse when the cursor looks backwards.
     */
    List<Row> scan(ObservationSearch q, ObservationSearch.Cursor cursor, AccessPolicy.Visible visible, int limit) throws SQLException {
        Query sql = query(q, cursor, visible, limit);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql.text)) {
            sql.bind(c, ps);
            List<Row> rows = new ArrayList<>(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
            return rows;
        }
    }

    /** The latest {@code max} Observations of each kind, kinds in the given order, newest first within a kind. */
    List<Row> lastn(UUID patient, List<String> kinds, int max) throws SQLException {
        String sql = """
                SELECT r.id, r.effective, r.patient_id, r.observation
                  FROM unnest(?::text[]) WITH ORDINALITY AS k(kind, n)
                  CROSS JOIN LATERAL (
                        SELECT id, effective, patient_id, observation FROM reading
                         WHERE patient_id = ? AND kind = k.kind AND state = 'stored'
                         ORDER BY effective DESC, id DESC
                         LIMIT ?) r
                 ORDER BY k.n, r.effective DESC, r.id DESC
                """;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", kinds.toArray()));
            ps.setObject(2, patient);
            ps.setInt(3, max);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }
    }

    /**
     * The SQL of a scan and its parameters, in order. Package-visible so a test can EXPLAIN it.
     *
     * @param visible for a search that names no patient, the patients the caller may see (the
     *                policy's condition): applied here, so that a page holds only what the caller
     *                may see and is as full as the search allows; null when the search names its patient
     */
    static Query query(ObservationSearch q, ObservationSearch.Cursor cursor, AccessPolicy.Visible visible, int limit) {
        boolean descending = !q.ascending() ^ (cursor != null && cursor.before());
        String order = descending ? " ORDER BY effective DESC, id DESC" : " ORDER BY effective, id";
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder(" state = 'stored'");
        if (q.patient() != null) {
            where.append(" AND patient_id = ? AND kind = k.kind");
            params.add(q.patient());
        } else {
            where.append(" AND kind = ANY(?::text[])");
            params.add(q.kinds());
            if (visible == null) {
                throw new IllegalArgumentException("a search that names no patient needs the caller's visible patients");
            }
        }
        if (q.identifierValue() != null) {
            if (q.identifierVendor() != null) {
                where.append(" AND vendor_id = ? AND identifier = ?");
                params.add(q.identifierVendor());
            } else {
                // Each vendor's (vendor_id, identifier) key in turn, so the unique index serves it.
                where.append(" AND (vendor_id, identifier) IN (SELECT v.id, ?::text FROM vendor v)");
            }
            params.add(q.identifierValue());
        }
        if (q.from() != null) {
            where.append(" AND effective >= ?");
            params.add(q.from());
        }
        if (q.to() != null) {
            where.append(" AND effective < ?");
            params.add(q.to());
        }
        if (cursor != null) {
            // Written so that the index serves the effective bound; the id only breaks ties.
            where.append(descending ? " AND effective <= ? AND (effective < ? OR id < ?)" : " AND effective >= ? AND (effective > ? OR id > ?)");
            params.add(cursor.effective());
            params.add(cursor.effective());
            params.add(cursor.id());
        }
        String text;
        if (q.patient() != null) {
            List<Object> all = new ArrayList<>();
            all.add(q.kinds());
            all.addAll(params);
            all.add(limit);
            all.add(limit);
            params = all;
            text = "SELECT r.id, r.effective, r.patient_id, r.observation FROM unnest(?::text[]) AS k(kind) CROSS JOIN LATERAL ("
                    + "SELECT id, effective, patient_id, observation FROM reading WHERE" + where + order + " LIMIT ?) r"
                    + (descending ? " ORDER BY r.effective DESC, r.id DESC" : " ORDER BY r.effective, r.id") + " LIMIT ?";
        } else {
            // Such a search names an identifier (unique per vendor), so the few rows it finds come
            // first and the caller's condition is applied to them (OFFSET 0 keeps the planner from
            // starting at the caller's patients instead).
            params.addAll(visible.params());
            params.add(limit);
            text = "SELECT id, effective, patient_id, observation FROM (SELECT id, effective, patient_id, observation FROM reading WHERE"
                    + where + " OFFSET 0) r WHERE " + visible.on("r.patient_id") + order + " LIMIT ?";
        }
        return new Query(text, params);
    }

    record Query(String text, List<Object> params) {

        void bind(Connection c, PreparedStatement ps) throws SQLException {
            for (int i = 0; i < params.size(); i++) {
                Object p = params.get(i);
                if (p instanceof List<?> list) {
                    ps.setArray(i + 1, c.createArrayOf("text", list.toArray()));
                } else if (p instanceof Instant t) {
                    ps.setObject(i + 1, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
                } else {
                    ps.setObject(i + 1, p);
                }
            }
        }
    }
}
