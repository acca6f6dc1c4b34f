package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.registry.Enrollments.Enrollment;

/**
 * Pauses of follow-up (a hospital admission, a journey): readings keep arriving and are stored,
 * marked as taken during a pause ({@code reading.paused}, and a tag on the Observation), so that
 * alerting skips them. A pause may be recorded after it began (the nurse learns of the admission
 * the next day): readings already stored in its period are marked then, in the same transaction.
 * Pauses of one enrollment never overlap; at most one is open.
 */
@ApplicationScoped
public class Pauses {

    static final Set<String> REASONS = Set.of("hospital-admission", "travel", "other");

    private static final String COLUMNS = "id, enrollment_id, paused_from, paused_to, reason, note, created_at, created_by";

    public record NewPause(OffsetDateTime from, String reason, String note) {
        public NewPause {
            from = Fields.stored(from);
        }
    }

    public record Pause(UUID id, UUID enrollmentId, OffsetDateTime from, OffsetDateTime to, String reason, String note,
            OffsetDateTime createdAt, String createdBy) {
    }

    private final Enrollments enrollments;
    private final PausedReadings marking;

    Pauses(Enrollments enrollments, PausedReadings marking) {
        this.enrollments = enrollments;
        this.marking = marking;
    }

    Pause pause(Connection c, UUID enrollmentId, NewPause p, String createdBy, OffsetDateTime now) throws SQLException {
        Fields.required("from", p.from());
        Fields.oneOf("reason", p.reason(), REASONS);
        Fields.optionalText("note", p.note(), 500);
        Enrollment e = enrollments.lock(c, enrollmentId).orElseThrow(() -> Problem.notFound("no such enrollment"));
        if (p.from().isBefore(e.startedAt())) {
            throw Problem.invalid("from", "a pause cannot begin before the enrollment");
        }
        if (e.endedAt() != null) {
            throw Problem.conflict("from", "the enrollment has ended");
        }
        if (open(c, enrollmentId).isPresent()) {
            throw Problem.conflict("from", "the enrollment is paused already; resume it first");
        }
        if (overlapsEarlier(c, enrollmentId, p.from())) {
            throw Problem.conflict("from", "the pause would overlap an earlier pause");
        }
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO enrollment_pause (id, enrollment_id, paused_from, reason, note, "
                + "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setObject(2, enrollmentId);
            ps.setObject(3, p.from());
            ps.setString(4, p.reason());
            ps.setString(5, Fields.blankToNull(p.note()));
            ps.setObject(6, Fields.stored(now));
            ps.setString(7, createdBy);
            ps.executeUpdate();
        }
        marking.mark(c, enrollmentId, p.from(), null);
        return find(c, id).orElseThrow();
    }

    /** Ends the open pause at {@code at}; readings from then on are no longer marked. */
    Pause resume(Connection c, UUID enrollmentId, OffsetDateTime at) throws SQLException {
        enrollments.lock(c, enrollmentId).orElseThrow(() -> Problem.notFound("no such enrollment"));
        Pause open = open(c, enrollmentId).orElseThrow(() -> Problem.conflict("at", "the enrollment is not paused"));
        if (!at.isAfter(open.from())) {
            throw Problem.invalid("at", "follow-up must resume after the pause began");
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE enrollment_pause SET paused_to = ? WHERE id = ?")) {
            ps.setObject(1, at);
            ps.setObject(2, open.id());
            ps.executeUpdate();
        }
        // Readings measured after the resumption that were marked while the pause was open are not paused.
        marking.unmark(c, enrollmentId, at);
        return find(c, open.id()).orElseThrow();
    }

    Optional<Pause> open(Connection c, UUID enrollmentId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM enrollment_pause WHERE enrollment_id = ? AND paused_to IS NULL", enrollmentId)
                .stream().findFirst();
    }

    List<Pause> list(Connection c, UUID enrollmentId) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM enrollment_pause WHERE enrollment_id = ? ORDER BY paused_from", enrollmentId);
    }

    private Optional<Pause> find(Connection c, UUID id) throws SQLException {
        return query(c, "SELECT " + COLUMNS + " FROM enrollment_pause WHERE id = ?", id).stream().findFirst();
    }

    private static boolean overlapsEarlier(Connection c, UUID enrollmentId, OffsetDateTime from) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM enrollment_pause WHERE enrollment_id = ? AND paused_to > ?")) {
            ps.setObject(1, enrollmentId);
            ps.setObject(2, from);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<Pause> query(Connection c, String sql, UUID key) throws SQLException {
        List<Pause> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pause(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, OffsetDateTime.class),
                            rs.getObject(4, OffsetDateTime.class), rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class),
                            rs.getString(8)));
                }
            }
        }
        return out;
    }
}
