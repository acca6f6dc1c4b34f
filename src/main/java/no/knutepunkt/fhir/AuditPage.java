package no.knutepunkt.fhir;

import java.util.Date;
import java.util.List;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;

import ca.uhn.fhir.rest.api.server.IBundleProvider;

/**
 * One page of an AuditEvent search, newest first, already fetched and audited. HAPI links the next
 * page by page id ({@code _getpages={search token}&_pageId=s{seq}}); there is no previous link:
 * the log is read from now backwards, and the first page is one request away.
 */
final class AuditPage implements IBundleProvider {

    private final String searchToken;
    private final String pageId;
    private final String nextPageId;
    private final List<IBaseResource> resources;
    private final InstantType published = InstantType.now();

    AuditPage(String searchToken, String pageId, String nextPageId, List<IBaseResource> resources) {
        this.searchToken = searchToken;
        this.pageId = pageId;
        this.nextPageId = nextPageId;
        this.resources = List.copyOf(resources);
    }

    @Override
    public IPrimitiveType<Date> getPublished() {
        return published;
    }

    /** The whole page, whatever range HAPI asks for: its size was decided by the search's _count. */
    @Override
    public List<IBaseResource> getResources(int fromIndex, int toIndex) {
        return resources;
    }

    /** The search id of this page's links: HAPI takes it from here (SearchBundleIds says what else it does with it). */
    @Override
    public String getUuid() {
        return searchToken;
    }

    @Override
    public String getCurrentPageId() {
        return pageId;
    }

    @Override
    public String getNextPageId() {
        return nextPageId;
    }

    @Override
    public Integer preferredPageSize() {
        return resources.size();
    }

    /** Unknown: counting the whole log for every page would cost more than the page. */
    @Override
    public Integer size() {
        return null;
    }
}
