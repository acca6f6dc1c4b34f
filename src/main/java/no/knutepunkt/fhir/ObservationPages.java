package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;

import ca.uhn.fhir.context.FhirContext;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.fhir.ObservationSearch.Cursor;

/** Fetches one page of an Observation search and works out the cursors of its neighbours. */
@Singleton
class ObservationPages {

    private final ObservationStore store;
    private final FhirContext fhir = FhirContext.forR4Cached();

    @Inject
    ObservationPages(ObservationStore store) {
        this.store = store;
    }

    /**
     * @param cursor  where the page starts, or null for the first page
     * @param visible the patients the caller may see, for a search that names none (else null)
     */
    ObservationPage page(ObservationSearch q, Cursor cursor, AccessPolicy.Visible visible) {
        List<ObservationStore.Row> rows;
        try {
            // One row more than the page says whether another page lies beyond it.
            rows = new ArrayList<>(store.scan(q, cursor, visible, q.count() + 1));
        } catch (SQLException e) {
            throw FhirApiFailure.of("Observation search", e);
        }
        boolean more = rows.size() > q.count();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        boolean backwards = cursor != null && cursor.before();
        if (backwards) {
            Collections.reverse(rows);
        }
        String next = null;
        String previous = null;
        if (!rows.isEmpty()) {
            ObservationStore.Row first = rows.get(0);
            ObservationStore.Row last = rows.get(rows.size() - 1);
            if (backwards || more) {
                next = new Cursor(false, last.effective(), last.id()).pageId();
            }
            // A forward page came from somewhere; a backward page knows from its extra row.
            if (backwards ? more : cursor != null) {
                previous = new Cursor(true, first.effective(), first.id()).pageId();
            }
        }
        List<IBaseResource> resources = new ArrayList<>(rows.size());
        List<UUID> patients = new ArrayList<>(rows.size());
        for (ObservationStore.Row r : rows) {
            resources.add(parse(r.json()));
            patients.add(r.patient());
        }
        return new ObservationPage(q.token(), cursor == null ? ObservationPage.FIRST : cursor.pageId(), next, previous, resources, patients);
    }

    Observation parse(String json) {
        return fhir.newJsonParser().parseResource(Observation.class, json);
    }
}
