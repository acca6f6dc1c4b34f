package no.knutepunkt.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import io.quarkus.security.UnauthorizedException;
import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.audit.AuditLog;
import no.knutepunkt.common.Unavailable;

/**
 * The access policy's answers as FHIR answers (an OperationOutcome with the status): 403 for a
 * refusal, 401 for no caller, 503 with Retry-After when the audit log or the database cannot keep
 * up — a read that cannot be audited is not answered.
 */
@Interceptor
final class FhirRefusals {

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException translate(RequestDetails request, Throwable failure) {
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
        return null;
    }
}
