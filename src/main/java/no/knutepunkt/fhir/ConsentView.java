package no.knutepunkt.fhir;

import java.time.Instant;

import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;

/**
 * A recorded consent as a FHIR Consent: privacy consent (scope patient-privacy, category LOINC
 * 59284-0 "Patient Consent") given by the patient or a representative, kept where the document
 * reference says, with one permit provision whose purpose follows the consent's scope.
 */
final class ConsentView {

    /**
     * The Norwegian rules each scope rests on (Consent.policy, which R4 requires or a policyRule):
     * consent to health care (pasient- og brukerrettighetsloven § 4-1) for taking part in home
     * follow-up; sharing with cooperating health personnel (helsepersonelloven § 45) for passing
     * the readings to the care team's record systems.
     */
    static final String LOVDATA = "https://lovdata.no";
    static final String HEALTH_CARE_CONSENT = "https://lovdata.no/lov/1999-07-02-63/%C2%A74-1";
    static final String RECORD_SHARING = "https://lovdata.no/lov/1999-07-02-64/%C2%A745";

    private ConsentView() {
    }

    static Consent consent(CareRecords.Consent c, PatientLookup.PatientRow patient, Instant now) {
        Consent f = new Consent();
        f.setId(c.id().toString());
        boolean withdrawn = c.withdrawnAt() != null && !c.withdrawnAt().toInstant().isAfter(now);
        f.setStatus(withdrawn ? Consent.ConsentState.INACTIVE : Consent.ConsentState.ACTIVE);
        f.setScope(CodeSystems.concept(CodeSystems.CONSENT_SCOPE, "patient-privacy", "Privacy Consent"));
        f.addCategory(CodeSystems.concept(CodeSystems.LOINC, "59284-0", "Patient Consent"));
        f.setPatient(EnrollmentView.patient(patient));
        f.setDateTimeElement(EnrollmentView.dateTime(c.givenAt()));
        if ("representative".equals(c.givenBy())) {
            // The registry keeps only the representative's name: a display, no resource to point at.
            f.addPerformer(new Reference().setType("RelatedPerson").setDisplay(c.representativeName()));
        } else {
            f.addPerformer(EnrollmentView.patient(patient));
        }
        f.addOrganization(EnrollmentView.organisation(c.responsible()));
        // The reference is a note of where the signed or recorded consent is kept (an archive or
        // record id), not an address the hub could fetch: a title, without a url.
        f.setSource(new Attachment().setTitle(c.documentReference()));
        boolean sharing = "record-sharing".equals(c.scope());
        f.addPolicy().setAuthority(LOVDATA).setUri(sharing ? RECORD_SHARING : HEALTH_CARE_CONSENT);
        Consent.ProvisionComponent p = f.getProvision();
        p.setType(Consent.ConsentProvisionType.PERMIT);
        p.setPeriod(EnrollmentView.period(c.givenAt(), c.withdrawnAt()));
        // v3 ActReason: taking part in home follow-up is consent for treatment (TREAT); passing the
        // readings on to the GP's and the hospital's records is for coordinating that care between
        // them (COC, a kind of treatment), not HDIRECT, which is about provider directories.
        p.addPurpose(sharing ? CodeSystems.coding(CodeSystems.ACT_REASON, "COC", "coordination of care")
                : CodeSystems.coding(CodeSystems.ACT_REASON, "TREAT", "treatment"));
        p.addData().setMeaning(Consent.ConsentDataMeaning.RELATED).setReference(new Reference("EpisodeOfCare/" + c.enrollmentId()));
        return f;
    }
}
