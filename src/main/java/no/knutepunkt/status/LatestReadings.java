package no.knutepunkt.status;

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

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.common.ObservationKind;

/**
 * A page of patients in name order, each with the latest stored reading of every kind they have.
 * Each patient and kind is one probe of the {@code reading_patient} index (patient, kind, effective
 * descending), so a page costs the same however many readings the table holds.
 */
@ApplicationScoped
class LatestReadings {

    // The fødselsnummer leaves the database masked: only the date of birth part (the first six
    // digits) ever reaches the page, so no code path here can show or log the whole number.
    private static final String PAGE = """
            SELECT p.id, p.given_name, p.family_name, left(p.identifier, 6) || '*****',
                   r.id, r.kind, r.effective, r.vendor_id, r.device_serial, r.observation
              FROM (SELECT id, given_name, family_name, identifier FROM patient
                     WHERE %s
                     ORDER BY family_name, given_name, id
                     LIMIT ?) p
              LEFT JOIN LATERAL (
                    SELECT l.* FROM unnest(?::text[]) AS k(kind)
                     CROSS JOIN LATERAL (
                           SELECT id, kind, effective, vendor_id, device_serial, observation FROM reading
                            WHERE patient_id = p.id AND kind = k.kind AND state = 'stored'
                            ORDER BY effective DESC
                            LIMIT 1) l) r ON true
             ORDER BY p.family_name, p.given_name, p.id, r.effective DESC, r.kind
            """;

    /** After the patient the previous page ended with: a row comparison the name index serves. */
    private static final String AFTER = "(family_name, given_name, id) > (SELECT family_name, given_name, id FROM patient WHERE id = ?)";

    private static final Object[] KINDS = java.util.Arrays.stream(ObservationKind.values()).map(ObservationKind::key).toArray();

    /** Every kind's key, for a query over all of them. */
    static Object[] kinds() {
        return KINDS.clone();
    }

    private final DataSource db;

    LatestReadings(DataSource db) {
        this.db = db;
    }

    /**
     * @param visible the patients the caller may see, as the access policy words it (a condition on their id)
     * @param after the last patient of the previous page, or null for the first page
     * @param limit patients on this page
     * @return the page, and whether more patients follow it
     */
    Page page(AccessPolicy.Visible visible, UUID after, int limit) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(query(visible, after != null))) {
            int i = 1;
            for (Object p : visible.params()) {
                ps.setObject(i++, p);
            }
            if (after != null) {
                ps.setObject(i++, after);
            }
            // One more than asked: its presence says there is a next page.
            ps.setInt(i++, limit + 1);
            ps.setArray(i, c.createArrayOf("text", KINDS));
            Map<UUID, Patient> patients = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    Patient p = patients.get(id);
                    if (p == null) {
                        p = new Patient(id, rs.getString(2), rs.getString(3), rs.getString(4), new ArrayList<>());
                        patients.put(id, p);
                    }
                    UUID reading = rs.getObject(5, UUID.class);
                    if (reading != null) {
                        p.readings().add(new Reading(reading, rs.getString(6), rs.getObject(7, OffsetDateTime.class), rs.getString(8),
                                rs.getString(9), rs.getString(10)));
                    }
                }
            }
            List<Patient> list = new ArrayList<>(patients.values());
            boolean more = list.size() > limit;
            return new Page(more ? list.subList(0, limit) : list, more);
        }
    }

    /**
     * The page's SQL: the visible patients' condition's parameters first, then the previous page's
     * last patient (when {@code after}), the limit and the kinds. Package-visible so a test can EXPLAIN it.
     */
    static String query(AccessPolicy.Visible visible, boolean after) {
        return PAGE.formatted("(" + visible.on("id") + ")" + (after ? " AND " + AFTER : ""));
    }

    record Page(List<Patient> patients, boolean more) {
    }

    /** @param maskedNationalId the fødselsnummer's or D-nummer's first six digits and five stars */
    record Patient(UUID id, String givenName, String familyName, String maskedNationalId, List<Reading> readings) {
    }

    /** @param observation the stored FHIR Observation (JSON) */
    record Reading(UUID id, String kind, OffsetDateTime effective, String vendorId, String deviceSerial, String observation) {
    }
}
