package no.knutepunkt.fhir;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.r4.model.CareTeam;
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

/** CareTeam read (id = the enrollment's id: each enrollment has one team) and search by patient. */
@Singleton
public class CareTeamProvider implements IResourceProvider {

    private static final String TYPE = "CareTeam";

    private final CareRecordReads reads;

    @Inject
    CareTeamProvider(CareRecordReads reads) {
        this.reads = reads;
    }

    @Override
    public Class<CareTeam> getResourceType() {
        return CareTeam.class;
    }

    @Read
    public CareTeam read(@IdParam IdType id, RequestDetails request) {
        return reads.enrollment(id, request, TYPE, EnrollmentView::careTeam);
    }

    @Search
    public List<CareTeam> search(@RequiredParam(name = CareTeam.SP_PATIENT, targetTypes = Patient.class,
            chainWhitelist = {OptionalParam.ALLOW_CHAIN_NOTCHAINED, PatientParam.IDENTIFIER_CHAIN}) ReferenceParam patient,
            RequestDetails request) {
        return reads.enrollments(patient, request, TYPE, EnrollmentView::careTeam);
    }
}
