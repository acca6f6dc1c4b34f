package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import no.knutepunkt.registry.DeviceRouting.DeviceKey;

/**
 * Observes {@link AssignmentsChanged} the way the ingest pipeline will, and notes what another
 * connection could see of those devices' assignments at that moment: had the change committed?
 */
@ApplicationScoped
public class AssignmentsChangedLog {

    /** One observation: the event, whether it came to an async observer, and the assignments (id + valid_to) visible then. */
    public record Seen(AssignmentsChanged event, boolean async, Set<String> visibleAssignments) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @Inject
    DataSource db;

    void onChange(@Observes AssignmentsChanged event) {
        seen.add(new Seen(event, false, visible(event.devices())));
    }

    void onChangeAsync(@ObservesAsync AssignmentsChanged event) {
        seen.add(new Seen(event, true, visible(event.devices())));
    }

    /** What was seen for this device, in order. */
    List<Seen> about(DeviceKey device) {
        return seen.stream().filter(s -> s.event().devices().contains(device)).toList();
    }

    /** An assignment as {@link Seen#visibleAssignments()} lists it. */
    static String assignment(UUID id, OffsetDateTime validTo) {
        return id + "|" + (validTo == null ? "open" : validTo.toInstant());
    }

    private Set<String> visible(List<DeviceKey> devices) {
        Set<String> found = new HashSet<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT a.id, a.valid_to FROM device_assignment a "
                        + "JOIN device d ON d.id = a.device_id WHERE d.vendor_id = ? AND d.serial = ?")) {
            for (DeviceKey k : devices) {
                ps.setString(1, k.vendorId());
                ps.setString(2, k.serial());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(assignment(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }
}
