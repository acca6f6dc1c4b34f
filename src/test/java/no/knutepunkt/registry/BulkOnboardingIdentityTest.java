package no.knutepunkt.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * Synthetic fødselsnumre in a bulk onboarding file are refused where the hub is configured to
 * refuse them, by the registry's own rule (NationalId). The numbers that pass here are
 * Skatteetaten's worked examples for the 2032 rule: born in 2032, so nobody's yet.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(NoSyntheticIdentitiesProfile.class)
class BulkOnboardingIdentityTest {

    /** Skatteetaten, "Nytt fødselsnummer fra 2032" (see NationalId): valid, and no one's. */
    private static final String ADMIN_PID = "02013299997";
    private static final String PATIENT = "02013299903";

    @Test
    void syntheticNumbersAreRefusedWhereTheHubIsConfiguredToRefuseThem() throws Exception {
        String municipality = TestIdentities.orgNumber();
        try (Registry db = new Registry()) {
            db.organisation(municipality, "Produksjonsvik kommune", "municipality");
        }
        String admin = Tokens.with("admin", Map.of("helseid://claims/client/claims/orgnr_parent", municipality,
                "helseid://claims/identity/pid", ADMIN_PID));
        String synthetic = TestIdentities.syntheticFnr();
        String file = String.join(";", OnboardingCsv.REQUIRED) + "\n"
                + row(PATIENT) + "\n" + row(synthetic) + "\n";
        long patients;
        try (Registry db = new Registry()) {
            patients = db.count("SELECT count(*) FROM patient");
        }

        JsonPath r = given().auth().oauth2(admin).contentType("text/csv").body(file.getBytes(StandardCharsets.UTF_8))
                .post("/api/registry/bulk-onboarding").then().statusCode(422).body("outcome", equalTo("refused"))
                .extract().jsonPath();

        assertThat(r.getList("rows.result")).containsExactly("created", "refused");
        assertThat(r.getList("rows[1].reasons", String.class))
                .containsExactly("fodselsnummer: synthetic (test) identities are not accepted here");
        try (Registry db = new Registry()) {
            assertThat(db.count("SELECT count(*) FROM patient")).isEqualTo(patients);
        }
    }

    private static String row(String fnr) {
        String yesterday = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Oslo")).minusDays(1).toString();
        return String.join(";", List.of(fnr, "Test", "Produksjonsen", "diabetes", yesterday, "", "", yesterday, "pasient", "", "Sak 1", "",
                ""));
    }
}
