package no.knutepunkt.fhir;

import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.jboss.logging.Logger;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import io.quarkus.security.UnauthorizedException;
import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.common.Unavailable;

/**
 * The access policy's answers as FHIR answers (an OperationOutcome with the status): 403 for a
 * refusal, 401 for no caller, 503 with Retry-After when the audit log or the database cannot keep
 * up — a read that cannot be audited is not answered.
 * <p>
 * Every refusal leaves here with its OperationOutcome made, because HAPI logs the message of each
 * exception it has to make one for (ExceptionHandlingInterceptor, "Failure during REST
 * processing"), and the message of a client error quotes the request: the id in the path, the
 * value of a parameter it could not read — a fødselsnummer, where a client put one (security.md:
 * logs never hold one). The client still gets the message in the OperationOutcome; the log gets
 * the status and the kind of refusal. Server errors are left to HAPI, which logs them with their
 * stack (their messages are ours, FhirApiFailure).
 */
@Interceptor
final class FhirRefusals {

    private static final Logger LOG = Logger.getLogger(FhirRefusals.class);

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException translate(RequestDetails request, Throwable failure) {
        BaseServerResponseException answer = answer(failure);
        if (answer == null) {
            return null;
        }
        if (answer.getOperationOutcome() == null) {
            FhirContext fhir = request.getServer().getFhirContext();
            IBaseOperationOutcome outcome = OperationOutcomeUtil.newInstance(fhir);
            OperationOutcomeUtil.addIssue(fhir, outcome, "error", answer.getMessage(), null, "processing");
            answer.setOperationOutcome(outcome);
        }
        if (answer.getStatusCode() >= 500) {
            LOG.warnf("FHIR request answered %d: %s", answer.getStatusCode(), answer.getMessage());
        } else {
            LOG.debugf("FHIR request refused: %d %s", answer.getStatusCode(), answer.getClass().getSimpleName());
        }
        return answer;
    }

    /** The answer to give, or null for a server error HAPI is to handle (and log) as it does. */
    private static BaseServerResponseException answer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AccessDenied) {
                return new ForbiddenOperationException(AccessDenied.MESSAGE);
            }
            if (t instanceof UnauthorizedException) {
                return new AuthenticationException("a signed-in caller is needed");
            }
            if (t instanceof AuditLog.Unavailable || t instanceof Unavailable) {
                UnclassifiedServerFailureException e = new UnclassifiedServerFailureException(503,
                        "the hub cannot answer this now (its audit log or database is unavailable); try again shortly");
                e.addResponseHeader("Retry-After", "5");
                return e;
            }
        }
        if (failure instanceof DataFormatException) {
            // A parameter HAPI could not parse (a date, say): the client's mistake, so 400, as HAPI answers it.
            return new InvalidRequestException(failure.getMessage());
        }
        if (failure instanceof BaseServerResponseException e && e.getStatusCode() < 500) {
            return e;
        }
        return null;
    }
}
