package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.access.AccessPolicy;

/**
 * A patient followed up in a monitoring programme by a care team, with one organisation
 * responsible for the data (the Observation's performer).
 */
@ApplicationScoped
public class Enrollments {

    static final Set<String> PROGRAMMES = Set.of("copd", "heart-failure", "hypertension", "diabetes", "other");
    static final Set<String> ROLES = Set.of("follow-up-service", "gp", "hospital");

    private static final String COLUMNS = "id, patient_id, programme, responsible_organisation_id, started_at, ended_at";

    public record CareTeamMember(UUID organisationId, String role) {
    }

    /**
     * @param consent the patient's consent, recorded with the enrollment (required by the API; the
     *                seed may carry one)
     */
    record NewEnrollment(UUID patientId, String programme, UUID responsibleOrganisationId, List<CareTeamMember> careTeam,
            OffsetDateTime startedAt, OffsetDateTime endedAt, Consents.NewConsent consent) {
        NewEnrollment {
            startedAt = Fields.stored(startedAt);
            endedAt = Fields.stored(endedAt);
        }
    }

    record Enrollment(UUID id, UUID patientId, String programme, UUID responsibleOrganisationId, List<CareTeamMember> careTeam,
            OffsetDateTime startedAt, OffsetDateTime endedAt) {
    }

    private final Patients patients;
    private final Organisations organisations;

    Enrollments(Patients patients, Organisations organisations) {
        this.patients = patients;
        this.organisations = organisations;
    }

    /** Checks what needs no database; throws the {@link Problem} the client gets. */
    static void check(NewEnrollment e) {
        Fields.required("patientId", e.patientId());
        Fields.oneOf("programme", e.programme(), PROGRAMMES);
        Fields.required("responsibleOrganisationId", e.responsibleOrganisationId());
        Fields.required("startedAt", e.startedAt());
        if (e.endedAt() != null && !e.endedAt().isAfter(e.startedAt())) {
            throw Problem.invalid("endedAt", "endedAt must be after startedAt");
        }
        Set<UUID> seen = new HashSet<>();
        List<CareTeamMember> team = e.careTeam() == null ? List.of() : e.careTeam();
        for (int i = 0; i < team.size(); i++) {
            CareTeamMember m = team.get(i);
            String field = "careTeam[" + i + "]";
            Fields.required(field, m);
            Fields.required(field + ".organisationId", m.organisationId());
            Fields.oneOf(field + ".role", m.role(), ROLES);
            if (!seen.add(m.organisationId())) {
                throw Problem.invalid(field + ".organisationId", "an organisation can be in the care team once");
            }
        }
    }

    /** The enrollment's state at {@code now}: planned (not started), ended, paused (a pause holds now) or active. */
    static String status(Enrollment e, List<Pauses.Pause> pauses, OffsetDateTime now) {
        if (e.startedAt().isAfter(now)) {
            return "planned";
        }
        if (e.endedAt() != null && !e.endedAt().isAfter(now)) {
            return "ended";
        }
        return pauses.stream().anyMatch(p -> !p.from().isAfter(now) && (p.to() == null || p.to().isAfter(now))) ? "paused" : "active";
    }

    Enrollment create(Connection c, NewEnrollment e) throws SQLException {
        check(e);
        if (patients.find(c, e.patientId()).isEmpty()) {
            throw Problem.invalid("patientId", "no patient with this id is registered");
        }
        organisations.require(c, e.responsibleOrganisationId(), "responsibleOrganisationId");
        List<CareTeamMember> team = e.careTeam() == null ? List.of() : List.copyOf(e.careTeam());
        for (int i = 0; i < team.size(); i++) {
            organisations.require(c, team.get(i).organisationId(), "careTeam[" + i + "].organisationId");
        }
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO enrollment (id, patient_id, programme, "
                + "responsible_organisation_id, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, e.patientId());
            ps.setString(3, e.programme());
            ps.setObject(4, e.responsibleOrganisationId());
            ps.setObject(5, e.startedAt());
            ps.setObject(6, e.endedAt());
            ps.executeUpdate();
        }
        addToCareTeam(c, id, team);
        return find(c, id).orElseThrow();
    }

    /** Adds members not in the care team yet; a member already in it keeps its role. */
    void addToCareTeam(Connection c, UUID enrollmentId, List<CareTeamMember> team) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO enrollment_care_team (enrollment_id, organisation_id, role) "
                + "VALUES (?, ?, ?) ON CONFLICT (enrollment_id, organisation_id) DO NOTHING")) {
            for (CareTeamMember m : team) {
                ps.setObject(1, enrollmentId);
                ps.setObject(2, m.organisationId());
                ps.setString(3, m.role());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    Optional<Enrollment> find(Connection c, UUID id) throws SQLException {
        List<Enrollment> found = query(c, "SELECT " + COLUMNS + " FROM enrollment WHERE id = ?", id);
        return found.stream().findFirst();
    }

    /** The enrollment, locked until the transaction ends: its period and its assignments change together. */
    Optional<Enrollment> lock(Connection c, UUID id) throws SQLException {
        List<Enrollment> found = query(c, "SELECT " + COLUMNS + " FROM enrollment WHERE id = ? FOR NO KEY UPDATE", id);
        return found.stream().findFirst();
    }

    /** All enrollments, or one patient's. */
    List<Enrollment> list(Connection c, UUID patientId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM enrollment WHERE ?::uuid IS NULL OR patient_id = ? "
                + "ORDER BY started_at, id", patientId, patientId);
    }

    /**
     * The enrollments a municipality is responsible for, or those of one patient among them, of the
     * patients {@code visible} lets the caller see: the policy's condition for an admin's lists, which
     * leaves out a patient who blocked the admin's HPR number.
     */
    List<Enrollment> ofResponsible(Connection c, UUID organisationId, UUID patientId, AccessPolicy.Visible visible) throws SQLException {
        List<Object> params = new ArrayList<>();
        params.add(organisationId);
        params.add(patientId);
        params.add(patientId);
        params.addAll(visible.params());
        return query(c, "SELECT " + COLUMNS + " FROM enrollment WHERE responsible_organisation_id = ? AND (?::uuid IS NULL OR patient_id = ?) "
                + "AND " + visible.on("patient_id") + " ORDER BY started_at, id", params.toArray());
    }

    /** The patient's enrollments in a programme that started at that time: how a seed recognises its own. */
    List<Enrollment> findSame(Connection c, UUID patientId, String programme, OffsetDateTime startedAt) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM enrollment WHERE patient_id = ? AND programme = ? AND started_at = ? "
                + "ORDER BY id", patientId, programme, startedAt);
    }

    /** Sets the end; the caller holds {@link #lock} and has checked that the enrollment is still running. */
    void end(Connection c, UUID id, OffsetDateTime endedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE enrollment SET ended_at = ? WHERE id = ?")) {
            ps.setObject(1, endedAt);
            ps.setObject(2, id);
            ps.executeUpdate();
        }
    }

    private static List<Enrollment> query(Connection c, String sql, Object... parameters) throws SQLException {
        Map<UUID, Enrollment> found = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    found.put(id, new Enrollment(id, rs.getObject(2, UUID.class), rs.getString(3), rs.getObject(4, UUID.class),
                            new ArrayList<>(), rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class)));
                }
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT enrollment_id, organisation_id, role FROM enrollment_care_team "
                + "WHERE enrollment_id = ANY (?) ORDER BY role, organisation_id")) {
            ps.setArray(1, c.createArrayOf("uuid", found.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.get(rs.getObject(1, UUID.class)).careTeam()
                            .add(new CareTeamMember(rs.getObject(2, UUID.class), rs.getString(3)));
                }
            }
        }
        return found.values().stream()
                .map(e -> new Enrollment(e.id(), e.patientId(), e.programme(), e.responsibleOrganisationId(),
                        List.copyOf(e.careTeam()), e.startedAt(), e.endedAt()))
                .toList();
    }
}
