package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.DeviceAssignments.DeviceAssignment;
import no.knutepunkt.registry.Enrollments.Enrollment;
import no.knutepunkt.registry.Patients.Patient;

/**
 * A municipality admin's overview of the enrollments its municipality is responsible for: whose,
 * in which programme, in what state, with which devices now — a page at a time, in the patients'
 * name order (a municipality onboarded from a file has thousands). The patients are those the
 * access policy lets the admin see, and each one shown is recorded, as the enrollment list records
 * them.
 */
@ApplicationScoped
public class EnrollmentOverview {

    /** One enrollment; {@code devices} are those assigned now or from later on, as "vendor/serial". */
    public record Row(UUID enrollmentId, UUID patientId, String patientName, String programme, String status, OffsetDateTime startedAt,
            OffsetDateTime endedAt, List<String> devices) {
    }

    /** {@code page} counts from 1; {@code more} says whether a next page has rows. */
    public record Page(List<Row> rows, int page, boolean more) {
    }

    private final Transactions tx;
    private final Enrollments enrollments;
    private final Patients patients;
    private final Pauses pauses;
    private final DeviceAssignments assignments;
    private final RegistryAccess access;
    private final Clock clock;

    EnrollmentOverview(Transactions tx, Enrollments enrollments, Patients patients, Pauses pauses, DeviceAssignments assignments,
            RegistryAccess access, Clock clock) {
        this.tx = tx;
        this.enrollments = enrollments;
        this.patients = patients;
        this.pauses = pauses;
        this.assignments = assignments;
        this.access = access;
        this.clock = clock;
    }

    public Page of(int page, int size) {
        Caller caller = access.requireAny("search", BulkOnboarding.TYPE, Role.MUNICIPALITY_ADMIN);
        AccessPolicy.Visible visible = access.policy().visibleForAdministration(caller);
        int from = (Math.max(page, 1) - 1) * size;
        OffsetDateTime now = OffsetDateTime.now(clock);
        Page shown = tx.read(c -> {
            List<UUID> ids = ids(c, caller.organisation().id(), visible, from, size + 1);
            List<Row> rows = new ArrayList<>();
            for (UUID id : ids.subList(0, Math.min(size, ids.size()))) {
                Enrollment e = enrollments.find(c, id).orElseThrow();
                Patient p = patients.find(c, e.patientId()).orElseThrow();
                List<String> devices = new ArrayList<>();
                for (DeviceAssignment a : assignments.list(c, id)) {
                    if (a.validTo() == null || a.validTo().isAfter(now)) {
                        devices.add(a.vendorId() + "/" + a.serial());
                    }
                }
                rows.add(new Row(id, p.id(), p.givenName() + " " + p.familyName(), e.programme(),
                        Enrollments.status(e, pauses.list(c, id), now), e.startedAt(), e.endedAt(), List.copyOf(devices)));
            }
            return new Page(List.copyOf(rows), Math.max(page, 1), ids.size() > size);
        });
        Set<UUID> patientIds = new LinkedHashSet<>();
        shown.rows().forEach(r -> patientIds.add(r.patientId()));
        access.policy().recordListed(caller, List.copyOf(patientIds), DataKind.CARE_RECORD, access.request(), "search",
                BulkOnboarding.TYPE);
        return shown;
    }

    private static List<UUID> ids(Connection c, UUID municipality, AccessPolicy.Visible visible, int offset, int limit)
            throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT e.id FROM enrollment e JOIN patient p ON p.id = e.patient_id "
                + "WHERE e.responsible_organisation_id = ? AND " + visible.on("e.patient_id")
                + " ORDER BY p.family_name, p.given_name, e.started_at, e.id LIMIT ? OFFSET ?")) {
            int i = 1;
            ps.setObject(i++, municipality);
            for (Object param : visible.params()) {
                ps.setObject(i++, param);
            }
            ps.setInt(i++, limit);
            ps.setInt(i, offset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }
}
