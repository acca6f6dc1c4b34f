package no.knutepunkt.fhir;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;

/**
 * The code systems of the care-record and audit views: the standard ones they draw on, and the
 * hub's own for what no standard names (the programme, an organisation's role in a care team, a
 * caller's role, an audit action). The hub's codes are the registry's and the audit log's own
 * words, so nothing is lost between table and resource; displays are Norwegian, for the people
 * who read them.
 */
final class CodeSystems {

    static final String BASE = "https://knutepunkt.no/fhir/CodeSystem/";
    /** The monitoring programme of an enrollment (EpisodeOfCare.type). */
    static final String PROGRAMME = BASE + "programme";
    /** An organisation's part in an enrollment's care team (CareTeam.participant.role). */
    static final String CARE_TEAM_ROLE = BASE + "care-team-role";
    /** A caller's role as the access policy knows it (AuditEvent.agent.role). */
    static final String CALLER_ROLE = BASE + "caller-role";
    /** The audit log's own action word (a second AuditEvent.subtype coding). */
    static final String AUDIT_ACTION = BASE + "audit-action";

    static final String SNOMED = "http://snomed.info/sct";
    static final String LOINC = "http://loinc.org";
    static final String ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    static final String CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope";
    static final String DICOM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    static final String RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction";
    static final String AUDIT_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
    static final String SECURITY_SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";
    static final String EXTRA_SECURITY_ROLE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
    /** HPR-nummer: Helsepersonellregisteret's number of a health professional. */
    static final String HPR = "urn:oid:2.16.578.1.12.4.1.4.4";

    private CodeSystems() {
    }

    static Coding coding(String system, String code, String display) {
        return new Coding(system, code, display);
    }

    static CodeableConcept concept(String system, String code, String display) {
        return new CodeableConcept().addCoding(coding(system, code, display));
    }

    /** The programme's Norwegian name. */
    static String programme(String code) {
        return switch (code) {
            case "copd" -> "KOLS";
            case "heart-failure" -> "Hjertesvikt";
            case "hypertension" -> "Høyt blodtrykk";
            case "diabetes" -> "Diabetes";
            default -> "Annen oppfølging";
        };
    }

    /** A care-team role's Norwegian name. */
    static String careTeamRole(String code) {
        return switch (code) {
            case "follow-up-service" -> "Oppfølgingstjeneste";
            case "gp" -> "Fastlege";
            case "hospital" -> "Sykehus";
            default -> code;
        };
    }
}
