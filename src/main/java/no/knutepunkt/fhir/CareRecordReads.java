package no.knutepunkt.fhir;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.DataKind;

/**
 * Reads of the care record (EpisodeOfCare, CareTeam, Consent) under the access policy, in its
 * order: find whose record it is, decide ({@link DataKind#CARE_RECORD}; a refusal is audited and
 * answered 403), build the resources, record what is returned, and only then hand it over. An
 * unknown id or patient is refused exactly like a forbidden one, so that asking tells nothing.
 */
@Singleton
class CareRecordReads {

    /** The refusal of an id that names nothing: the same 403 as a forbidden one; the reason is for the audit log. */
    static final String NOT_FOUND = "no-such-record";

    /** Builds one view of an enrollment or a consent, given whose it is and the moment its status is for. */
    @FunctionalInterface
    interface View<R, T extends IBaseResource> {
        T of(R record, PatientLookup.PatientRow patient, Instant now);
    }

    private final CareRecords records;
    private final PatientLookup patients;
    private final FhirAccess access;
    private final Clock clock;

    @Inject
    CareRecordReads(CareRecords records, PatientLookup patients, FhirAccess access, Clock clock) {
        this.records = records;
        this.patients = patients;
        this.access = access;
        this.clock = clock;
    }

    <T extends IBaseResource> T enrollment(IdType id, RequestDetails request, String type, View<CareRecords.Enrollment, T> view) {
        UUID uuid = PatientParam.uuid(id.getIdPart());
        CareRecords.Enrollment e;
        try {
            e = uuid == null ? null : records.enrollment(uuid);
        } catch (SQLException ex) {
            throw FhirApiFailure.of(type + " read", ex);
        }
        return one(e == null ? null : e.patientId(), e, CareRecords.Enrollment::id, x -> x.responsible().number(), request, type, view);
    }

    <T extends IBaseResource> List<T> enrollments(ReferenceParam patient, RequestDetails request, String type,
            View<CareRecords.Enrollment, T> view) {
        return search(patient, request, type, p -> {
            try {
                return records.enrollmentsOf(p);
            } catch (SQLException ex) {
                throw FhirApiFailure.of(type + " search", ex);
            }
        }, CareRecords.Enrollment::id, x -> x.responsible().number(), view);
    }

    <T extends IBaseResource> T consent(IdType id, RequestDetails request, String type, View<CareRecords.Consent, T> view) {
        UUID uuid = PatientParam.uuid(id.getIdPart());
        CareRecords.Consent c;
        try {
            c = uuid == null ? null : records.consent(uuid);
        } catch (SQLException ex) {
            throw FhirApiFailure.of(type + " read", ex);
        }
        return one(c == null ? null : c.patientId(), c, CareRecords.Consent::id, x -> x.responsible().number(), request, type, view);
    }

    <T extends IBaseResource> List<T> consents(ReferenceParam patient, RequestDetails request, String type,
            View<CareRecords.Consent, T> view) {
        return search(patient, request, type, p -> {
            try {
                return records.consentsOf(p);
            } catch (SQLException ex) {
                throw FhirApiFailure.of(type + " search", ex);
            }
        }, CareRecords.Consent::id, x -> x.responsible().number(), view);
    }

    private <R, T extends IBaseResource> T one(UUID patientId, R record, Function<R, UUID> idOf, Function<R, String> responsibleOf,
            RequestDetails request, String type, View<R, T> view) {
        if (record == null) {
            throw access.policy().deny(access.caller(), null, FhirAccess.request(request), "read", type, NOT_FOUND);
        }
        AccessPolicy.Granted g = access.decide(patientId, DataKind.CARE_RECORD, request, "read", type);
        if (!access.policy().covers(g, responsibleOf.apply(record))) {
            throw access.policy().deny(access.caller(), patientId, FhirAccess.request(request), "read", type, "not-own-municipality");
        }
        T resource = view.of(record, patient(patientId, type), clock.instant());
        access.record(g, request, "read", type, List.of(idOf.apply(record).toString()));
        return resource;
    }

    private <R, T extends IBaseResource> List<T> search(ReferenceParam patient, RequestDetails request, String type,
            Function<UUID, List<R>> fetch, Function<R, UUID> idOf, Function<R, String> responsibleOf, View<R, T> view) {
        UUID patientId = PatientParam.resolve(patient, patients);
        if (patientId == null) {
            throw access.policy().deny(access.caller(), null, FhirAccess.request(request), "search", type, "no-such-patient");
        }
        AccessPolicy.Granted g = access.decide(patientId, DataKind.CARE_RECORD, request, "search", type);
        List<R> found = fetch.apply(patientId).stream().filter(r -> access.policy().covers(g, responsibleOf.apply(r))).toList();
        PatientLookup.PatientRow row = found.isEmpty() ? null : patient(patientId, type);
        Instant now = clock.instant();
        List<T> out = new ArrayList<>(found.size());
        List<String> ids = new ArrayList<>(found.size());
        for (R r : found) {
            out.add(view.of(r, row, now));
            ids.add(idOf.apply(r).toString());
        }
        access.record(g, request, "search", type, ids);
        return out;
    }

    private PatientLookup.PatientRow patient(UUID id, String type) {
        try {
            return patients.byId(id);
        } catch (SQLException ex) {
            throw FhirApiFailure.of(type + " patient lookup", ex);
        }
    }
}
