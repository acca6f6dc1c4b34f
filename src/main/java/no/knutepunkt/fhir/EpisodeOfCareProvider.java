package no.knutepunkt.fhir;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.IResourceProvider;

/** EpisodeOfCare read (id = the enrollment's id) and search by patient: the enrollments of the registry. */
@Singleton
public class EpisodeOfCareProvider implements IResourceProvider {

    private static final String TYPE = "EpisodeOfCare";

    private final CareRecordReads reads;

    @Inject
    EpisodeOfCareProvider(CareRecordReads reads) {
        this.reads = reads;
    }

    @Override
    public Class<EpisodeOfCare> getResourceType() {
        return EpisodeOfCare.class;
    }

    @Read
    public EpisodeOfCare read(@IdParam IdType id, RequestDetails request) {
        return reads.enrollment(id, request, TYPE, EnrollmentView::episode);
    }

    @Search
    public List<EpisodeOfCare> search(@RequiredParam(name = EpisodeOfCare.SP_PATIENT, targetTypes = Patient.class,
            chainWhitelist = {OptionalParam.ALLOW_CHAIN_NOTCHAINED, PatientParam.IDENTIFIER_CHAIN}) ReferenceParam patient,
            RequestDetails request) {
        return reads.enrollments(patient, request, TYPE, EnrollmentView::episode);
    }
}
