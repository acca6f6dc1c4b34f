package no.knutepunkt.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Request;
import no.knutepunkt.common.Unavailable;

/**
 * One patient's readings as the pages show them: the newest of each kind and the latest ones of
 * all kinds, each as its stored Observation says — read through the access policy, and audited
 * with the ids shown.
 */
@ApplicationScoped
public class PatientReadings {

    /** A stored reading as a page shows it. */
    public record Shown(UUID id, String kind, String label, String value, String unit, OffsetDateTime effective,
            boolean deviceClockWrong, boolean paused, String vendor, String device) {
    }

    /** The patient's name (for the page's heading) and readings. */
    public record Readings(UUID patientId, String name, String maskedNationalId, List<Shown> latest, List<Shown> recent) {
    }

    private static final String LATEST = """
            SELECT r.id, r.kind, r.effective, r.vendor_id, r.device_serial, r.observation, r.paused
              FROM unnest(?::text[]) AS k(kind)
              CROSS JOIN LATERAL (SELECT id, kind, effective, vendor_id, device_serial, observation, paused FROM reading
                                   WHERE patient_id = ? AND kind = k.kind AND state = 'stored'
                                   ORDER BY effective DESC LIMIT 1) r
             ORDER BY r.effective DESC""";
    private static final String RECENT = """
            SELECT id, kind, effective, vendor_id, device_serial, observation, paused FROM reading
             WHERE patient_id = ? AND state = 'stored' ORDER BY effective DESC LIMIT ?""";

    private final DataSource db;
    private final AccessPolicy policy;

    PatientReadings(DataSource db, AccessPolicy policy) {
        this.db = db;
        this.policy = policy;
    }

    public Readings of(Caller caller, UUID patientId, int recent, Request request) {
        return policy.read(caller, patientId, DataKind.MEASUREMENTS, request, "read", "Observation", () -> load(patientId, recent),
                r -> {
                    List<String> ids = new ArrayList<>();
                    r.latest().forEach(s -> ids.add(s.id().toString()));
                    r.recent().forEach(s -> ids.add(s.id().toString()));
                    return ids.stream().distinct().toList();
                });
    }

    private Readings load(UUID patientId, int recent) {
        try (Connection c = db.getConnection()) {
            String name = null;
            String masked = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT given_name || ' ' || family_name, left(identifier, 6) || '*****' FROM patient WHERE id = ?")) {
                ps.setObject(1, patientId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        name = rs.getString(1);
                        masked = rs.getString(2);
                    }
                }
            }
            List<Shown> latest;
            try (PreparedStatement ps = c.prepareStatement(LATEST)) {
                ps.setArray(1, c.createArrayOf("text", LatestReadings.kinds()));
                ps.setObject(2, patientId);
                latest = shown(ps);
            }
            List<Shown> history;
            try (PreparedStatement ps = c.prepareStatement(RECENT)) {
                ps.setObject(1, patientId);
                ps.setInt(2, recent);
                history = shown(ps);
            }
            return new Readings(patientId, name, masked, latest, history);
        } catch (SQLException e) {
            throw new Unavailable("a patient's readings could not be read", e);
        }
    }

    private static List<Shown> shown(PreparedStatement ps) throws SQLException {
        List<Shown> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ShownReading s = ShownReading.of(rs.getString(2), rs.getString(6));
                out.add(new Shown(rs.getObject(1, UUID.class), rs.getString(2), s.label(), s.value(), s.unit(),
                        rs.getObject(3, OffsetDateTime.class), s.deviceClockWrong(), rs.getBoolean(7), rs.getString(4), rs.getString(5)));
            }
        }
        return out;
    }
}
