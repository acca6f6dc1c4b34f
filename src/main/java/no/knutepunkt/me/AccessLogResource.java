package no.knutepunkt.me;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.CurrentRequest;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Request;
import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.audit.AuditTrail;
import no.knutepunkt.audit.AuditWords;
import no.knutepunkt.common.Unavailable;

/**
 * {@code GET /api/me/access-log}: the patient's own access log (innsyn i logg, security.md) for the
 * patient's page — who looked at their data or tried to (name, role in words, organisation), when,
 * what and how much, why, and with what outcome; newest first, a page at a time. Asked of the
 * access policy as {@link DataKind#ACCESS_LOG} of the caller's own patient record, and audited with
 * the rows it shows, so the patient's own look shows up the next time.
 */
@Path("/api/me/access-log")
@Tag(name = "Me", description = "The signed-in caller's own data")
public class AccessLogResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    private static final String RESOURCE_TYPE = "AuditEvent";

    /** @param next the address of the next (older) page, or null on the last */
    public record Page(List<Entry> entries, String next) {
    }

    /**
     * One access or refused attempt.
     *
     * @param id      the audit row's id (the FHIR AuditEvent's id)
     * @param what    what was read, listed by kind with how many; empty for a refusal
     * @param purpose why access was given, in words; null for a refusal
     * @param reason  for a refusal, the policy's reason code; for an emergency access, the reason stated
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(UUID id, Instant when, Who who, String action, String actionText, List<What> what, String purpose,
            String purposeText, String outcome, String outcomeText, String reason) {
    }

    /**
     * @param role         in Norwegian words ("helsepersonell", …)
     * @param roles        the role codes
     * @param hprNumber    health personnel's HPR number (public in Helsepersonellregisteret)
     * @param organisation the organisation's registered name, or its number when it is not registered
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Who(String name, String role, List<String> roles, String hprNumber, String organisation, String organisationNumber) {
    }

    /** @param text the kind in Norwegian words ("målinger", …) */
    public record What(String resourceType, String text, long count) {
    }

    public record Problem(String error) {
    }

    private final SecurityIdentity identity;
    private final CurrentRequest current;
    private final AccessPolicy policy;
    private final AuditTrail trail;

    AccessLogResource(SecurityIdentity identity, CurrentRequest current, AccessPolicy policy, AuditTrail trail) {
        this.identity = identity;
        this.current = current;
        this.policy = policy;
        this.trail = trail;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("patient")
    @Operation(summary = "The signed-in patient's access log",
            description = "Who has read the patient's data or been refused it, when, what, why and with what outcome; newest first. "
                    + "Follow `next` for older entries. The request itself is recorded in the log.")
    @APIResponse(responseCode = "200", description = "A page of the log")
    @APIResponse(responseCode = "403", description = "Not a registered patient")
    public Page accessLog(
            @Parameter(description = "The `before` of the previous page's `next` link: entries older than this") @QueryParam("before") Long before,
            @Parameter(description = "Entries per page (default 50, at most 200)") @QueryParam("limit") Integer limit) {
        if (before != null && before < 1) {
            throw new BadRequestException("before must be positive");
        }
        int n = Math.max(1, Math.min(limit == null ? DEFAULT_LIMIT : limit, MAX_LIMIT));
        Caller caller = Callers.of(identity);
        Request request = current.get();
        // A citizen who is no registered patient has no log: the policy refuses the null patient like an unknown one.
        AccessPolicy.Granted g = policy.decide(caller, caller.patientId(), DataKind.ACCESS_LOG, request, "read", RESOURCE_TYPE);
        List<AuditTrail.Event> rows;
        try {
            rows = new ArrayList<>(trail.page(new AuditTrail.Filter(g.patientId(), null, null, null, null), before, n + 1));
        } catch (SQLException e) {
            throw new Unavailable("access log: the database is not reachable", e);
        }
        boolean more = rows.size() > n;
        if (more) {
            rows.remove(rows.size() - 1);
        }
        List<Entry> entries = new ArrayList<>(rows.size());
        List<String> ids = new ArrayList<>(rows.size());
        for (AuditTrail.Event r : rows) {
            entries.add(entry(r));
            ids.add(r.id().toString());
        }
        policy.record(g, request, "read", RESOURCE_TYPE, ids);
        String next = more ? "/api/me/access-log?before=" + rows.get(rows.size() - 1).seq() + "&limit=" + n : null;
        return new Page(entries, next);
    }

    static Entry entry(AuditTrail.Event r) {
        AuditEntry e = r.entry();
        AuditEntry.Who w = e.who() == null ? AuditEntry.Who.UNKNOWN : e.who();
        List<String> roles = w.role() == null ? List.of() : List.of(w.role().split(","));
        Who who = new Who(w.name(), AuditWords.roles(w.role()), roles, w.hprNumber(),
                r.organisationName() != null ? r.organisationName() : w.organisationNumber(), w.organisationNumber());
        boolean emergency = e.purpose() == AuditEntry.Purpose.EMERGENCY;
        return new Entry(r.id(), r.recordedAt(), who, e.action(), AuditWords.action(e.action()), what(e),
                e.purpose() == null ? null : e.purpose().code(), AuditWords.purpose(e.purpose()), e.outcome().code(),
                AuditWords.outcome(e.outcome()), e.outcome() == AuditEntry.Outcome.DENIED || emergency ? e.reason() : null);
    }

    /** What the row names, by kind: an export lists its Bundle's id, then Type=count for each kind it carried. */
    static List<What> what(AuditEntry e) {
        if (e.resourceType() == null || e.outcome() == AuditEntry.Outcome.DENIED) {
            return List.of();
        }
        if ("export".equals(e.action())) {
            List<What> out = new ArrayList<>();
            for (String id : e.resourceIds()) {
                int eq = id.indexOf('=');
                if (eq > 0) {
                    String type = id.substring(0, eq);
                    try {
                        out.add(new What(type, AuditWords.resourceType(type), Long.parseLong(id.substring(eq + 1))));
                    } catch (NumberFormatException notACount) {
                        // Not a count: the row was written by something else than the export; shown as it is below.
                    }
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return List.of(new What(e.resourceType(), AuditWords.resourceType(e.resourceType()), e.resourceIds().size()));
    }

    /** The client learns only that it may not; the audit log has why. */
    @ServerExceptionMapper
    public RestResponse<Problem> refused(AccessDenied e) {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.FORBIDDEN, new Problem(AccessDenied.MESSAGE))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** A read that cannot be audited is not answered. */
    @ServerExceptionMapper({AuditLog.Unavailable.class, Unavailable.class})
    public RestResponse<Problem> unavailable(RuntimeException e) {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.SERVICE_UNAVAILABLE,
                new Problem("the hub cannot answer this now (its audit log or database is unavailable); try again shortly"))
                .header("Retry-After", "5").type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
