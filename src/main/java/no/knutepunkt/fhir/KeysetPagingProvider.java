package no.knutepunkt.fhir;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IPagingProvider;

/**
 * Stateless paging: a page link carries the whole search (the search id is
 * {@link ObservationSearch#token()} or {@link AuditSearch#token()}) and the cursor of the page (the
 * page id), so no instance needs to remember a search and any instance can serve any page. Nothing
 * is stored.
 */
@Singleton
class KeysetPagingProvider implements IPagingProvider {

    private final FhirAccess access;
    private final AuditEventPages audit;
    private final FhirApiConfig config;

    @Inject
    KeysetPagingProvider(FhirAccess access, AuditEventPages audit, FhirApiConfig config) {
        this.access = access;
        this.audit = audit;
        this.config = config;
    }

    @Override
    public int getDefaultPageSize() {
        return config.defaultPageSize();
    }

    @Override
    public int getMaximumPageSize() {
        return config.maxPageSize();
    }

    /** Offset paging of a stored result list: there is none; HAPI answers 410 Gone. */
    @Override
    public IBundleProvider retrieveResultList(RequestDetails request, String searchId) {
        return null;
    }

    @Override
    public IBundleProvider retrieveResultList(RequestDetails request, String searchId, String pageId) {
        if (AuditSearch.isToken(searchId)) {
            return auditPage(request, searchId, pageId);
        }
        ObservationSearch q = ObservationSearch.fromToken(searchId);
        ObservationSearch.Cursor cursor = ObservationSearch.Cursor.parse(pageId);
        if (q == null || cursor == null) {
            return null;
        }
        // A token is only as trustworthy as the client that sends it back: hold it to the same cap.
        if (q.count() < 1 || q.count() > config.maxPageSize()) {
            q = new ObservationSearch(q.patient(), q.kinds(), q.identifierVendor(), q.identifierValue(), q.from(), q.to(),
                    q.ascending(), Math.max(1, Math.min(q.count(), config.maxPageSize())));
        }
        // The token says which patient: whoever sends it back is held to the policy like the first page.
        return access.searchPage(q, cursor, request);
    }

    /** A later page of an AuditEvent search: held to the access policy like the first ({@link AuditEventPages}). */
    private IBundleProvider auditPage(RequestDetails request, String searchId, String pageId) {
        AuditSearch q = AuditSearch.fromToken(searchId);
        Long before = AuditSearch.pageStart(pageId);
        if (q == null || before == null) {
            return null;
        }
        if (q.count() < 1 || q.count() > config.maxPageSize()) {
            q = q.withCount(Math.max(1, Math.min(q.count(), config.maxPageSize())));
        }
        return audit.page(q, before, request);
    }

    /** "Stores" an Observation or AuditEvent search by naming it: its token is all a later page needs. */
    @Override
    public String storeResultList(RequestDetails request, IBundleProvider provider) {
        if (provider instanceof ObservationPage page) {
            return page.getUuid();
        }
        return provider instanceof AuditPage page ? page.getUuid() : null;
    }
}
