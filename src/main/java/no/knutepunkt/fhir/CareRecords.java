package no.knutepunkt.fhir;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

/**
 * The onboarding records the FHIR API shows (EpisodeOfCare, CareTeam, Consent), read from the
 * registry's tables: enrollments with their responsible organisation, care team and pauses, and
 * consents. Every method has a variant on the caller's connection, for the export's snapshot.
 */
@Singleton
class CareRecords {

    /** A registered organisation, as a FHIR logical reference names it. */
    record Organisation(String number, String name) {
    }

    /** An organisation of an enrollment's care team, in its role there. */
    record Member(Organisation organisation, String role) {
    }

    /** A pause of follow-up; {@code to} is null while it lasts. */
    record Pause(OffsetDateTime from, OffsetDateTime to) {
    }

    record Enrollment(UUID id, UUID patientId, String programme, Organisation responsible, OffsetDateTime startedAt,
            OffsetDateTime endedAt, List<Member> careTeam, List<Pause> pauses) {
    }

    record Consent(UUID id, UUID enrollmentId, UUID patientId, String scope, String givenBy, String representativeName,
            String form, OffsetDateTime givenAt, String documentReference, OffsetDateTime withdrawnAt, Organisation responsible) {
    }

    private static final String ENROLLMENTS = """
            SELECT e.id, e.patient_id, e.programme, o.org_number, o.name, e.started_at, e.ended_at
              FROM enrollment e JOIN organisation o ON o.id = e.responsible_organisation_id""";
    private static final String CONSENTS = """
            SELECT c.id, c.enrollment_id, c.patient_id, c.scope, c.given_by, c.representative_name, c.form, c.given_at,
                   c.document_reference, c.withdrawn_at, o.org_number, o.name
              FROM consent c JOIN enrollment e ON e.id = c.enrollment_id
              JOIN organisation o ON o.id = e.responsible_organisation_id""";

    private final DataSource db;

    @Inject
    CareRecords(DataSource db) {
        this.db = db;
    }

    /** The enrollment, or null. */
    Enrollment enrollment(UUID id) throws SQLException {
        try (Connection c = db.getConnection()) {
            List<Enrollment> found = enrollments(c, ENROLLMENTS + " WHERE e.id = ?", id);
            return found.isEmpty() ? null : found.get(0);
        }
    }

    /** The patient's enrollments, oldest first. */
    List<Enrollment> enrollmentsOf(UUID patient) throws SQLException {
        try (Connection c = db.getConnection()) {
            return enrollmentsOf(c, patient);
        }
    }

    static List<Enrollment> enrollmentsOf(Connection c, UUID patient) throws SQLException {
        return enrollments(c, ENROLLMENTS + " WHERE e.patient_id = ? ORDER BY e.started_at, e.id", patient);
    }

    /** The consent, or null. */
    Consent consent(UUID id) throws SQLException {
        try (Connection c = db.getConnection()) {
            List<Consent> found = consents(c, CONSENTS + " WHERE c.id = ?", id);
            return found.isEmpty() ? null : found.get(0);
        }
    }

    /** The patient's consents, in the order they were given. */
    List<Consent> consentsOf(UUID patient) throws SQLException {
        try (Connection c = db.getConnection()) {
            return consentsOf(c, patient);
        }
    }

    static List<Consent> consentsOf(Connection c, UUID patient) throws SQLException {
        return consents(c, CONSENTS + " WHERE c.patient_id = ? ORDER BY c.given_at, c.id", patient);
    }

    private static List<Enrollment> enrollments(Connection c, String sql, UUID key) throws SQLException {
        Map<UUID, Enrollment> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    rows.put(id, new Enrollment(id, rs.getObject(2, UUID.class), rs.getString(3),
                            new Organisation(rs.getString(4).trim(), rs.getString(5)), rs.getObject(6, OffsetDateTime.class),
                            rs.getObject(7, OffsetDateTime.class), List.of(), List.of()));
                }
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        UUID[] ids = rows.keySet().toArray(new UUID[0]);
        Map<UUID, List<Member>> teams = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT ct.enrollment_id, o.org_number, o.name, ct.role
                  FROM enrollment_care_team ct JOIN organisation o ON o.id = ct.organisation_id
                 WHERE ct.enrollment_id = ANY(?)
                 ORDER BY ct.enrollment_id, CASE ct.role WHEN 'follow-up-service' THEN 0 WHEN 'gp' THEN 1 ELSE 2 END, o.org_number""")) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    teams.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Member(new Organisation(rs.getString(2).trim(), rs.getString(3)), rs.getString(4)));
                }
            }
        }
        Map<UUID, List<Pause>> pauses = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT enrollment_id, paused_from, paused_to FROM enrollment_pause
                 WHERE enrollment_id = ANY(?) ORDER BY enrollment_id, paused_from""")) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pauses.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Pause(rs.getObject(2, OffsetDateTime.class), rs.getObject(3, OffsetDateTime.class)));
                }
            }
        }
        List<Enrollment> out = new ArrayList<>(rows.size());
        rows.forEach((id, e) -> out.add(new Enrollment(id, e.patientId(), e.programme(), e.responsible(), e.startedAt(), e.endedAt(),
                List.copyOf(teams.getOrDefault(id, List.of())), List.copyOf(pauses.getOrDefault(id, List.of())))));
        return out;
    }

    private static List<Consent> consents(Connection c, String sql, UUID key) throws SQLException {
        List<Consent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Consent(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                            rs.getString(9), rs.getObject(10, OffsetDateTime.class),
                            new Organisation(rs.getString(11).trim(), rs.getString(12))));
                }
            }
        }
        return out;
    }
}
