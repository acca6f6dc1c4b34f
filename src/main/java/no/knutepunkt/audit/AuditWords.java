package no.knutepunkt.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The audit log's codes in the words a patient reads them in (Norwegian): who looked (their role),
 * why (the purpose), what came of it, what they did and to what. One place, so that the access log
 * page and the AuditEvents' displays say the same thing.
 */
public final class AuditWords {

    private AuditWords() {
    }

    /** One role code as the audit log writes it ({@code clinician}, …). */
    public static String role(String code) {
        return switch (code) {
            case "clinician" -> "helsepersonell";
            case "municipality-admin" -> "saksbehandler i kommunen";
            case "operator" -> "driftspersonell i Knutepunkt";
            case "patient" -> "innbygger";
            case "vendor-client" -> "leverandørens system";
            default -> code;
        };
    }

    /** The row's roles (comma separated, as {@code Caller.roleCodes()} writes them), joined in words; null for none. */
    public static String roles(String codes) {
        if (codes == null || codes.isBlank()) {
            return null;
        }
        List<String> words = new ArrayList<>();
        for (String c : codes.split(",")) {
            if (!c.isBlank()) {
                words.add(role(c.strip()));
            }
        }
        return String.join(" og ", words);
    }

    /** Null for a refusal, which has no purpose. */
    public static String purpose(AuditEntry.Purpose p) {
        if (p == null) {
            return null;
        }
        return switch (p) {
            case TREATMENT -> "helsehjelp (behandling og oppfølging)";
            case EMERGENCY -> "nødtilgang (akutt helsehjelp)";
            case ADMIN -> "administrasjon av oppfølgingen";
            case OWN_DATA -> "innsyn i egne opplysninger";
            case OPERATIONS -> "drift av Knutepunkt";
        };
    }

    public static String outcome(AuditEntry.Outcome o) {
        return o == AuditEntry.Outcome.ALLOWED ? "fikk tilgang" : "ble nektet tilgang";
    }

    public static String action(String action) {
        return switch (action) {
            case "read" -> "leste";
            case "search", "lastn" -> "søkte i";
            case "create" -> "registrerte";
            case "update" -> "endret";
            case "delete" -> "slettet";
            case "export" -> "lastet ned";
            case "authenticate" -> "logget inn";
            case "authorise" -> "ba om tilgang";
            case "emergency-access" -> "tok nødtilgang";
            default -> action;
        };
    }

    /** A FHIR resource type or registry noun; null for none. */
    public static String resourceType(String type) {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "Observation" -> "målinger";
            case "Patient", "patient" -> "personopplysninger";
            case "EpisodeOfCare", "enrollment" -> "oppfølgingsforløp";
            case "CareTeam" -> "oppfølgingsteam";
            case "Consent", "consent" -> "samtykke";
            case "AuditEvent" -> "tilgangslogg";
            case "Bundle" -> "alle opplysninger (eksport)";
            case "Device", "device" -> "måleutstyr";
            default -> type;
        };
    }
}
