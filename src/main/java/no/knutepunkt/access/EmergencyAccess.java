package no.knutepunkt.access;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Break-the-glass: a clinician outside the care team states why and gets time-limited access to
 * one patient's data, logged as emergency access and listed for the operator's review. A patient's
 * block wins over it (the policy checks the block first, every time).
 */
@ApplicationScoped
class EmergencyAccess {

    private static final String COLUMNS = "g.id, g.patient_id, g.subject, g.hpr_number, g.person_name, g.organisation_id, o.name, "
            + "g.reason, g.granted_at, g.expires_at, g.reviewed_at, g.reviewed_by, g.review_note";
    private static final String FROM = " FROM emergency_access g JOIN organisation o ON o.id = g.organisation_id";

    EmergencyGrant grant(Connection c, Caller caller, UUID patientId, String reason, OffsetDateTime now, OffsetDateTime expires)
            throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO emergency_access (id, patient_id, subject, hpr_number, person_name, "
                + "organisation_id, reason, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, patientId);
            ps.setString(3, caller.subject());
            ps.setString(4, caller.hprNumber());
            ps.setString(5, caller.name());
            ps.setObject(6, caller.organisation().id());
            ps.setString(7, reason);
            ps.setObject(8, now);
            ps.setObject(9, expires);
            ps.executeUpdate();
        }
        return query(c, " WHERE g.id = ?", List.of(id)).get(0);
    }

    /** The caller's grants in force. */
    List<EmergencyGrant> inForce(Connection c, Caller caller) throws SQLException {
        return query(c, " WHERE g.hpr_number = ? AND g.organisation_id = ? AND g.expires_at > now() ORDER BY g.expires_at DESC",
                List.of(caller.hprNumber(), caller.organisation().id()));
    }

    /** For the operator's review: the newest first, only the unreviewed ones unless {@code all}. */
    List<EmergencyGrant> forReview(Connection c, boolean all, int limit) throws SQLException {
        return query(c, (all ? "" : " WHERE g.reviewed_at IS NULL") + " ORDER BY g.granted_at DESC LIMIT ?", List.of(limit));
    }

    /** @return false when there is no such grant, or it was reviewed already */
    boolean review(Connection c, UUID id, String by, String note, OffsetDateTime now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE emergency_access SET reviewed_at = ?, reviewed_by = ?, review_note = ? "
                + "WHERE id = ? AND reviewed_at IS NULL")) {
            ps.setObject(1, now);
            ps.setString(2, by);
            ps.setString(3, note);
            ps.setObject(4, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static List<EmergencyGrant> query(Connection c, String where, List<Object> params) throws SQLException {
        List<EmergencyGrant> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + where)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EmergencyGrant(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getObject(6, UUID.class), rs.getString(7), rs.getString(8),
                            rs.getObject(9, OffsetDateTime.class), rs.getObject(10, OffsetDateTime.class),
                            rs.getObject(11, OffsetDateTime.class), rs.getString(12), rs.getString(13)));
                }
            }
        }
        return out;
    }
}
