package no.knutepunkt.access;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Blocks (sperring): a patient's choice that a named clinician, by HPR number, may not see their
 * data — inside the care team and with emergency access alike. Made by the patient or by a
 * municipality admin on the patient's behalf; lifted, never deleted.
 */
@ApplicationScoped
class PatientBlocks {

    private static final String COLUMNS = "id, patient_id, hpr_number, note, created_at, created_by, created_by_role, lifted_at, lifted_by";

    List<PatientBlock> of(Connection c, UUID patientId) throws SQLException {
        List<PatientBlock> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM patient_block WHERE patient_id = ? "
                + "ORDER BY lifted_at IS NOT NULL, created_at DESC")) {
            ps.setObject(1, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    Optional<PatientBlock> find(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM patient_block WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** @return the new block, or the one in force already for this HPR number (blocking twice changes nothing) */
    PatientBlock block(Connection c, UUID patientId, String hprNumber, String note, String by, String byRole, OffsetDateTime now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM patient_block "
                + "WHERE patient_id = ? AND hpr_number = ? AND lifted_at IS NULL")) {
            ps.setObject(1, patientId);
            ps.setString(2, hprNumber);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return read(rs);
                }
            }
        }
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO patient_block (id, patient_id, hpr_number, note, created_at, "
                + "created_by, created_by_role) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, patientId);
            ps.setString(3, hprNumber);
            ps.setString(4, note);
            ps.setObject(5, now);
            ps.setString(6, by);
            ps.setString(7, byRole);
            ps.executeUpdate();
        }
        return find(c, id).orElseThrow();
    }

    /** @return false when there is no such block in force for this patient */
    boolean lift(Connection c, UUID patientId, UUID blockId, String by, OffsetDateTime now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE patient_block SET lifted_at = ?, lifted_by = ? "
                + "WHERE id = ? AND patient_id = ? AND lifted_at IS NULL")) {
            ps.setObject(1, now);
            ps.setString(2, by);
            ps.setObject(3, blockId);
            ps.setObject(4, patientId);
            return ps.executeUpdate() == 1;
        }
    }

    private static PatientBlock read(ResultSet rs) throws SQLException {
        return new PatientBlock(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getObject(5, OffsetDateTime.class), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                rs.getString(9));
    }
}
