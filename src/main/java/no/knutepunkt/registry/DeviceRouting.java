package no.knutepunkt.registry;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which patient a reading belongs to (device-contract.md, "Which patient"): the enrollment whose
 * device assignment's period holds the reading's assignment time, ended or not. Runs inside the
 * caller's transaction, so the answer and what is written from it commit together.
 *
 * <p>Readings are routed under a shared advisory lock per device and parked readings are routed
 * again under an exclusive one ({@link #lockExclusively}). A batch that parks a reading therefore
 * either commits before a new assignment's replay looks for parked readings, or waits for it and
 * then sees the new assignment: no reading stays parked behind a replay that missed it.
 */
@ApplicationScoped
public class DeviceRouting {

    /** The advisory lock space (first key) of device routing, apart from the hub's other advisory locks. */
    private static final int LOCK_SPACE = 0x6b6e_7270;
    private static final int LOCK_BUCKETS = 256;

    // One row per assignment of each device that overlaps the time its readings in this batch
    // cover (or one row with no assignment): devices, not readings, so a batch asks far fewer rows.
    private static final String ROUTE = """
            SELECT q.idx, d.id, d.fhir_id, d.model, d.glucose_high, d.glucose_low, a.valid_from, a.valid_to,
                   e.id, p.id, p.identifier_system, p.identifier, p.given_name, p.family_name, o.org_number, o.name,
                   d.id IS NULL AND EXISTS (SELECT 1 FROM device f WHERE f.serial = q.serial AND f.vendor_id <> q.vendor_id)
              FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[]::timestamptz[])
                   WITH ORDINALITY AS q(vendor_id, serial, earliest, latest, idx)
              LEFT JOIN device d ON d.vendor_id = q.vendor_id AND d.serial = q.serial
              LEFT JOIN device_assignment a ON a.device_id = d.id AND a.valid_from <= q.latest
                                           AND (a.valid_to IS NULL OR q.earliest < a.valid_to)
              LEFT JOIN enrollment e ON e.id = a.enrollment_id
              LEFT JOIN patient p ON p.id = e.patient_id
              LEFT JOIN organisation o ON o.id = e.responsible_organisation_id
            """;

    /**
     * Routes each query; the result list is in query order.
     */
    public List<Route> route(Connection c, List<Query> queries) throws SQLException {
        List<Route> routes = new ArrayList<>(java.util.Collections.nCopies(queries.size(), null));
        if (queries.isEmpty()) {
            return routes;
        }
        Map<DeviceKey, Span> devices = new LinkedHashMap<>();
        for (Query q : queries) {
            devices.merge(new DeviceKey(q.vendorId(), q.serial()), new Span(q.at(), q.at()), Span::widen);
        }
        lock(c, devices.keySet(), true);
        List<DeviceKey> keys = new ArrayList<>(devices.keySet());
        List<Found> found = new ArrayList<>(java.util.Collections.nCopies(keys.size(), null));
        try (PreparedStatement ps = c.prepareStatement(ROUTE)) {
            ps.setArray(1, c.createArrayOf("text", keys.stream().map(DeviceKey::vendorId).toArray()));
            ps.setArray(2, c.createArrayOf("text", keys.stream().map(DeviceKey::serial).toArray()));
            ps.setArray(3, c.createArrayOf("text", keys.stream().map(k -> devices.get(k).earliest().toString()).toArray()));
            ps.setArray(4, c.createArrayOf("text", keys.stream().map(k -> devices.get(k).latest().toString()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1) - 1;
                    found.set(i, Found.add(found.get(i), rs));
                }
            }
        }
        Map<DeviceKey, Found> byDevice = new java.util.HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            byDevice.put(keys.get(i), found.get(i));
        }
        for (int i = 0; i < queries.size(); i++) {
            Query q = queries.get(i);
            routes.set(i, byDevice.get(new DeviceKey(q.vendorId(), q.serial())).routeAt(q.at()));
        }
        return markPaused(c, queries, routes);
    }

    /**
     * Routes whose time falls in a pause of their enrollment are marked so (the reading is stored,
     * and alerting skips it). One query for the batch, and none when nothing was routed.
     */
    private static List<Route> markPaused(Connection c, List<Query> queries, List<Route> routes) throws SQLException {
        Map<UUID, List<OffsetDateTime[]>> pauses = new java.util.HashMap<>();
        List<UUID> enrollments = routes.stream().filter(r -> r.status() == Status.ROUTED).map(r -> r.assignment().enrollmentId())
                .distinct().toList();
        if (enrollments.isEmpty()) {
            return routes;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT enrollment_id, paused_from, paused_to FROM enrollment_pause WHERE enrollment_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", enrollments.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pauses.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new OffsetDateTime[] { rs.getObject(2, OffsetDateTime.class), rs.getObject(3, OffsetDateTime.class) });
                }
            }
        }
        if (pauses.isEmpty()) {
            return routes;
        }
        List<Route> marked = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            boolean paused = false;
            if (r.status() == Status.ROUTED) {
                OffsetDateTime at = queries.get(i).at();
                for (OffsetDateTime[] p : pauses.getOrDefault(r.assignment().enrollmentId(), List.of())) {
                    paused |= !p[0].isAfter(at) && (p[1] == null || at.isBefore(p[1]));
                }
            }
            marked.add(paused ? new Route(r.status(), r.device(), r.assignment(), true) : r);
        }
        return marked;
    }

    /** The earliest and latest time a device's readings in a batch have. */
    private record Span(OffsetDateTime earliest, OffsetDateTime latest) {
        Span widen(Span other) {
            return new Span(earliest.isBefore(other.earliest) ? earliest : other.earliest,
                    latest.isAfter(other.latest) ? latest : other.latest);
        }
    }

    /** What the routing query found for one device: the device, and its assignments in the batch's span. */
    private record Found(DeviceInfo device, boolean foreign, List<Period> assignments) {

        static Found add(Found sofar, ResultSet rs) throws SQLException {
            long id = rs.getLong(2);
            if (rs.wasNull()) {
                return new Found(null, rs.getBoolean(17), List.of());
            }
            Found f = sofar != null ? sofar
                    : new Found(new DeviceInfo(id, rs.getObject(3, UUID.class), rs.getString(4), rs.getBigDecimal(5), rs.getBigDecimal(6)),
                            false, new ArrayList<>());
            UUID enrollment = rs.getObject(9, UUID.class);
            if (enrollment != null) {
                Subject subject = new Subject(rs.getObject(10, UUID.class), rs.getString(11), rs.getString(12),
                        rs.getString(13) + " " + rs.getString(14), rs.getString(15), rs.getString(16));
                f.assignments().add(new Period(rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class),
                        new Assignment(enrollment, subject)));
            }
            return f;
        }

        /** The rule of device-contract.md, "Which patient": the assignment whose period [from, to) holds the time. */
        Route routeAt(OffsetDateTime at) {
            if (device == null) {
                return foreign ? Route.FOREIGN : Route.UNKNOWN;
            }
            for (Period p : assignments) {
                if (!p.from().isAfter(at) && (p.to() == null || at.isBefore(p.to()))) {
                    return new Route(Status.ROUTED, device, p.assignment(), false);
                }
            }
            return new Route(Status.UNASSIGNED, device, null, false);
        }
    }

    private record Period(OffsetDateTime from, OffsetDateTime to, Assignment assignment) {
    }

    /** Takes the exclusive lock on these devices, for routing their parked readings again. */
    public void lockExclusively(Connection c, Collection<DeviceKey> devices) throws SQLException {
        lock(c, devices, false);
    }

    private static void lock(Connection c, Collection<DeviceKey> devices, boolean shared) throws SQLException {
        // Devices share a fixed number of locks: a batch of a thousand devices takes at most
        // LOCK_BUCKETS of PostgreSQL's lock table (max_locks_per_transaction × max_connections).
        // Sorted, so that two transactions never take the same locks in opposite orders.
        TreeSet<Integer> buckets = new TreeSet<>();
        devices.forEach(d -> buckets.add(Math.floorMod((d.vendorId() + '/' + d.serial()).hashCode(), LOCK_BUCKETS)));
        String fn = shared ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + fn + "(?, b) FROM unnest(?::int[]) WITH ORDINALITY AS u(b, n) ORDER BY n")) {
            ps.setInt(1, LOCK_SPACE);
            ps.setArray(2, c.createArrayOf("int4", buckets.toArray()));
            ps.executeQuery().close();
        }
    }

    public record Query(String vendorId, String serial, OffsetDateTime at) {
    }

    public record DeviceKey(String vendorId, String serial) {
    }

    public enum Status {
        /** Registered, and assigned at that time. */
        ROUTED,
        /** Not registered to this vendor (nor to any other): park. */
        UNKNOWN,
        /** Registered, but no assignment covers that time: park. */
        UNASSIGNED,
        /** Not registered to this vendor but to another one: refuse, and tell the security log. */
        FOREIGN
    }

    /** The registered device, with what an Observation needs of it. */
    public record DeviceInfo(long id, UUID fhirId, String model, BigDecimal glucoseHigh, BigDecimal glucoseLow) {
    }

    /** The patient and the organisation responsible for the data ("dataansvarlig"). */
    public record Subject(UUID patientId, String identifierSystem, String identifier, String name, String organisationNumber,
            String organisationName) {
    }

    public record Assignment(UUID enrollmentId, Subject subject) {
    }

    /** @param paused the reading's time falls in a pause of the enrollment's follow-up */
    public record Route(Status status, DeviceInfo device, Assignment assignment, boolean paused) {
        static final Route UNKNOWN = new Route(Status.UNKNOWN, null, null, false);
        static final Route FOREIGN = new Route(Status.FOREIGN, null, null, false);
    }
}
