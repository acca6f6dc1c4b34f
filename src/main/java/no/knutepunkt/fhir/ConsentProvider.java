package no.knutepunkt.fhir;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.hl7.fhir.r4.model.Consent;
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

/** Consent read (id = the consent's id) and search by patient: the consents recorded at onboarding, withdrawn ones included. */
@Singleton
public class ConsentProvider implements IResourceProvider {

    private static final String TYPE = "Consent";

    private final CareRecordReads reads;

    @Inject
    ConsentProvider(CareRecordReads reads) {
        this.reads = reads;
    }

    @Override
    public Class<Consent> getResourceType() {
        return Consent.class;
    }

    @Read
    public Consent read(@IdParam IdType id, RequestDetails request) {
        return reads.consent(id, request, TYPE, ConsentView::consent);
    }

    @Search
    public List<Consent> search(@RequiredParam(name = Consent.SP_PATIENT, targetTypes = Patient.class,
            chainWhitelist = {OptionalParam.ALLOW_CHAIN_NOTCHAINED, PatientParam.IDENTIFIER_CHAIN}) ReferenceParam patient,
            RequestDetails request) {
        return reads.consents(patient, request, TYPE, ConsentView::consent);
    }
}
