package no.knutepunkt.access;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.audit.AuditVerification;
import no.knutepunkt.registry.Problem;
import no.knutepunkt.registry.Transactions;

/**
 * The operator's review (security.md): emergency accesses and refused attempts, newest first,
 * until someone has looked at them; and the audit log's verification. The operator sees who did
 * what to which patient id, never the patient's data.
 */
@Path("/api/access/review")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("operator")
@Tag(name = "Access")
public class ReviewResource {

    private static final int MAX = 500;

    private final EmergencyAccess grants;
    private final AuditVerification verification;
    private final Transactions tx;
    private final SecurityIdentity identity;
    private final CurrentRequest request;
    private final AccessPolicy policy;
    private final Clock clock;

    ReviewResource(EmergencyAccess grants, AuditVerification verification, Transactions tx, SecurityIdentity identity,
            CurrentRequest request, AccessPolicy policy, Clock clock) {
        this.grants = grants;
        this.verification = verification;
        this.tx = tx;
        this.identity = identity;
        this.request = request;
        this.policy = policy;
        this.clock = clock;
    }

    public record Note(String note) {
    }

    /** A refused attempt, as the audit log has it. */
    public record Refused(UUID id, long seq, OffsetDateTime at, String action, String entryPoint, String reason, String subject,
            String name, String hprNumber, String organisationNumber, String role, UUID patientId, String sourceAddress,
            OffsetDateTime reviewedAt, String reviewedBy, String reviewNote) {
    }

    @GET
    @Path("/emergency")
    @Operation(summary = "Emergency accesses for review, newest first (operator)")
    public List<EmergencyGrant> emergency(@QueryParam("all") @DefaultValue("false") boolean all,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        Caller caller = Callers.of(identity);
        List<EmergencyGrant> found = tx.read(c -> grants.forReview(c, all, Math.max(1, Math.min(limit, MAX))));
        policy.recordAction(caller, request.get(), "search", "emergency-access", found.stream().map(g -> g.id().toString()).toList());
        return found;
    }

    @POST
    @Path("/emergency/{id}")
    @Operation(summary = "Mark an emergency access as reviewed, with a note (operator)")
    public EmergencyGrant reviewEmergency(@PathParam("id") String id, Note body) {
        Caller caller = Callers.of(identity);
        UUID key = uuid(id);
        String note = note(body);
        return tx.write(c -> {
            if (!grants.review(c, key, by(caller), note, OffsetDateTime.now(clock))) {
                throw Problem.notFound("no such emergency access waiting for review");
            }
            policy.recordActionIn(c, caller, request.get(), "review", "emergency-access", List.of(key.toString()));
            return grants.forReview(c, true, MAX).stream().filter(g -> g.id().equals(key)).findFirst().orElseThrow();
        });
    }

    @GET
    @Path("/refused")
    @Operation(summary = "Refused attempts for review, newest first (operator)")
    public List<Refused> refused(@QueryParam("all") @DefaultValue("false") boolean all,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        Caller caller = Callers.of(identity);
        List<Refused> found = tx.read(c -> {
            List<Refused> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.id, a.seq, a.recorded_at, a.action, a.entry_point, a.reason, a.subject, a.person_name, a.hpr_number,
                           a.organisation_number, a.role, a.patient_id, a.source_address, r.reviewed_at, r.reviewed_by, r.note
                      FROM audit_event a LEFT JOIN denied_access_review r ON r.audit_event_id = a.id
                     WHERE a.outcome = 'denied' AND (? OR r.audit_event_id IS NULL)
                     ORDER BY a.seq DESC LIMIT ?""")) {
                ps.setBoolean(1, all);
                ps.setInt(2, Math.max(1, Math.min(limit, MAX)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Refused(rs.getObject(1, UUID.class), rs.getLong(2), rs.getObject(3, OffsetDateTime.class),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                rs.getString(10), rs.getString(11), rs.getObject(12, UUID.class), rs.getString(13),
                                rs.getObject(14, OffsetDateTime.class), rs.getString(15), rs.getString(16)));
                    }
                }
            }
            return out;
        });
        policy.recordAction(caller, request.get(), "search", "refused-access", List.of());
        return found;
    }

    @POST
    @Path("/refused/{id}")
    @Operation(summary = "Mark a refused attempt as reviewed, with a note (operator)")
    public Note reviewRefused(@PathParam("id") String id, Note body) {
        Caller caller = Callers.of(identity);
        UUID key = uuid(id);
        String note = note(body);
        tx.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO denied_access_review (audit_event_id, reviewed_at, reviewed_by, note)
                    SELECT id, ?, ?, ? FROM audit_event WHERE id = ? AND outcome = 'denied'
                    ON CONFLICT (audit_event_id) DO NOTHING""")) {
                ps.setObject(1, OffsetDateTime.now(clock));
                ps.setString(2, by(caller));
                ps.setString(3, note);
                ps.setObject(4, key);
                if (ps.executeUpdate() == 0) {
                    throw Problem.notFound("no such refused attempt waiting for review");
                }
            }
            policy.recordActionIn(c, caller, request.get(), "review", "refused-access", List.of(key.toString()));
            return null;
        });
        return new Note(note);
    }

    /**
     * Walks the audit log's hash chain. Give {@code anchorSeq} and {@code anchorHash} (a head the
     * hub logged earlier, "audit log head: seq … hash …") to also catch rows cut off its end.
     */
    @GET
    @Path("/audit-verification")
    @Operation(summary = "Verify the audit log's hash chain, optionally against an anchor noted earlier (operator)")
    public AuditVerification.Result verify(@QueryParam("anchorSeq") Long anchorSeq, @QueryParam("anchorHash") String anchorHash) {
        Caller caller = Callers.of(identity);
        try {
            AuditVerification.Result result = verification.verify(anchorSeq, anchorHash);
            policy.recordAction(caller, request.get(), "verify", "audit-log", List.of(Long.toString(result.headSeq())));
            return result;
        } catch (SQLException e) {
            throw new no.knutepunkt.common.Unavailable("audit verification: the database is not reachable", e);
        }
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("no such entry");
        }
    }

    private static String note(Note body) {
        String note = body == null || body.note() == null ? null : body.note().strip();
        if (note != null && (note.length() > 2000 || note.chars().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n'))) {
            throw Problem.malformed("note", "note is at most 2000 characters, without control characters");
        }
        return note == null || note.isEmpty() ? null : note;
    }

    private static String by(Caller caller) {
        return caller.name() == null ? caller.subject() : caller.name();
    }
}
