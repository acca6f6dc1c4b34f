package no.knutepunkt.fhir;

import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

import ca.uhn.fhir.context.FhirContext;
import no.knutepunkt.audit.AuditEntry;
import no.knutepunkt.audit.AuditTrail;
import no.knutepunkt.audit.AuditWords;

/**
 * An audit row as a FHIR R4 AuditEvent, shaped after HL7 Norway's no-basis-Auditevent (the
 * Norwegian trust framework's mapping, a draft whose package is not available here, so no
 * meta.profile is claimed): the acting person as a contained PractitionerRole whose practitioner
 * carries the HPR number and name and whose organization the organisasjonsnummer, purposeOfEvent
 * from v3 PurposeOfUse, type DICOM 110110 "Patient Record" for access to a patient's data. The
 * patient is an entity (R4 has no AuditEvent.patient; the profile's R5-style extension has no
 * canonical URL yet), as is every resource the row names.
 * <p>
 * Two audiences: the operator sees everything the row holds; the patient sees who, in what role,
 * for which organisation, why, when, what and with what outcome — not the person's network address,
 * token subject or client, which are for investigating misuse, not for the patient's log.
 */
final class AuditEventView {

    /** The entry point (method and path) the request came in by. */
    static final String ENTRY_POINT = "https://knutepunkt.no/fhir/StructureDefinition/audit-entry-point";
    private static final String AGENT_ROLE_ID = "agent";
    private static final Set<String> FHIR_TYPES = FhirContext.forR4Cached().getResourceTypes();

    enum Audience {
        OPERATOR, PATIENT
    }

    private AuditEventView() {
    }

    static AuditEvent of(AuditTrail.Event row, Audience audience) {
        AuditEntry e = row.entry();
        AuditEntry.Who who = e.who() == null ? AuditEntry.Who.UNKNOWN : e.who();
        AuditEvent a = new AuditEvent();
        a.setId(row.id().toString());
        a.setType(type(e));
        a.addSubtype(restInteraction(e.action()));
        a.addSubtype(CodeSystems.coding(CodeSystems.AUDIT_ACTION, e.action(), AuditWords.action(e.action())));
        a.setAction(action(e.action()));
        a.setRecorded(Date.from(row.recordedAt()));
        boolean allowed = e.outcome() == AuditEntry.Outcome.ALLOWED;
        // A refusal is a minor failure (4): the request was answered, with 403, as it should be.
        a.setOutcome(allowed ? AuditEventOutcome._0 : AuditEventOutcome._4);
        if (!allowed && e.reason() != null) {
            a.setOutcomeDesc(e.reason());
        }
        if (e.purpose() != null) {
            a.addPurposeOfEvent(purpose(e.purpose(), e.purpose() == AuditEntry.Purpose.EMERGENCY ? e.reason() : null));
        }
        agent(a, row, who, audience);
        a.getSource().setSite("Knutepunkt")
                .setObserver(new Reference().setType("Device").setDisplay("Knutepunkt"))
                .addType(CodeSystems.coding(CodeSystems.SECURITY_SOURCE_TYPE, "4", "Application Server"));
        if (e.patientId() != null) {
            a.addEntity()
                    .setWhat(new Reference("Patient/" + e.patientId()))
                    .setType(CodeSystems.coding(CodeSystems.AUDIT_ENTITY_TYPE, "1", "Person"))
                    .setRole(CodeSystems.coding(CodeSystems.OBJECT_ROLE, "1", "Patient"));
        }
        entities(a, e);
        if (audience == Audience.OPERATOR) {
            a.addExtension(ENTRY_POINT, new StringType(e.entryPoint()));
        }
        return a;
    }

    /** Access to a patient's data is DICOM "Patient Record"; anything else a RESTful operation, or a login. */
    private static Coding type(AuditEntry e) {
        if ("authenticate".equals(e.action())) {
            return CodeSystems.coding(CodeSystems.DICOM, "110114", "User Authentication");
        }
        if (e.patientId() != null) {
            return CodeSystems.coding(CodeSystems.DICOM, "110110", "Patient Record");
        }
        return CodeSystems.coding(CodeSystems.AUDIT_EVENT_TYPE, "rest", "RESTful Operation");
    }

    /** The FHIR interaction the action amounts to; the audit log's own word is the second subtype. */
    private static Coding restInteraction(String action) {
        return switch (action) {
            case "read" -> CodeSystems.coding(CodeSystems.RESTFUL_INTERACTION, "read", "read");
            case "search" -> CodeSystems.coding(CodeSystems.RESTFUL_INTERACTION, "search-type", "search type");
            case "create" -> CodeSystems.coding(CodeSystems.RESTFUL_INTERACTION, "create", "create");
            case "update" -> CodeSystems.coding(CodeSystems.RESTFUL_INTERACTION, "update", "update");
            case "delete" -> CodeSystems.coding(CodeSystems.RESTFUL_INTERACTION, "delete", "delete");
            default -> CodeSystems.coding(CodeSystems.RESTFUL_INTERACTION, "operation", "operation");
        };
    }

    /** Reads, searches and exports read (R); registering creates (C); ending, pausing, withdrawing update (U); logins and grants execute (E). */
    static AuditEventAction action(String action) {
        return switch (action) {
            case "read", "search", "lastn", "export" -> AuditEventAction.R;
            case "create" -> AuditEventAction.C;
            case "update", "end", "pause", "resume", "withdraw", "change" -> AuditEventAction.U;
            case "delete" -> AuditEventAction.D;
            default -> AuditEventAction.E;
        };
    }

    /**
     * v3 ActReason (the PurposeOfUse value set no-basis-Auditevent binds): treatment TREAT; break-the-
     * glass ETREAT (emergency treatment, with the stated reason as text); a municipality's
     * onboarding HOPERAT (healthcare operations: administering the service, not treating); the
     * operator's work HSYSADMIN (a kind of HOPERAT: administering the system itself); a patient
     * looking at their own data PATRQT (patient requested).
     */
    static CodeableConcept purpose(AuditEntry.Purpose p, String text) {
        CodeableConcept c = switch (p) {
            case TREATMENT -> CodeSystems.concept(CodeSystems.ACT_REASON, "TREAT", "treatment");
            case EMERGENCY -> CodeSystems.concept(CodeSystems.ACT_REASON, "ETREAT", "Emergency Treatment");
            case ADMIN -> CodeSystems.concept(CodeSystems.ACT_REASON, "HOPERAT", "healthcare operations");
            case OPERATIONS -> CodeSystems.concept(CodeSystems.ACT_REASON, "HSYSADMIN", "health system administration");
            case OWN_DATA -> CodeSystems.concept(CodeSystems.ACT_REASON, "PATRQT", "patient requested");
        };
        return c.setText(text != null ? text : AuditWords.purpose(p));
    }

    private static void agent(AuditEvent a, AuditTrail.Event row, AuditEntry.Who who, Audience audience) {
        AuditEvent.AuditEventAgentComponent agent = a.addAgent().setRequestor(true);
        AuditEntry e = row.entry();
        String role = who.role();
        boolean citizen = role != null && List.of(role.split(",")).contains("patient");
        boolean system = role != null && List.of(role.split(",")).contains("vendor-client");
        if (citizen) {
            agent.setType(CodeSystems.concept(CodeSystems.EXTRA_SECURITY_ROLE, "humanuser", "human user"));
            // A citizen acting on their own data is that patient; another citizen is named only by name.
            agent.setWho(e.purpose() == AuditEntry.Purpose.OWN_DATA && e.patientId() != null
                    ? new Reference("Patient/" + e.patientId()).setDisplay(who.name())
                    : new Reference().setType("Patient").setDisplay(who.name() == null ? "innbygger" : who.name()));
        } else if (system) {
            agent.setType(CodeSystems.concept(CodeSystems.DICOM, "110150", "Application"));
            agent.setWho(new Reference().setType("Device").setDisplay(who.clientId()));
        } else if (who.subject() != null || who.hprNumber() != null || who.organisationNumber() != null) {
            agent.setType(CodeSystems.concept(CodeSystems.EXTRA_SECURITY_ROLE, "humanuser", "human user"));
            a.addContained(practitionerRole(row, who));
            agent.setWho(new Reference("#" + AGENT_ROLE_ID));
        } else {
            // A request with no usable token: nobody to name.
            agent.setWho(new Reference().setDisplay("ukjent (ingen gyldig innlogging)"));
        }
        if (who.name() != null) {
            agent.setName(who.name());
        }
        if (role != null) {
            for (String r : role.split(",")) {
                agent.addRole(CodeSystems.concept(CodeSystems.CALLER_ROLE, r, AuditWords.role(r)));
            }
        }
        if (audience == Audience.OPERATOR) {
            if (who.subject() != null) {
                agent.setAltId(who.subject());
            }
            if (e.sourceAddress() != null) {
                agent.getNetwork().setAddress(e.sourceAddress()).setType(AuditEvent.AuditEventAgentNetworkType._2);
            }
        }
    }

    /** The person (HPR number, name) at their organisation (organisasjonsnummer, name), as no-basis-Auditevent has it. */
    private static PractitionerRole practitionerRole(AuditTrail.Event row, AuditEntry.Who who) {
        PractitionerRole pr = new PractitionerRole();
        pr.setId(AGENT_ROLE_ID);
        Reference person = new Reference().setType("Practitioner");
        if (who.hprNumber() != null) {
            person.setIdentifier(new Identifier().setSystem(CodeSystems.HPR).setValue(who.hprNumber()));
        }
        person.setDisplay(who.name() != null ? who.name() : who.hprNumber() != null ? "HPR " + who.hprNumber() : "ukjent person");
        pr.setPractitioner(person);
        if (who.organisationNumber() != null) {
            pr.setOrganization(new Reference().setType("Organization")
                    .setIdentifier(new Identifier().setSystem(IdentifierSystems.ORGANISASJONSNUMMER).setValue(who.organisationNumber()))
                    .setDisplay(row.organisationName() != null ? row.organisationName() : who.organisationNumber()));
        }
        if (who.role() != null) {
            for (String r : who.role().split(",")) {
                pr.addCode(CodeSystems.concept(CodeSystems.CALLER_ROLE, r, AuditWords.role(r)));
            }
        }
        return pr;
    }

    /**
     * Each resource the row names. A FHIR resource type gets a reference; a registry noun an
     * identifier of its own. An export's row holds the Bundle's id, then {@code Type=count} for each
     * kind it carried ({@link #exportCounts}): those become the Bundle entity's details.
     */
    private static void entities(AuditEvent a, AuditEntry e) {
        String type = e.resourceType();
        if (type == null) {
            return;
        }
        if ("export".equals(e.action())) {
            List<String> ids = e.resourceIds();
            if (ids.isEmpty()) {
                return;
            }
            AuditEvent.AuditEventEntityComponent bundle = entity(a, type, ids.get(0));
            for (String count : ids.subList(1, ids.size())) {
                int eq = count.indexOf('=');
                if (eq > 0) {
                    bundle.addDetail().setType(count.substring(0, eq)).setValue(new StringType(count.substring(eq + 1)));
                }
            }
            return;
        }
        for (String id : e.resourceIds()) {
            entity(a, type, id);
        }
    }

    private static AuditEvent.AuditEventEntityComponent entity(AuditEvent a, String type, String id) {
        AuditEvent.AuditEventEntityComponent entity = a.addEntity()
                .setType(CodeSystems.coding(CodeSystems.AUDIT_ENTITY_TYPE, "2", "System Object"))
                .setRole(CodeSystems.coding(CodeSystems.OBJECT_ROLE, "4", "Domain Resource"));
        if (FHIR_TYPES.contains(type) && validId(id)) {
            entity.setWhat(new Reference(type + "/" + id));
        } else {
            entity.setWhat(new Reference().setIdentifier(new Identifier().setSystem("https://knutepunkt.no/fhir/" + type).setValue(id)));
        }
        return entity;
    }

    /** What an export's row lists after the Bundle's id: how many of each resource type it carried. */
    static List<String> exportCounts(Map<String, Long> counts) {
        return counts.entrySet().stream().map(c -> c.getKey() + "=" + c.getValue()).toList();
    }

    private static boolean validId(String id) {
        return id != null && id.matches("[A-Za-z0-9\\-.]{1,64}");
    }
}
