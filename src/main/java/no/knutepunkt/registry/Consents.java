package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The patient's consent to digital home follow-up, recorded when they are enrolled: who gave it
 * (the patient, or a representative on their behalf), in what form, when, to what
 * ({@code home-follow-up}: taking part and having measurements collected; {@code record-sharing}:
 * having them passed to the care team's record systems), and where the signed or recorded consent
 * is kept (a document reference in the municipality's archive or record). Withdrawn, never deleted.
 */
@ApplicationScoped
public class Consents {

    static final Set<String> SCOPES = Set.of("home-follow-up", "record-sharing");
    static final Set<String> GIVEN_BY = Set.of("patient", "representative");
    static final Set<String> FORMS = Set.of("written", "verbal", "digital");

    private static final String COLUMNS = "id, enrollment_id, patient_id, scope, given_by, representative_name, form, given_at, "
            + "document_reference, recorded_at, recorded_by, withdrawn_at";

    public record NewConsent(String scope, String givenBy, String representativeName, String form, OffsetDateTime givenAt,
            String documentReference) {
        public NewConsent {
            givenAt = Fields.stored(givenAt);
        }
    }

    public record Consent(UUID id, UUID enrollmentId, UUID patientId, String scope, String givenBy, String representativeName, String form,
            OffsetDateTime givenAt, String documentReference, OffsetDateTime recordedAt, String recordedBy, OffsetDateTime withdrawnAt) {
    }

    private final Clock clock;

    Consents(Clock clock) {
        this.clock = clock;
    }

    /** Checks what needs no database; {@code field} prefixes the field names of problems (e.g. "consent"). */
    static void check(String field, NewConsent c, Clock clock) {
        Fields.required(field, c);
        Fields.oneOf(field + ".scope", c.scope(), SCOPES);
        Fields.oneOf(field + ".givenBy", c.givenBy(), GIVEN_BY);
        Fields.oneOf(field + ".form", c.form(), FORMS);
        Fields.required(field + ".givenAt", c.givenAt());
        if (c.givenAt().isAfter(OffsetDateTime.now(clock).plusMinutes(5))) {
            throw Problem.invalid(field + ".givenAt", "consent cannot be given in the future");
        }
        Fields.text(field + ".documentReference", c.documentReference(), 500);
        if ("representative".equals(c.givenBy())) {
            Fields.text(field + ".representativeName", c.representativeName(), 200);
        } else {
            Fields.optionalText(field + ".representativeName", c.representativeName(), 200);
            if (Fields.blankToNull(c.representativeName()) != null) {
                throw Problem.invalid(field + ".representativeName", "a representative's name only goes with givenBy=representative");
            }
        }
    }

    Consent create(Connection c, UUID enrollmentId, UUID patientId, NewConsent n, String recordedBy) throws SQLException {
        check("consent", n, clock);
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO consent (id, enrollment_id, patient_id, scope, given_by, "
                + "representative_name, form, given_at, document_reference, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, enrollmentId);
            ps.setObject(3, patientId);
            ps.setString(4, n.scope());
            ps.setString(5, n.givenBy());
            ps.setString(6, Fields.blankToNull(n.representativeName()));
            ps.setString(7, n.form());
            ps.setObject(8, n.givenAt());
            ps.setString(9, n.documentReference().strip());
            ps.setObject(10, Fields.stored(OffsetDateTime.now(clock)));
            ps.setString(11, recordedBy);
            ps.executeUpdate();
        }
        return find(c, id).orElseThrow();
    }

    /** Withdraws a consent still in force; its record stays. */
    Consent withdraw(Connection c, UUID enrollmentId, UUID consentId, OffsetDateTime at) throws SQLException {
        Consent current = find(c, consentId).filter(x -> x.enrollmentId().equals(enrollmentId))
                .orElseThrow(() -> Problem.notFound("no such consent in this enrollment"));
        if (current.withdrawnAt() != null) {
            throw Problem.conflict("withdrawnAt", "the consent was withdrawn already");
        }
        if (at.isBefore(current.givenAt())) {
            throw Problem.invalid("withdrawnAt", "a consent cannot be withdrawn before it was given");
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE consent SET withdrawn_at = ? WHERE id = ?")) {
            ps.setObject(1, at);
            ps.setObject(2, consentId);
            ps.executeUpdate();
        }
        return find(c, consentId).orElseThrow();
    }

    Optional<Consent> find(Connection c, UUID id) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM consent WHERE id = ?", id).stream().findFirst();
    }

    List<Consent> ofEnrollment(Connection c, UUID enrollmentId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM consent WHERE enrollment_id = ? ORDER BY given_at, id", enrollmentId);
    }

    List<Consent> ofPatient(Connection c, UUID patientId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM consent WHERE patient_id = ? ORDER BY given_at, id", patientId);
    }

    private static List<Consent> query(Connection c, String sql, UUID key) throws SQLException {
        List<Consent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Consent(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                            rs.getString(9), rs.getObject(10, OffsetDateTime.class), rs.getString(11),
                            rs.getObject(12, OffsetDateTime.class)));
                }
            }
        }
        return out;
    }
}
