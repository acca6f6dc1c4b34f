package no.knutepunkt.access;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What ties a caller to a patient, read in one round trip: a block of the caller's HPR number,
 * the running enrollments whose care team includes the caller's organisation, an enrollment the
 * caller's municipality is responsible for, and an emergency access that has not expired.
 */
@ApplicationScoped
class CareRelations {

    private static final String RELATION = """
            SELECT EXISTS (SELECT 1 FROM patient_block b
                            WHERE b.patient_id = ? AND b.hpr_number = ? AND b.lifted_at IS NULL),
                   ARRAY(SELECT e.id FROM enrollment e JOIN enrollment_care_team ct ON ct.enrollment_id = e.id
                          WHERE e.patient_id = ? AND ct.organisation_id = ? AND (e.ended_at IS NULL OR e.ended_at > now())),
                   EXISTS (SELECT 1 FROM enrollment e WHERE e.patient_id = ? AND e.responsible_organisation_id = ?),
                   (SELECT g.id FROM emergency_access g
                     WHERE g.patient_id = ? AND g.hpr_number = ? AND g.organisation_id = ? AND g.expires_at > now()
                     ORDER BY g.expires_at DESC LIMIT 1),
                   EXISTS (SELECT 1 FROM patient p WHERE p.id = ?)""";

    /**
     * @param blocked          the patient has blocked the caller's HPR number
     * @param careTeamEnrollments running enrollments with the caller's organisation in the care team
     * @param responsible      the caller's organisation is responsible for one of the patient's enrollments
     * @param emergencyAccess  an emergency access in force for the caller, or null
     * @param exists           the patient is registered
     */
    record Relation(boolean blocked, List<UUID> careTeamEnrollments, boolean responsible, UUID emergencyAccess, boolean exists) {
    }

    private final DataSource db;

    CareRelations(DataSource db) {
        this.db = db;
    }

    Relation of(UUID patient, String hprNumber, UUID organisation) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(RELATION)) {
            ps.setObject(1, patient);
            ps.setString(2, hprNumber);
            ps.setObject(3, patient);
            ps.setObject(4, organisation);
            ps.setObject(5, patient);
            ps.setObject(6, organisation);
            ps.setObject(7, patient);
            ps.setString(8, hprNumber);
            ps.setObject(9, organisation);
            ps.setObject(10, patient);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array enrollments = rs.getArray(2);
                List<UUID> ids = enrollments == null ? List.of() : new ArrayList<>(Arrays.asList((UUID[]) enrollments.getArray()));
                return new Relation(rs.getBoolean(1), ids, rs.getBoolean(3), rs.getObject(4, UUID.class), rs.getBoolean(5));
            }
        }
    }

    /**
     * The patients a clinician may see in a list, as a condition on a patient id column: its SQL
     * (with {@code %s} for the column) and its parameters. Same rules as {@link #of}: care team or
     * emergency access, never a patient who blocked the clinician.
     */
    static Condition clinicianSees(String hprNumber, UUID organisation) {
        return new Condition("""
                (%1$s IN (SELECT e.patient_id FROM enrollment e JOIN enrollment_care_team ct ON ct.enrollment_id = e.id
                           WHERE ct.organisation_id = ? AND (e.ended_at IS NULL OR e.ended_at > now()))
                 OR %1$s IN (SELECT g.patient_id FROM emergency_access g
                              WHERE g.hpr_number = ? AND g.organisation_id = ? AND g.expires_at > now()))
                AND %1$s NOT IN (SELECT b.patient_id FROM patient_block b WHERE b.hpr_number = ? AND b.lifted_at IS NULL)""",
                List.of(organisation, hprNumber, organisation, hprNumber));
    }

    /** A condition on a patient id column; see {@link AccessPolicy#visiblePatients}. */
    record Condition(String sql, List<Object> params) {
    }
}
