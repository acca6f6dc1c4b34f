package no.knutepunkt.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.EpisodeOfCare.EpisodeOfCareStatus;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.Test;

import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditTrail;

/** The shapes of the care-record and audit views, and that each meets the FHIR R4 core profiles (zero errors). */
class CareRecordViewsTest {

    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final PatientLookup.PatientRow PATIENT = new PatientLookup.PatientRow(UUID.randomUUID(), "fnr", "03855226811", "Ola",
            "Nordmann");
    static final CareRecords.Organisation MUNICIPALITY = new CareRecords.Organisation("111111111", "Eksempelvik kommune");
    static final CareRecords.Organisation GP = new CareRecords.Organisation("222222222", "Eksempelvik legesenter");
    static final CareRecords.Organisation HOSPITAL = new CareRecords.Organisation("333333333", "Sykehuset Eksempelvik HF");

    static CareRecords.Enrollment enrollment(OffsetDateTime start, OffsetDateTime end, List<CareRecords.Pause> pauses) {
        return new CareRecords.Enrollment(UUID.randomUUID(), PATIENT.id(), "copd", MUNICIPALITY, start, end,
                List.of(new CareRecords.Member(MUNICIPALITY, "follow-up-service"), new CareRecords.Member(GP, "gp"),
                        new CareRecords.Member(HOSPITAL, "hospital")),
                pauses);
    }

    static OffsetDateTime t(String s) {
        return OffsetDateTime.parse(s);
    }

    @Test
    void episodeOfCareStatusFollowsStartPausesAndEnd() {
        CareRecords.Pause open = new CareRecords.Pause(t("2026-03-05T10:00:00Z"), null);
        CareRecords.Pause past = new CareRecords.Pause(t("2026-02-01T10:00:00Z"), t("2026-02-03T10:00:00Z"));
        assertThat(EnrollmentView.status(enrollment(t("2026-04-01T00:00:00Z"), null, List.of()), NOW)).isEqualTo(EpisodeOfCareStatus.PLANNED);
        assertThat(EnrollmentView.status(enrollment(t("2026-01-01T00:00:00Z"), null, List.of()), NOW)).isEqualTo(EpisodeOfCareStatus.ACTIVE);
        assertThat(EnrollmentView.status(enrollment(t("2026-01-01T00:00:00Z"), null, List.of(past)), NOW)).isEqualTo(EpisodeOfCareStatus.ACTIVE);
        assertThat(EnrollmentView.status(enrollment(t("2026-01-01T00:00:00Z"), null, List.of(past, open)), NOW))
                .isEqualTo(EpisodeOfCareStatus.ONHOLD);
        assertThat(EnrollmentView.status(enrollment(t("2026-01-01T00:00:00Z"), t("2026-03-01T00:00:00Z"), List.of(past)), NOW))
                .isEqualTo(EpisodeOfCareStatus.FINISHED);
        // An end still ahead has not finished it.
        assertThat(EnrollmentView.status(enrollment(t("2026-01-01T00:00:00Z"), t("2026-06-01T00:00:00Z"), List.of()), NOW))
                .isEqualTo(EpisodeOfCareStatus.ACTIVE);
    }

    @Test
    void episodeOfCareValidatesAndNamesPatientProgrammeOrganisationAndTeam() {
        CareRecords.Pause past = new CareRecords.Pause(t("2026-02-01T10:00:00Z"), t("2026-02-03T10:00:00Z"));
        CareRecords.Pause open = new CareRecords.Pause(t("2026-03-05T10:00:00Z"), null);
        CareRecords.Enrollment e = enrollment(t("2026-01-01T00:00:00Z"), null, List.of(past, open));
        EpisodeOfCare ep = EnrollmentView.episode(e, PATIENT, NOW);
        assertThat(FhirValidation.errors(ep)).isEmpty();
        assertThat(ep.getStatus()).isEqualTo(EpisodeOfCareStatus.ONHOLD);
        assertThat(ep.getStatusHistory()).extracting(h -> h.getStatus().toCode()).containsExactly("active", "onhold", "active", "onhold");
        assertThat(ep.getPatient().getReference()).isEqualTo("Patient/" + PATIENT.id());
        assertThat(ep.getPatient().getIdentifier().getSystem()).isEqualTo(IdentifierSystems.FODSELSNUMMER);
        assertThat(ep.getPatient().getIdentifier().getValue()).isEqualTo("03855226811");
        assertThat(ep.getTypeFirstRep().getCodingFirstRep().getSystem()).isEqualTo(CodeSystems.PROGRAMME);
        assertThat(ep.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("copd");
        assertThat(ep.getTypeFirstRep().getCodingFirstRep().getDisplay()).isEqualTo("KOLS");
        assertThat(ep.getManagingOrganization().getIdentifier().getSystem()).isEqualTo(IdentifierSystems.ORGANISASJONSNUMMER);
        assertThat(ep.getManagingOrganization().getIdentifier().getValue()).isEqualTo("111111111");
        assertThat(ep.getTeamFirstRep().getReference()).isEqualTo("CareTeam/" + e.id());
        assertThat(ep.getPeriod().hasEnd()).isFalse();
    }

    @Test
    void careTeamValidatesWithEachOrganisationInItsRole() {
        CareRecords.Enrollment e = enrollment(t("2026-01-01T00:00:00Z"), t("2026-03-01T00:00:00Z"), List.of());
        CareTeam team = EnrollmentView.careTeam(e, PATIENT, NOW);
        assertThat(FhirValidation.errors(team)).isEmpty();
        assertThat(team.getStatus()).isEqualTo(CareTeam.CareTeamStatus.INACTIVE);
        assertThat(team.getParticipant()).extracting(p -> p.getRoleFirstRep().getCodingFirstRep().getCode())
                .containsExactly("follow-up-service", "gp", "hospital");
        assertThat(team.getParticipant()).extracting(p -> p.getMember().getIdentifier().getValue())
                .containsExactly("111111111", "222222222", "333333333");
        assertThat(team.getSubject().getReference()).isEqualTo("Patient/" + PATIENT.id());
        assertThat(team.getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-03-01T00:00:00Z");
    }

    @Test
    void consentValidatesForBothScopesAndBothKindsOfGiver() {
        UUID enrollment = UUID.randomUUID();
        CareRecords.Consent byPatient = new CareRecords.Consent(UUID.randomUUID(), enrollment, PATIENT.id(), "home-follow-up", "patient",
                null, "written", t("2026-01-01T09:00:00Z"), "Arkiv 2026/123", null, MUNICIPALITY);
        CareRecords.Consent byRepresentative = new CareRecords.Consent(UUID.randomUUID(), enrollment, PATIENT.id(), "record-sharing",
                "representative", "Kari Nordmann", "verbal", t("2026-01-01T09:00:00Z"), "Journalnotat 77", t("2026-02-01T09:00:00Z"),
                MUNICIPALITY);
        Consent a = ConsentView.consent(byPatient, PATIENT, NOW);
        Consent b = ConsentView.consent(byRepresentative, PATIENT, NOW);
        assertThat(FhirValidation.errors(a)).isEmpty();
        assertThat(FhirValidation.errors(b)).isEmpty();
        assertThat(a.getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
        assertThat(b.getStatus()).isEqualTo(Consent.ConsentState.INACTIVE);
        assertThat(a.getScope().getCodingFirstRep().getCode()).isEqualTo("patient-privacy");
        assertThat(a.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("59284-0");
        assertThat(a.getPerformerFirstRep().getReference()).isEqualTo("Patient/" + PATIENT.id());
        assertThat(b.getPerformerFirstRep().getDisplay()).isEqualTo("Kari Nordmann");
        assertThat(a.getSourceAttachment().getTitle()).isEqualTo("Arkiv 2026/123");
        assertThat(a.getProvision().getPurposeFirstRep().getCode()).isEqualTo("TREAT");
        assertThat(b.getProvision().getPurposeFirstRep().getCode()).isEqualTo("COC");
        assertThat(b.getProvision().getPeriod().getEndElement().getValueAsString()).isEqualTo("2026-02-01T09:00:00Z");
        assertThat(a.getOrganizationFirstRep().getIdentifier().getValue()).isEqualTo("111111111");
        assertThat(a.getDateTimeElement().getValueAsString()).isEqualTo("2026-01-01T09:00:00Z");
    }

    static AuditTrail.Event row(AuditEntry e) {
        return new AuditTrail.Event(42, UUID.randomUUID(), NOW, e, "Eksempelvik legesenter");
    }

    @Test
    void auditEventOfAClinicianReadValidatesWithPersonOrganisationPurposeAndEntities() {
        UUID patient = UUID.randomUUID();
        String obs = UUID.randomUUID().toString();
        AuditEntry e = new AuditEntry("search", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.TREATMENT,
                new AuditEntry.Who("sub-1", "Geir Fastlege", "9100002", "222222222", "clinician", "client-1", "https://issuer"), patient,
                "Observation", List.of(obs), "GET /fhir/Observation", "10.0.0.7", null, null);
        AuditEvent op = AuditEventView.of(row(e), AuditEventView.Audience.OPERATOR);
        assertThat(FhirValidation.errors(op)).isEmpty();
        assertThat(op.getType().getCode()).isEqualTo("110110");
        assertThat(op.getSubtype()).extracting(c -> c.getCode()).containsExactly("search-type", "search");
        assertThat(op.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(op.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(op.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
        AuditEvent.AuditEventAgentComponent agent = op.getAgentFirstRep();
        assertThat(agent.getRequestor()).isTrue();
        assertThat(agent.getNetwork().getAddress()).isEqualTo("10.0.0.7");
        assertThat(agent.getAltId()).isEqualTo("sub-1");
        PractitionerRole role = (PractitionerRole) op.getContained().get(0);
        assertThat(agent.getWho().getReference()).isEqualTo("#" + role.getIdElement().getIdPart());
        assertThat(role.getPractitioner().getIdentifier().getSystem()).isEqualTo("urn:oid:2.16.578.1.12.4.1.4.4");
        assertThat(role.getPractitioner().getIdentifier().getValue()).isEqualTo("9100002");
        assertThat(role.getPractitioner().getDisplay()).isEqualTo("Geir Fastlege");
        assertThat(role.getOrganization().getIdentifier().getValue()).isEqualTo("222222222");
        assertThat(role.getOrganization().getDisplay()).isEqualTo("Eksempelvik legesenter");
        assertThat(op.getEntity()).extracting(en -> en.getWhat().getReference()).containsExactly("Patient/" + patient, "Observation/" + obs);

        AuditEvent forPatient = AuditEventView.of(row(e), AuditEventView.Audience.PATIENT);
        assertThat(FhirValidation.errors(forPatient)).isEmpty();
        assertThat(forPatient.getAgentFirstRep().hasNetwork()).isFalse();
        assertThat(forPatient.getAgentFirstRep().hasAltId()).isFalse();
        assertThat(forPatient.getExtension()).isEmpty();
    }

    @Test
    void auditEventOfARefusalIsAMinorFailureWithItsReason() {
        AuditEntry e = new AuditEntry("read", AuditEntry.Outcome.DENIED, null,
                new AuditEntry.Who("sub-2", "Hanne Overlege", "9100003", "333333333", "clinician", null, null), UUID.randomUUID(),
                "EpisodeOfCare", List.of(), "GET /fhir/EpisodeOfCare/x", null, "blocked-by-patient", null);
        AuditEvent a = AuditEventView.of(row(e), AuditEventView.Audience.OPERATOR);
        assertThat(FhirValidation.errors(a)).isEmpty();
        assertThat(a.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        assertThat(a.getOutcomeDesc()).isEqualTo("blocked-by-patient");
        assertThat(a.hasPurposeOfEvent()).isFalse();
    }

    @Test
    void auditEventsOfEveryPurposeAndCallerKindValidate() {
        UUID patient = UUID.randomUUID();
        List<AuditEntry> entries = List.of(
                new AuditEntry("read", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.EMERGENCY,
                        new AuditEntry.Who("s", "Akutt Lege", "9100009", "333333333", "clinician", null, null), patient, "Patient",
                        List.of(patient.toString()), "GET /fhir/Patient/x", null, "bevisstløs pasient i akuttmottak", UUID.randomUUID()),
                new AuditEntry("read", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.ADMIN,
                        new AuditEntry.Who("s", "Aslak Admin", null, "111111111", "municipality-admin", null, null), patient, "CareTeam",
                        List.of(UUID.randomUUID().toString()), "GET /fhir/CareTeam/x", null, null, null),
                new AuditEntry("search", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.OPERATIONS,
                        new AuditEntry.Who("s", "Oda Drift", null, "777777777", "operator", null, null), null, "AuditEvent",
                        List.of(UUID.randomUUID().toString()), "GET /fhir/AuditEvent", "127.0.0.1", null, null),
                new AuditEntry("export", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.OWN_DATA,
                        new AuditEntry.Who("s", "Ola Nordmann", null, null, "patient", null, null), patient, "Bundle",
                        List.of(UUID.randomUUID().toString(), "Observation=12", "Patient=1"), "GET /api/me/export", null, null, null),
                new AuditEntry("create", AuditEntry.Outcome.ALLOWED, AuditEntry.Purpose.ADMIN,
                        new AuditEntry.Who("s", "Aslak Admin", null, "111111111", "municipality-admin", null, null), patient, "enrollment",
                        List.of(UUID.randomUUID().toString()), "POST /api/registry/enrollments", null, null, null),
                new AuditEntry("authenticate", AuditEntry.Outcome.DENIED, null, AuditEntry.Who.UNKNOWN, null, null, List.of(),
                        "GET /fhir/Observation", "10.1.1.1", "expired", null),
                new AuditEntry("create", AuditEntry.Outcome.ALLOWED, null,
                        new AuditEntry.Who("vendor-x", null, null, null, "vendor-client", "vendor-x", null), null, "Observation",
                        List.of(), "POST /ingest/v1/x/y", null, null, null));
        for (AuditEntry e : entries) {
            for (AuditEventView.Audience audience : AuditEventView.Audience.values()) {
                AuditEvent a = AuditEventView.of(row(e), audience);
                assertThat(FhirValidation.errors(a)).as(e.action() + " " + e.purpose() + " " + audience).isEmpty();
            }
        }
        AuditEvent export = AuditEventView.of(row(entries.get(3)), AuditEventView.Audience.PATIENT);
        assertThat(export.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("PATRQT");
        assertThat(export.getAgentFirstRep().getWho().getReference()).isEqualTo("Patient/" + patient);
        assertThat(export.getEntity().get(1).getDetail()).extracting(d -> d.getType()).containsExactly("Observation", "Patient");
        AuditEvent emergency = AuditEventView.of(row(entries.get(0)), AuditEventView.Audience.PATIENT);
        assertThat(emergency.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("ETREAT");
        assertThat(emergency.getPurposeOfEventFirstRep().getText()).isEqualTo("bevisstløs pasient i akuttmottak");
    }
}
