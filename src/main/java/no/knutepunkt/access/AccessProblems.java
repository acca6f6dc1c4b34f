package no.knutepunkt.access;

import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.common.Unavailable;

/**
 * The access policy's answers on every JSON endpoint: 403 with the same body whatever the reason
 * (the reason is in the audit log), and 503 with Retry-After when the audit log or the database
 * cannot keep up — data whose reading cannot be recorded is not handed out.
 */
public class AccessProblems {

    public record Refusal(String error) {
    }

    @ServerExceptionMapper
    public RestResponse<Refusal> denied(AccessDenied e) {
        return RestResponse.ResponseBuilder.<Refusal>create(403).entity(new Refusal(AccessDenied.MESSAGE))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @ServerExceptionMapper({ AuditLog.Unavailable.class, Unavailable.class })
    public RestResponse<Refusal> unavailable(RuntimeException e) {
        return RestResponse.ResponseBuilder.<Refusal>create(503)
                .entity(new Refusal("the hub cannot answer this now (its audit log or database is unavailable); try again shortly"))
                .header("Retry-After", "5").type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
