package no.knutepunkt.fhir;

import java.time.Instant;
import java.time.OffsetDateTime;

import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.EpisodeOfCare.EpisodeOfCareStatus;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

import no.knutepunkt.common.FhirTime;

/**
 * An enrollment as FHIR sees it: the EpisodeOfCare of the follow-up and the CareTeam that does it,
 * both with the enrollment's id. The patient is named as the Observations name them (logically, by
 * fødselsnummer or D-nummer, with the name) and by reference to the hub's Patient; organisations
 * by organisasjonsnummer. Status is worked out for the given moment, so a read says what holds now.
 */
final class EnrollmentView {

    /** EpisodeOfCare.identifier: the enrollment's id, for receivers that keep their own copy. */
    static final String ENROLLMENT_SYSTEM = "https://knutepunkt.no/fhir/enrollment";

    private EnrollmentView() {
    }

    static EpisodeOfCare episode(CareRecords.Enrollment e, PatientLookup.PatientRow patient, Instant now) {
        EpisodeOfCare ep = new EpisodeOfCare();
        ep.setId(e.id().toString());
        ep.addIdentifier().setSystem(ENROLLMENT_SYSTEM).setValue(e.id().toString());
        EpisodeOfCareStatus status = status(e, now);
        ep.setStatus(status);
        history(ep, e, now);
        ep.addType(CodeSystems.concept(CodeSystems.PROGRAMME, e.programme(), CodeSystems.programme(e.programme())));
        ep.setPatient(patient(patient));
        ep.setManagingOrganization(organisation(e.responsible()));
        ep.setPeriod(period(e.startedAt(), e.endedAt()));
        ep.addTeam(new Reference("CareTeam/" + e.id()).setDisplay("Oppfølgingsteam, " + CodeSystems.programme(e.programme())));
        return ep;
    }

    static CareTeam careTeam(CareRecords.Enrollment e, PatientLookup.PatientRow patient, Instant now) {
        CareTeam t = new CareTeam();
        t.setId(e.id().toString());
        t.setStatus(switch (status(e, now)) {
            case PLANNED -> CareTeam.CareTeamStatus.PROPOSED;
            case ONHOLD -> CareTeam.CareTeamStatus.SUSPENDED;
            case FINISHED -> CareTeam.CareTeamStatus.INACTIVE;
            default -> CareTeam.CareTeamStatus.ACTIVE;
        });
        t.setName("Oppfølgingsteam, " + CodeSystems.programme(e.programme()));
        t.setSubject(patient(patient));
        t.setPeriod(period(e.startedAt(), e.endedAt()));
        // An organisation's part in a care team is coded in the hub's own system, not SNOMED CT:
        // SNOMED CT's candidates are roles of persons (occupations such as general practitioner) or
        // kinds of place (hospital environment), and neither says "this organisation follows the
        // patient up as the municipal follow-up service". A person code on an Organization member
        // would tell a receiving EPJ something untrue; our three codes are exactly the registry's.
        for (CareRecords.Member m : e.careTeam()) {
            t.addParticipant()
                    .addRole(CodeSystems.concept(CodeSystems.CARE_TEAM_ROLE, m.role(), CodeSystems.careTeamRole(m.role())))
                    .setMember(organisation(m.organisation()));
        }
        t.addManagingOrganization(organisation(e.responsible()));
        return t;
    }

    /**
     * planned before the start, finished once the end has passed, onhold during a pause (an open
     * one, or one whose end is still ahead), active otherwise.
     */
    static EpisodeOfCareStatus status(CareRecords.Enrollment e, Instant now) {
        if (e.startedAt().toInstant().isAfter(now)) {
            return EpisodeOfCareStatus.PLANNED;
        }
        if (e.endedAt() != null && !e.endedAt().toInstant().isAfter(now)) {
            return EpisodeOfCareStatus.FINISHED;
        }
        for (CareRecords.Pause p : e.pauses()) {
            if (!p.from().toInstant().isAfter(now) && (p.to() == null || p.to().toInstant().isAfter(now))) {
                return EpisodeOfCareStatus.ONHOLD;
            }
        }
        return EpisodeOfCareStatus.ACTIVE;
    }

    /** Active and on-hold spells up to now, so a pause shows in the history without the registry's history tables. */
    private static void history(EpisodeOfCare ep, CareRecords.Enrollment e, Instant now) {
        if (e.startedAt().toInstant().isAfter(now)) {
            return;
        }
        OffsetDateTime end = e.endedAt();
        OffsetDateTime cursor = e.startedAt();
        for (CareRecords.Pause p : e.pauses()) {
            if (p.from().toInstant().isAfter(now) || end != null && !p.from().isBefore(end)) {
                break;
            }
            if (p.from().isAfter(cursor)) {
                ep.addStatusHistory().setStatus(EpisodeOfCareStatus.ACTIVE).setPeriod(period(cursor, p.from()));
            }
            OffsetDateTime until = p.to() == null || end != null && p.to().isAfter(end) ? end : p.to();
            ep.addStatusHistory().setStatus(EpisodeOfCareStatus.ONHOLD).setPeriod(period(p.from(), until));
            cursor = until;
            if (cursor == null) {
                return;
            }
        }
        if ((end == null || cursor.isBefore(end)) && !cursor.toInstant().isAfter(now)) {
            ep.addStatusHistory().setStatus(EpisodeOfCareStatus.ACTIVE).setPeriod(period(cursor, end));
        }
    }

    /** The patient: by reference to the hub's Patient, and logically as the Observations name them. */
    static Reference patient(PatientLookup.PatientRow p) {
        return new Reference("Patient/" + p.id())
                .setIdentifier(new Identifier().setSystem(IdentifierSystems.patient(p.identifierSystem())).setValue(p.identifier()))
                .setDisplay(p.givenName() + " " + p.familyName());
    }

    static Reference organisation(CareRecords.Organisation o) {
        return new Reference().setType("Organization")
                .setIdentifier(new Identifier().setSystem(IdentifierSystems.ORGANISASJONSNUMMER).setValue(o.number()))
                .setDisplay(o.name());
    }

    static Period period(OffsetDateTime start, OffsetDateTime end) {
        Period p = new Period().setStartElement(dateTime(start));
        if (end != null) {
            p.setEndElement(dateTime(end));
        }
        return p;
    }

    /** As stored, to the millisecond, with its offset (Date would take the JVM's zone and drop the milliseconds). */
    static DateTimeType dateTime(OffsetDateTime t) {
        return new DateTimeType(FhirTime.format(t));
    }
}
