package no.knutepunkt.fhir;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.security.identity.SecurityIdentity;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Request;
import no.knutepunkt.fhir.ObservationSearch.Cursor;

/**
 * The FHIR API's side of the access policy: who is calling, where the request came in, and the
 * one way an Observation search page is produced — decided before anything is read when the search
 * names a patient, filtered to the patients the caller may see when it does not (an identifier
 * search), and audited with the ids it returns either way. The first page and every later page
 * (KeysetPagingProvider) go through here, so a page link is no way around the policy.
 */
@Singleton
class FhirAccess {

    static final String OBSERVATION = "Observation";

    private final SecurityIdentity identity;
    private final AccessPolicy policy;
    private final ObservationPages pages;

    @Inject
    FhirAccess(SecurityIdentity identity, AccessPolicy policy, ObservationPages pages) {
        this.identity = identity;
        this.policy = policy;
        this.pages = pages;
    }

    Caller caller() {
        return Callers.of(identity);
    }

    AccessPolicy policy() {
        return policy;
    }

    /** Method and path (never the query string: it may hold a fødselsnummer), and the client's address. */
    static Request request(RequestDetails details) {
        String address = details instanceof ServletRequestDetails s ? s.getServletRequest().getRemoteAddr() : null;
        String path = "/fhir/" + (details.getRequestPath() == null ? "" : details.getRequestPath());
        return Request.of(details.getRequestType() == null ? "GET" : details.getRequestType().name(), path, address);
    }

    ObservationPage searchPage(ObservationSearch q, Cursor cursor, RequestDetails details) {
        Caller caller = caller();
        Request request = request(details);
        if (q.patient() != null) {
            AccessPolicy.Granted g = policy.decide(caller, q.patient(), DataKind.MEASUREMENTS, request, "search", OBSERVATION);
            ObservationPage page = pages.page(q, cursor, null);
            policy.record(g, request, "search", OBSERVATION, page.idsOf(q.patient()));
            return page;
        }
        // Only the patients the caller may see are searched (no page shows that others exist);
        // each patient on the page is then granted by the policy's rule as for one patient.
        ObservationPage page = pages.page(q, cursor, policy.visiblePatients(caller));
        List<AccessPolicy.Granted> granted = policy.grantedForList(caller, new ArrayList<>(page.patients()));
        Set<UUID> allowed = new LinkedHashSet<>();
        for (AccessPolicy.Granted g : granted) {
            allowed.add(g.patientId());
            policy.record(g, request, "search", OBSERVATION, page.idsOf(g.patientId()));
        }
        return page.onlyOf(allowed);
    }

    /** Reads of one patient's data: decides (refusal audited and thrown), and returns the grant to record. */
    AccessPolicy.Granted decide(UUID patient, DataKind kind, RequestDetails details, String action, String resourceType) {
        return policy.decide(caller(), patient, kind, request(details), action, resourceType);
    }

    void record(AccessPolicy.Granted g, RequestDetails details, String action, String resourceType, List<String> ids) {
        policy.record(g, request(details), action, resourceType, ids);
    }
}
