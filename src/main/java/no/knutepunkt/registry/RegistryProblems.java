package no.knutepunkt.registry;

import java.util.List;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * What the registry API answers when a request cannot be done: a small problem body
 * ({@code {"error": ..., "field": ..., "allowed": [...]}}) with the status of the {@link Problem}.
 * Jackson's own messages may quote the input (a fødselsnummer, say), so they are never passed on.
 */
public class RegistryProblems {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProblemBody(String error, String field, List<String> allowed) {
    }

    @ServerExceptionMapper
    public RestResponse<ProblemBody> problem(Problem p) {
        return problem(p.status(), new ProblemBody(p.getMessage(), p.field(), p.allowed()));
    }

    @ServerExceptionMapper
    public RestResponse<ProblemBody> unreadable(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = path(m.getPath());
            return problem(400, new ProblemBody(field + " has the wrong type or format", field, null));
        }
        return problem(400, new ProblemBody("the body is not valid JSON", null, null));
    }

    /**
     * A value of the wrong type or format. Quarkus has a mapper of its own for exactly this type,
     * which beats {@link #unreadable} (a supertype's) and answers with Jackson's view of the input
     * (in dev and test, the offending value included); ours, for the same type, comes first.
     */
    @ServerExceptionMapper
    public RestResponse<ProblemBody> mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    /** Quarkus wraps a body it cannot read; the status stays, the body becomes a problem like every other. */
    @ServerExceptionMapper
    public RestResponse<ProblemBody> refused(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadable(unreadable);
        }
        int status = e.getResponse().getStatus();
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        return problem(status, new ProblemBody(status == 400 ? "the body is not valid JSON" : reason, null, null));
    }

    static RestResponse<ProblemBody> problem(int status, ProblemBody body) {
        return RestResponse.ResponseBuilder.<ProblemBody>create(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() != null) {
                field.append(field.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                field.append('[').append(r.getIndex()).append(']');
            }
        }
        return field.toString();
    }
}
