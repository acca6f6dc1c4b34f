package no.knutepunkt.fhir;

import java.util.Date;
import java.util.List;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;

import ca.uhn.fhir.rest.api.server.IBundleProvider;

/**
 * One page of an Observation search, already fetched. HAPI links its neighbours by page id
 * ({@code _getpages={search token}&_pageId={cursor}}), which {@link KeysetPagingProvider} turns back
 * into a query on whichever instance receives it.
 */
final class ObservationPage implements IBundleProvider {

    /** The page id of a search's first page, which has no cursor. */
    static final String FIRST = "first";

    private final String searchToken;
    private final String pageId;
    private final String nextPageId;
    private final String previousPageId;
    private final List<IBaseResource> resources;
    private final InstantType published = InstantType.now();

    ObservationPage(String searchToken, String pageId, String nextPageId, String previousPageId, List<IBaseResource> resources) {
        this.searchToken = searchToken;
        this.pageId = pageId;
        this.nextPageId = nextPageId;
        this.previousPageId = previousPageId;
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
    public String getPreviousPageId() {
        return previousPageId;
    }

    @Override
    public Integer preferredPageSize() {
        return resources.size();
    }

    /** Unknown: counting a year of readings for every page would cost more than the page itself. */
    @Override
    public Integer size() {
        return null;
    }
}
