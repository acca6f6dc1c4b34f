package no.knutepunkt.fhir;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

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
    private final List<UUID> patients;
    private final InstantType published = InstantType.now();

    /** @param patients each resource's patient, in the same order */
    ObservationPage(String searchToken, String pageId, String nextPageId, String previousPageId, List<IBaseResource> resources,
            List<UUID> patients) {
        this.searchToken = searchToken;
        this.pageId = pageId;
        this.nextPageId = nextPageId;
        this.previousPageId = previousPageId;
        this.resources = List.copyOf(resources);
        this.patients = List.copyOf(patients);
    }

    /** The patients this page's Observations belong to, once each. */
    Set<UUID> patients() {
        return new LinkedHashSet<>(patients);
    }

    /** The ids of this page's Observations of one patient. */
    List<String> idsOf(UUID patient) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            if (patient.equals(patients.get(i))) {
                ids.add(resources.get(i).getIdElement().getIdPart());
            }
        }
        return ids;
    }

    /**
     * The same page with only the Observations of these patients. Its links stay those of the
     * whole page: a cursor marks a place in the scan, not a count of what was shown.
     */
    ObservationPage onlyOf(Set<UUID> allowed) {
        List<IBaseResource> kept = new ArrayList<>();
        List<UUID> keptPatients = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            if (allowed.contains(patients.get(i))) {
                kept.add(resources.get(i));
                keptPatients.add(patients.get(i));
            }
        }
        return new ObservationPage(searchToken, pageId, nextPageId, previousPageId, kept, keptPatients);
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
