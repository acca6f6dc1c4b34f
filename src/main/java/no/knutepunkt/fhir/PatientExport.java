package no.knutepunkt.fhir;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.CurrentRequest;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Request;
import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.common.Unavailable;

/**
 * {@code GET /api/me/export}: the signed-in patient's data to take away, as one FHIR Bundle
 * ({@link ExportBundle}), downloaded as a file. Asked of the access policy as {@link DataKind#EXPORT}
 * of the caller's own record; audited before the first byte leaves, with the Bundle's id and how
 * many resources of each type it holds ({@code Type=count} after the id in the row's resource
 * ids: listing every id of years of readings would make one audit row megabytes long).
 */
@Path("/api/me/export")
@Tag(name = "Me", description = "The signed-in caller's own data")
public class PatientExport {

    private static final Logger LOG = Logger.getLogger(PatientExport.class);
    static final String FHIR_JSON = "application/fhir+json";
    private static final String ACTION = "export";
    private static final String RESOURCE_TYPE = "Bundle";

    public record Problem(String error) {
    }

    private final SecurityIdentity identity;
    private final CurrentRequest current;
    private final AccessPolicy policy;
    private final PatientLookup patients;
    private final DataSource db;
    private final Clock clock;

    PatientExport(SecurityIdentity identity, CurrentRequest current, AccessPolicy policy, PatientLookup patients, DataSource db,
            Clock clock) {
        this.identity = identity;
        this.current = current;
        this.policy = policy;
        this.patients = patients;
        this.db = db;
        this.clock = clock;
    }

    @GET
    @Produces(FHIR_JSON)
    @RolesAllowed("patient")
    @Operation(summary = "Download all of the signed-in patient's data",
            description = "A FHIR R4 Bundle (type collection) with the Patient, every Observation, each enrollment's EpisodeOfCare "
                    + "and CareTeam, the consents, and the patient's access log as AuditEvents, streamed as a file. The export is "
                    + "recorded in the access log with how many resources of each type it holds.")
    @APIResponse(responseCode = "200", description = "The Bundle, as an attachment")
    @APIResponse(responseCode = "403", description = "Not a registered patient")
    public Response export(@Context UriInfo uri) {
        Caller caller = Callers.of(identity);
        Request request = current.get();
        AccessPolicy.Granted g = policy.decide(caller, caller.patientId(), DataKind.EXPORT, request, ACTION, RESOURCE_TYPE);
        Connection c = null;
        try {
            PatientLookup.PatientRow patient = patients.byId(g.patientId());
            c = db.getConnection();
            // One snapshot for the counts and everything written after them.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            Instant now = clock.instant();
            ExportBundle bundle = new ExportBundle(c, patient, now);
            List<String> ids = new ArrayList<>();
            ids.add(bundle.id().toString());
            ids.addAll(AuditEventView.exportCounts(bundle.counts()));
            policy.record(g, request, ACTION, RESOURCE_TYPE, ids);
            String base = uri.getBaseUriBuilder().path("fhir").build().toString().replaceAll("/+$", "");
            Connection snapshot = c;
            StreamingOutput body = out -> {
                try {
                    bundle.write(out, base);
                } catch (SQLException e) {
                    // The headers are out: all that is left is to stop, and say so in the log (never the driver's message).
                    LOG.errorf("export %s broke off: SQL state %s", bundle.id(), e.getSQLState());
                    throw new IOException("the export could not be read to the end", e);
                } finally {
                    close(snapshot);
                }
            };
            c = null;
            return Response.ok(body, FHIR_JSON + ";charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"knutepunkt-eksport-" + LocalDate.now(clock) + ".json\"")
                    .header("Cache-Control", "no-store")
                    .build();
        } catch (SQLException e) {
            throw new Unavailable("export: the database is not reachable", e);
        } finally {
            close(c);
        }
    }

    private static void close(Connection c) {
        if (c == null) {
            return;
        }
        try (c) {
            c.rollback();
            // Back to the pool as it came: Agroal resets auto-commit and isolation itself, not read-only.
            c.setReadOnly(false);
        } catch (SQLException e) {
            LOG.warnf("export: closing its snapshot failed (SQL state %s)", e.getSQLState());
        }
    }

    /** The client learns only that it may not; the audit log has why. */
    @ServerExceptionMapper
    public RestResponse<Problem> refused(AccessDenied e) {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.FORBIDDEN, new Problem(AccessDenied.MESSAGE))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** An export that cannot be audited is not handed over. */
    @ServerExceptionMapper({AuditLog.Unavailable.class, Unavailable.class})
    public RestResponse<Problem> unavailable(RuntimeException e) {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.SERVICE_UNAVAILABLE,
                new Problem("the hub cannot answer this now (its audit log or database is unavailable); try again shortly"))
                .header("Retry-After", "5").type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
