package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Request;
import no.knutepunkt.access.Role;
import no.knutepunkt.audit.AuditTrail;

/**
 * Who may see which AuditEvents, and the one way a page of them is produced (the first page and
 * every later one, {@link KeysetPagingProvider}). The operator reviews the whole log: the policy's
 * rule for operators' work ({@link AccessPolicy#requireRole}, purpose operations), recorded as one
 * entry per request naming the events shown. Everyone else asks for a patient's access log
 * ({@link DataKind#ACCESS_LOG}): today the policy grants that to the patient alone, for their own;
 * the page is then only that patient's rows, and it too is one entry per request. Since each
 * request writes one entry, whatever it shows, reviewing the review never feeds on itself.
 */
@Singleton
class AuditEventPages {

    static final String AUDIT_EVENT = "AuditEvent";

    private final AuditTrail trail;
    private final FhirAccess access;

    @Inject
    AuditEventPages(AuditTrail trail, FhirAccess access) {
        this.trail = trail;
        this.access = access;
    }

    /** @param before the seq the page starts below, or null for the newest */
    AuditPage page(AuditSearch q, Long before, RequestDetails details) {
        Caller caller = access.caller();
        Request request = FhirAccess.request(details);
        AccessPolicy policy = access.policy();
        if (caller.is(Role.OPERATOR)) {
            policy.requireRole(caller, Role.OPERATOR, request, "search", AUDIT_EVENT);
            Fetched f = fetch(q, before, AuditEventView.Audience.OPERATOR);
            if (q.patient() != null) {
                // The patient's own log then shows that the operator looked at it.
                policy.recordReview(caller, q.patient(), request, "search", AUDIT_EVENT, f.ids());
            } else {
                policy.recordAction(caller, request, "search", AUDIT_EVENT, f.ids());
            }
            return f.page(q, before);
        }
        AccessPolicy.Granted g = policy.decide(caller, q.patient(), DataKind.ACCESS_LOG, request, "search", AUDIT_EVENT);
        // The grant's patient, not the query's: the page holds nobody else's rows.
        AuditSearch own = new AuditSearch(g.patientId(), q.from(), q.to(), q.outcome(), q.subject(), q.count());
        Fetched f = fetch(own, before, AuditEventView.Audience.PATIENT);
        policy.record(g, request, "search", AUDIT_EVENT, f.ids());
        return f.page(own, before);
    }

    AuditEvent read(UUID id, RequestDetails details) {
        Caller caller = access.caller();
        Request request = FhirAccess.request(details);
        AccessPolicy policy = access.policy();
        AuditTrail.Event row;
        try {
            row = id == null ? null : trail.byId(id);
        } catch (SQLException e) {
            throw FhirApiFailure.of("AuditEvent read", e);
        }
        if (caller.is(Role.OPERATOR)) {
            policy.requireRole(caller, Role.OPERATOR, request, "read", AUDIT_EVENT);
            if (row == null) {
                throw new ResourceNotFoundException("AuditEvent/" + id);
            }
            AuditEvent a = AuditEventView.of(row, AuditEventView.Audience.OPERATOR);
            if (row.entry().patientId() != null) {
                policy.recordReview(caller, row.entry().patientId(), request, "read", AUDIT_EVENT, List.of(row.id().toString()));
            } else {
                policy.recordAction(caller, request, "read", AUDIT_EVENT, List.of(row.id().toString()));
            }
            return a;
        }
        if (row == null) {
            throw policy.deny(caller, null, request, "read", AUDIT_EVENT, CareRecordReads.NOT_FOUND);
        }
        // A row about no patient (a refused token, an operator's action) is nobody's access log: refused.
        AccessPolicy.Granted g = policy.decide(caller, row.entry().patientId(), DataKind.ACCESS_LOG, request, "read", AUDIT_EVENT);
        AuditEvent a = AuditEventView.of(row, AuditEventView.Audience.PATIENT);
        policy.record(g, request, "read", AUDIT_EVENT, List.of(row.id().toString()));
        return a;
    }

    private record Fetched(List<IBaseResource> resources, List<String> ids, Long lastSeq, boolean more) {

        AuditPage page(AuditSearch q, Long before) {
            return new AuditPage(q.token(), before == null ? ObservationPage.FIRST : AuditSearch.pageAfter(before),
                    more ? AuditSearch.pageAfter(lastSeq) : null, resources);
        }
    }

    private Fetched fetch(AuditSearch q, Long before, AuditEventView.Audience audience) {
        List<AuditTrail.Event> rows;
        try {
            // One row more than the page says whether another page lies beyond it.
            rows = new ArrayList<>(trail.page(q.filter(), before, q.count() + 1));
        } catch (SQLException e) {
            throw FhirApiFailure.of("AuditEvent search", e);
        }
        boolean more = rows.size() > q.count();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        List<IBaseResource> resources = new ArrayList<>(rows.size());
        List<String> ids = new ArrayList<>(rows.size());
        for (AuditTrail.Event r : rows) {
            resources.add(AuditEventView.of(r, audience));
            ids.add(r.id().toString());
        }
        return new Fetched(resources, ids, rows.isEmpty() ? null : rows.get(rows.size() - 1).seq(), more);
    }
}
