package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.knutepunkt.embedded.DemoUsers.DemoUser;
import no.knutepunkt.embedded.LocalIssuer.Realm;
import no.knutepunkt.registry.NationalId;

/**
 * deploy/seed/demo-users.json: the people and systems of the design notes' table, and every number
 * in it synthetic. The check digits are computed here from the rules, not by the registry's own
 * classes, so a shared mistake cannot pass both.
 */
class DemoUsersTest {

    static final Path FILE = Path.of("deploy/seed/demo-users.json");
    private static final String PID = "helseid://claims/identity/pid";
    private static final String HPR = "helseid://claims/hpr/hpr_number";
    private static final String ORG = "helseid://claims/client/claims/orgnr_parent";

    @TempDir
    Path tmp;

    @Test
    void holdsTheSixPeopleOfTheDesignTable() {
        DemoUsers users = DemoUsers.read(FILE);
        assertThat(users.people(Realm.HELSEID)).extracting(DemoUser::key)
                .containsExactly("nurse", "gp", "hospital-doctor", "admin", "operator");
        assertThat(users.people(Realm.IDPORTEN)).extracting(DemoUser::key).containsExactly("patient");

        assertPerson(users, "nurse", "Sara Sykepleier", "111111111", "9100001", "nhn:knutepunkt/clinician");
        assertPerson(users, "gp", "Geir Fastlege", "222222222", "9100002", "nhn:knutepunkt/clinician");
        assertPerson(users, "hospital-doctor", "Hanne Overlege", "333333333", "9100003", "nhn:knutepunkt/clinician");
        assertPerson(users, "admin", "Aslak Admin", "111111111", null, "nhn:knutepunkt/municipality-admin");
        assertPerson(users, "operator", "Oda Drift", "777777777", null, "nhn:knutepunkt/operator");

        DemoUser patient = users.byKey("patient").orElseThrow();
        assertThat(patient.name()).isEqualTo("Ola Nordmann");
        assertThat(patient.claims()).containsEntry("pid", "03855226811").containsEntry("acr", "idporten-loa-high")
                .containsEntry("amr", List.of("TestID"));
        assertThat(patient.scope()).isEqualTo("openid profile");
    }

    @Test
    void holdsTheThreeDemoVendorsSystems() {
        DemoUsers users = DemoUsers.read(FILE);
        assertThat(users.clientIds()).containsExactly("knutepunkt-vendor-nordic-telecare",
                "knutepunkt-vendor-acme-medical", "knutepunkt-vendor-medgw");
        assertThat(users.byKey("nordic-telecare").orElseThrow().claims()).isEqualTo(Map.of(ORG, "444444444"));
        assertThat(users.byKey("acme-medical").orElseThrow().claims()).isEqualTo(Map.of(ORG, "555555555"));
        assertThat(users.byKey("medgw").orElseThrow().claims()).isEqualTo(Map.of(ORG, "666666666"));
        for (DemoUser client : users.all().stream().filter(DemoUser::isClient).toList()) {
            assertThat(client.realm()).isEqualTo(Realm.HELSEID);
            assertThat(client.scope()).isEqualTo("nhn:knutepunkt/ingest");
        }
    }

    @Test
    void everyFodselsnummerIsSyntheticAndPassesMod11() {
        List<String> numbers = new ArrayList<>();
        for (DemoUser user : DemoUsers.read(FILE).all()) {
            Object pid = user.realm() == Realm.HELSEID ? user.claims().get(PID) : user.claims().get("pid");
            if (!user.isClient()) {
                assertThat(pid).as("pid of %s", user.key()).isInstanceOf(String.class);
                numbers.add((String) pid);
            } else {
                assertThat(pid).as("a vendor system has no person number").isNull();
            }
        }
        assertThat(numbers).hasSize(6).doesNotHaveDuplicates();
        for (String number : numbers) {
            assertThat(number).matches("\\d{11}");
            assertThat(Integer.parseInt(number.substring(2, 4))).as("month + 80 in %s", number).isBetween(81, 92);
            assertThat(fodselsnummerCheckDigitsMatch(number)).as("mod 11 of %s", number).isTrue();
            assertThat(NationalId.parse(number, true).isSynthetic()).isTrue();
        }
    }

    @Test
    void everyOrganisationNumberPassesMod11() {
        List<String> numbers = new ArrayList<>();
        for (DemoUser user : DemoUsers.read(FILE).all()) {
            user.claims().forEach((name, value) -> {
                if (name.startsWith("helseid://claims/client/claims/orgnr_")) {
                    numbers.add((String) value);
                }
            });
        }
        assertThat(numbers).contains("111111111", "222222222", "333333333", "444444444", "555555555", "666666666",
                "777777777");
        for (String number : numbers) {
            assertThat(number).matches("\\d{9}");
            assertThat(organisationNumberCheckDigitMatches(number)).as("mod 11 of %s", number).isTrue();
        }
    }

    @Test
    void theChecksHereRejectAWrongDigit() {
        assertThat(fodselsnummerCheckDigitsMatch("03855226811")).isTrue();
        assertThat(fodselsnummerCheckDigitsMatch("03855226812")).isFalse();
        assertThat(fodselsnummerCheckDigitsMatch("13855226811")).isFalse();
        assertThat(organisationNumberCheckDigitMatches("777777777")).isTrue();
        assertThat(organisationNumberCheckDigitMatches("777777778")).isFalse();
    }

    @Test
    void theDescriptionSaysItIsSyntheticAndNamesTheOperatorOrganisation() throws IOException {
        String description = IssuerJson.read(Files.readString(FILE), FILE.toString()).path("description").asText();
        assertThat(description).contains("synthetic").contains("made up").contains("777777777")
                .contains("Knutepunkt drift (fiktiv)").contains("demo");
    }

    @Test
    void refusesAFileThatSetsAClaimTheIssuerOwns() throws IOException {
        Path file = tmp.resolve("users.json");
        Files.writeString(file, """
                {"users": [{"key": "x", "realm": "helseid", "name": "X Y", "givenName": "X", "familyName": "Y",
                            "role": "r", "scope": "openid", "claims": {"aud": "elsewhere"}}]}
                """);
        assertThatThrownBy(() -> DemoUsers.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user x").hasMessageContaining("claim aud is set by the issuer");
    }

    @Test
    void refusesTwoUsersWithOneKeyAndAClientOutsideHelseid() throws IOException {
        Path twice = tmp.resolve("twice.json");
        String person = """
                {"key": "x", "realm": "helseid", "name": "X Y", "givenName": "X", "familyName": "Y",
                 "role": "r", "scope": "openid", "claims": {}}""";
        Files.writeString(twice, "{\"users\": [" + person + ", " + person + "]}");
        assertThatThrownBy(() -> DemoUsers.read(twice)).hasMessageContaining("two demo users have the key x");

        Path citizenClient = tmp.resolve("client.json");
        Files.writeString(citizenClient, """
                {"clients": [{"key": "v", "realm": "idporten", "clientId": "c", "name": "V", "role": "r",
                              "scope": "s", "claims": {}}]}
                """);
        assertThatThrownBy(() -> DemoUsers.read(citizenClient)).hasMessageContaining("helseid realm");
    }

    private static void assertPerson(DemoUsers users, String key, String name, String org, String hpr, String role) {
        DemoUser user = users.byKey(key).orElseThrow();
        assertThat(user.isClient()).isFalse();
        assertThat(user.name()).isEqualTo(name);
        assertThat(user.givenName() + " " + user.familyName()).isEqualTo(name);
        assertThat(user.role()).isNotBlank();
        assertThat(user.organisation()).isNotBlank();
        assertThat(user.claims()).containsEntry("name", name).containsEntry(ORG, org)
                .containsEntry("helseid://claims/identity/assurance_level", "high")
                .containsEntry("helseid://claims/identity/security_level", "4");
        if (hpr == null) {
            assertThat(user.claims()).doesNotContainKey(HPR);
        } else {
            assertThat(user.claims()).containsEntry(HPR, hpr);
        }
        assertThat(user.scopes()).containsExactly("openid", "profile", role);
    }

    /** Weighted sums including the check digit leave remainder 0 (the rule before 2032, which these follow). */
    private static boolean fodselsnummerCheckDigitsMatch(String number) {
        int[] k1 = { 3, 7, 6, 1, 8, 9, 4, 5, 2, 1 };
        int[] k2 = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1 };
        return weighted(number, k1) % 11 == 0 && weighted(number, k2) % 11 == 0;
    }

    private static boolean organisationNumberCheckDigitMatches(String number) {
        int sum = weighted(number, new int[] { 3, 2, 7, 6, 5, 4, 3, 2 });
        int check = (11 - sum % 11) % 11;
        return check != 10 && check == number.charAt(8) - '0';
    }

    private static int weighted(String digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i] * (digits.charAt(i) - '0');
        }
        return sum;
    }
}
