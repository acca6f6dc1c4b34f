package no.knutepunkt.web;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

import io.quarkus.qute.TemplateExtension;

/** How the pages say things in bokmål: kinds of measurement, programmes, roles, purposes, times in Norwegian time. */
@TemplateExtension(namespace = "nb")
public final class Words {

    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("d. MMM yyyy 'kl.' HH:mm", Locale.forLanguageTag("nb-NO"));

    private static final Map<String, String> KINDS = Map.of("bp", "Blodtrykk", "heart-rate", "Puls", "spo2", "Oksygenmetning (SpO\u2082)",
            "weight", "Vekt", "temperature", "Temperatur", "respiratory-rate", "Respirasjonsfrekvens", "glucose", "Blodsukker");
    private static final Map<String, String> PROGRAMMES = Map.of("copd", "KOLS", "heart-failure", "Hjertesvikt", "hypertension",
            "Høyt blodtrykk", "diabetes", "Diabetes", "other", "Annet");
    private static final Map<String, String> STATUSES = Map.of("active", "Aktiv", "paused", "Pause", "ended", "Avsluttet", "planned",
            "Planlagt");
    private static final Map<String, String> PURPOSES = Map.of("treatment", "Helsehjelp", "emergency", "Nødtilgang", "admin",
            "Administrasjon", "own-data", "Egne opplysninger", "operations", "Drift");
    private static final Map<String, String> ROLES = Map.of("clinician", "Helsepersonell", "municipality-admin", "Kommunal administrator",
            "operator", "Drift", "patient", "Pasient", "vendor-client", "Leverandørsystem");
    private static final Map<String, String> CARE_ROLES = Map.of("follow-up-service", "Oppfølgingstjeneste", "gp", "Fastlege", "hospital",
            "Sykehus");
    private static final Map<String, String> PAUSE_REASONS = Map.of("hospital-admission", "Sykehusinnleggelse", "travel", "Reise", "other",
            "Annet");

    private static final Map<String, String> CONSENT_SCOPES = Map.of("home-follow-up", "Digital hjemmeoppfølging", "record-sharing",
            "Deling med journalsystemene i behandlingsteamet");
    private static final Map<String, String> GIVEN_BY = Map.of("patient", "Pasienten", "representative", "Representant");
    private static final Map<String, String> CONSENT_FORMS = Map.of("written", "Skriftlig", "verbal", "Muntlig", "digital", "Digitalt");
    private static final Map<String, String> RESULTS = Map.of("created", "Ny", "unchanged", "Uendret", "refused", "Avvist");
    private static final Map<String, String> CREATES = Map.of("patient", "pasient", "enrollment", "innrullering", "consent", "samtykke",
            "assignment", "tildeling av måler");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d. MMM yyyy", Locale.forLanguageTag("nb-NO"));

    private Words() {
    }

    public static String kind(String key) {
        return KINDS.getOrDefault(key, key);
    }

    public static String programme(String key) {
        return PROGRAMMES.getOrDefault(key, key);
    }

    public static String status(String key) {
        return STATUSES.getOrDefault(key, key);
    }

    public static String purpose(String key) {
        return key == null ? "" : PURPOSES.getOrDefault(key, key);
    }

    public static String role(String codes) {
        if (codes == null || codes.isBlank()) {
            return "";
        }
        return String.join(", ", java.util.Arrays.stream(codes.split(",")).map(c -> ROLES.getOrDefault(c.strip(), c.strip())).toList());
    }

    public static String careRole(String key) {
        return CARE_ROLES.getOrDefault(key, key);
    }

    public static String pauseReason(String key) {
        return PAUSE_REASONS.getOrDefault(key, key);
    }

    public static String consentScope(String key) {
        return CONSENT_SCOPES.getOrDefault(key, key);
    }

    public static String givenBy(String key) {
        return GIVEN_BY.getOrDefault(key, key);
    }

    public static String consentForm(String key) {
        return CONSENT_FORMS.getOrDefault(key, key);
    }

    /** A bulk onboarding row's result. */
    public static String result(String key) {
        return RESULTS.getOrDefault(key, key);
    }

    /** What a bulk onboarding row creates, as a list in words ("pasient, innrullering"). */
    public static String creates(java.util.List<String> keys) {
        return String.join(", ", keys.stream().map(k -> CREATES.getOrDefault(k, k)).toList());
    }

    /** A day, in Norwegian time. */
    public static String date(OffsetDateTime t) {
        return t == null ? "" : DATE.format(t.atZoneSameInstant(OSLO));
    }

    public static String time(OffsetDateTime t) {
        return t == null ? "" : TIME.format(t.atZoneSameInstant(OSLO));
    }

    public static String instant(java.time.Instant t) {
        return t == null ? "" : TIME.format(t.atZone(OSLO));
    }
}
