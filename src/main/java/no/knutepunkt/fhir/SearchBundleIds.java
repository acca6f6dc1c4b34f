package no.knutepunkt.fhir;

import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.ResponseDetails;

/**
 * Gives a search's Bundle a valid id. HAPI uses a paged search's id twice: in the page links
 * ({@code _getpages}) and as the Bundle's id. Ours are stateless tokens that carry the whole search
 * ({@link ObservationSearch#token()}, {@link AuditSearch#token()}): longer than the 64 characters
 * a FHIR id may have, and with characters one may not, so the Bundle failed validation. A
 * searchset's id names nothing a client can fetch again; a fresh one says as much.
 */
@Interceptor
final class SearchBundleIds {

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean outgoing(ResponseDetails response) {
        if (response.getResponseResource() instanceof Bundle b && b.hasId() && !validId(b.getIdElement().getIdPart())) {
            b.setIdElement(new IdType(UUID.randomUUID().toString()));
        }
        return true;
    }

    private static boolean validId(String id) {
        return id != null && id.matches("[A-Za-z0-9\\-.]{1,64}");
    }
}
