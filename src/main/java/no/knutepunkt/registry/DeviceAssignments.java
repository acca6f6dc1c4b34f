package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.Devices.Device;
import no.knutepunkt.registry.Enrollments.Enrollment;

/**
 * When a device was whose: an assignment of a device to an enrollment for a period [validFrom,
 * validTo). A device is never assigned twice at once (the schema's exclusion constraint decides,
 * so two concurrent requests cannot both win), and an assignment lies within its enrollment.
 */
@ApplicationScoped
public class DeviceAssignments {

    private static final Logger LOG = Logger.getLogger(DeviceAssignments.class);

    private static final String COLUMNS = "a.id, a.enrollment_id, a.device_id, d.vendor_id, d.serial, a.valid_from, a.valid_to";

    /** The device by {@code deviceId}, or by {@code vendorId} + {@code serial}. */
    public record NewAssignment(Long deviceId, String vendorId, String serial, OffsetDateTime validFrom, OffsetDateTime validTo) {
        public NewAssignment {
            validFrom = Fields.stored(validFrom);
            validTo = Fields.stored(validTo);
        }
    }

    public record DeviceAssignment(UUID id, UUID enrollmentId, long deviceId, String vendorId, String serial, OffsetDateTime validFrom,
            OffsetDateTime validTo) {

        DeviceKey key() {
            return new DeviceKey(vendorId, serial);
        }
    }

    private final Enrollments enrollments;
    private final Devices devices;
    private final Event<AssignmentsChanged> changed;

    DeviceAssignments(Enrollments enrollments, Devices devices, Event<AssignmentsChanged> changed) {
        this.enrollments = enrollments;
        this.devices = devices;
        this.changed = changed;
    }

    static void check(NewAssignment a) {
        boolean byId = a.deviceId() != null;
        boolean byKey = a.vendorId() != null || a.serial() != null;
        if (byId == byKey) {
            throw Problem.malformed("deviceId", "give either deviceId or vendorId and serial");
        }
        if (byKey) {
            Fields.required("vendorId", a.vendorId());
            Fields.required("serial", a.serial());
        }
        Fields.required("validFrom", a.validFrom());
        if (a.validTo() != null && !a.validTo().isAfter(a.validFrom())) {
            throw Problem.invalid("validTo", "validTo must be after validFrom");
        }
    }

    DeviceAssignment create(Connection c, UUID enrollmentId, NewAssignment a) throws SQLException {
        check(a);
        Enrollment enrollment = enrollments.lock(c, enrollmentId).orElseThrow(() -> Problem.notFound("no such enrollment"));
        Device device = (a.deviceId() != null ? devices.find(c, a.deviceId()) : devices.find(c, a.vendorId(), a.serial()))
                .orElseThrow(() -> Problem.invalid(a.deviceId() != null ? "deviceId" : "serial", "no such device is registered"));
        checkWithin(enrollment, a.validFrom(), a.validTo());
        UUID id = UUID.randomUUID();
        Savepoint beforeInsert = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO device_assignment (id, enrollment_id, device_id, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, enrollmentId);
            ps.setLong(3, device.id());
            ps.setObject(4, a.validFrom());
            ps.setObject(5, a.validTo());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw overlapOr(e, c, beforeInsert, device, id, a.validFrom(), a.validTo());
        }
        return find(c, id).orElseThrow();
    }

    /** Sets or clears (null: open-ended) the end of an assignment's period. */
    DeviceAssignment changeValidTo(Connection c, UUID enrollmentId, UUID assignmentId, OffsetDateTime validTo) throws SQLException {
        Enrollment enrollment = enrollments.lock(c, enrollmentId).orElseThrow(() -> Problem.notFound("no such enrollment"));
        DeviceAssignment current = find(c, assignmentId).filter(a -> a.enrollmentId().equals(enrollmentId))
                .orElseThrow(() -> Problem.notFound("no such assignment in this enrollment"));
        if (validTo != null && !validTo.isAfter(current.validFrom())) {
            throw Problem.invalid("validTo", "validTo must be after validFrom");
        }
        checkWithin(enrollment, current.validFrom(), validTo);
        Device device = devices.find(c, current.deviceId()).orElseThrow();
        Savepoint beforeUpdate = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("UPDATE device_assignment SET valid_to = ? WHERE id = ?")) {
            ps.setObject(1, validTo);
            ps.setObject(2, assignmentId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw overlapOr(e, c, beforeUpdate, device, assignmentId, current.validFrom(), validTo);
        }
        return find(c, assignmentId).orElseThrow();
    }

    /**
     * Swaps a broken device for another in one step: the assignment ends at {@code at} and the
     * replacement is assigned from {@code at} for the rest of the old period, in one transaction,
     * so no reading of either device falls between the two. Returns the new assignment.
     */
    DeviceAssignment swap(Connection c, UUID enrollmentId, UUID assignmentId, Long deviceId, String vendorId, String serial,
            OffsetDateTime at) throws SQLException {
        Enrollment enrollment = enrollments.lock(c, enrollmentId).orElseThrow(() -> Problem.notFound("no such enrollment"));
        DeviceAssignment current = find(c, assignmentId).filter(a -> a.enrollmentId().equals(enrollmentId))
                .orElseThrow(() -> Problem.notFound("no such assignment in this enrollment"));
        if (!at.isAfter(current.validFrom()) || current.validTo() != null && !at.isBefore(current.validTo())) {
            throw Problem.invalid("at", "the swap must fall inside the assignment's period");
        }
        NewAssignment replacement = new NewAssignment(deviceId, vendorId, serial, at, current.validTo());
        check(replacement);
        Device device = (deviceId != null ? devices.find(c, deviceId) : devices.find(c, vendorId, serial))
                .orElseThrow(() -> Problem.invalid(deviceId != null ? "deviceId" : "serial", "no such device is registered"));
        if (device.id() == current.deviceId()) {
            throw Problem.invalid("deviceId", "the replacement is the same device");
        }
        checkWithin(enrollment, at, current.validTo());
        changeValidTo(c, enrollmentId, assignmentId, at);
        return create(c, enrollmentId, replacement);
    }

    /**
     * Ends an enrollment and, with it, its assignments: readings after the end are then parked
     * instead of landing with this patient, and the devices can be assigned to someone else.
     * Returns the devices whose assignments changed.
     */
    Set<DeviceKey> endEnrollment(Connection c, UUID enrollmentId, OffsetDateTime endedAt) throws SQLException {
        Enrollment enrollment = enrollments.lock(c, enrollmentId).orElseThrow(() -> Problem.notFound("no such enrollment"));
        if (enrollment.endedAt() != null) {
            throw Problem.conflict("endedAt", "the enrollment has ended already");
        }
        if (!endedAt.isAfter(enrollment.startedAt())) {
            throw Problem.invalid("endedAt", "endedAt must be after the enrollment's startedAt");
        }
        Set<DeviceKey> affected = new LinkedHashSet<>();
        for (DeviceAssignment a : list(c, enrollmentId)) {
            if (!endedAt.isAfter(a.validFrom())) {
                throw Problem.invalid("endedAt", "assignment " + a.id() + " starts at or after endedAt; change it first");
            }
            if (a.validTo() == null || a.validTo().isAfter(endedAt)) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE device_assignment SET valid_to = ? WHERE id = ?")) {
                    ps.setObject(1, endedAt);
                    ps.setObject(2, a.id());
                    ps.executeUpdate();
                }
                affected.add(a.key());
            }
        }
        enrollments.end(c, enrollmentId, endedAt);
        return affected;
    }

    Optional<DeviceAssignment> find(Connection c, UUID id) throws SQLException {
        List<DeviceAssignment> found = query(c, "SELECT " + COLUMNS + " FROM device_assignment a JOIN device d ON d.id = a.device_id "
                + "WHERE a.id = ?", id);
        return found.stream().findFirst();
    }

    List<DeviceAssignment> list(Connection c, UUID enrollmentId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM device_assignment a JOIN device d ON d.id = a.device_id "
                + "WHERE a.enrollment_id = ? ORDER BY a.valid_from, d.vendor_id, d.serial", enrollmentId);
    }

    /**
     * Tells the ingest pipeline, after the commit, which devices' parked readings may be routable
     * now. Synchronous observers first (on this thread, so a caller that gets its answer knows they
     * have run), then asynchronous ones; an observer's failure does not undo a committed change.
     */
    void announce(Set<DeviceKey> devices) {
        if (devices.isEmpty()) {
            return;
        }
        AssignmentsChanged event = new AssignmentsChanged(List.copyOf(devices));
        try {
            changed.fire(event);
        } catch (RuntimeException e) {
            LOG.errorf(e, "an observer of AssignmentsChanged failed for %d device(s); parked readings wait for the next change",
                    devices.size());
        }
        changed.fireAsync(event).exceptionally(e -> {
            LOG.errorf(e, "an asynchronous observer of AssignmentsChanged failed for %d device(s)", devices.size());
            return null;
        });
    }

    /** An assignment lies within its enrollment: from its start, and ending by its end if it has one. */
    static void checkWithin(Enrollment enrollment, OffsetDateTime validFrom, OffsetDateTime validTo) {
        if (validFrom.isBefore(enrollment.startedAt())) {
            throw Problem.invalid("validFrom", "the assignment starts before the enrollment (" + iso(enrollment.startedAt()) + ")");
        }
        if (enrollment.endedAt() != null) {
            if (!validFrom.isBefore(enrollment.endedAt())) {
                throw Problem.invalid("validFrom", "the enrollment ended at " + iso(enrollment.endedAt()));
            }
            if (validTo == null || validTo.isAfter(enrollment.endedAt())) {
                throw Problem.invalid("validTo", "the enrollment ended at " + iso(enrollment.endedAt()) + "; the assignment must end by then");
            }
        }
    }

    /** As the JSON answers write times, seconds included. */
    private static String iso(OffsetDateTime t) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
    }

    /** A 409 that says which assignment is in the way, for an exclusion violation; else the statement's own failure. */
    private RuntimeException overlapOr(SQLException e, Connection c, Savepoint savepoint, Device device, UUID self,
            OffsetDateTime validFrom, OffsetDateTime validTo) throws SQLException {
        if (!"23P01".equals(e.getSQLState())) {
            throw e;
        }
        c.rollback(savepoint);
        Optional<DeviceAssignment> other = overlapping(c, device.id(), self, validFrom, validTo);
        if (other.isPresent()) {
            DeviceAssignment o = other.get();
            return Problem.conflict("validFrom", "device " + device.vendorId() + "/" + device.serial()
                    + " is assigned from " + iso(o.validFrom()) + (o.validTo() == null ? " (open-ended)" : " to " + iso(o.validTo()))
                    + " in enrollment " + o.enrollmentId() + " (assignment " + o.id() + "); periods of one device must not overlap");
        }
        return Problem.conflict("validFrom", "device " + device.vendorId() + "/" + device.serial()
                + " is assigned in an overlapping period already");
    }

    /**
     * The device's first assignment, other than {@code except} (null: none), whose period overlaps
     * [validFrom, validTo): what the schema's exclusion constraint would refuse a new one for.
     */
    Optional<DeviceAssignment> overlapping(Connection c, long deviceId, UUID except, OffsetDateTime validFrom, OffsetDateTime validTo)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM device_assignment a JOIN device d ON d.id = a.device_id "
                + "WHERE a.device_id = ? AND a.id IS DISTINCT FROM ?::uuid AND tstzrange(a.valid_from, a.valid_to, '[)') && tstzrange(?, ?, '[)') "
                + "ORDER BY a.valid_from LIMIT 1")) {
            ps.setLong(1, deviceId);
            ps.setObject(2, except);
            ps.setObject(3, validFrom);
            ps.setObject(4, validTo);
            return read(ps).stream().findFirst();
        }
    }

    private static List<DeviceAssignment> query(Connection c, String sql, UUID key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            return read(ps);
        }
    }

    private static List<DeviceAssignment> read(PreparedStatement ps) throws SQLException {
        List<DeviceAssignment> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(new DeviceAssignment(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getLong(3),
                        rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class),
                        rs.getObject(7, OffsetDateTime.class)));
            }
        }
        return found;
    }
}
