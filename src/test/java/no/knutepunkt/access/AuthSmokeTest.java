package no.knutepunkt.access;

import static io.restassured.RestAssured.given;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class AuthSmokeTest {

    @Test
    void clinicianInCareTeamReadsNoTokenDoesNot() throws Exception {
        String org = TestIdentities.orgNumber();
        UUID patient;
        try (Registry r = new Registry()) {
            UUID o = r.organisation(org, "Smoke kommune", "municipality");
            patient = r.patient(TestIdentities.syntheticFnr(), "Smoke", "Test");
            UUID e = r.enrollment(patient, o, OffsetDateTime.now().minusDays(1));
            r.connection().createStatement().execute("INSERT INTO enrollment_care_team VALUES ('" + e + "', '" + o + "', 'follow-up-service')");
        }
        given().get("/fhir/Observation?patient=" + patient).then().statusCode(401);
        given().auth().oauth2(Tokens.clinician(org, "1234567")).get("/fhir/Observation?patient=" + patient).then().log().ifValidationFails().statusCode(200);
        given().auth().oauth2(Tokens.clinician(TestIdentities.orgNumber(), "1234568")).get("/fhir/Observation?patient=" + patient).then().log().ifValidationFails().statusCode(401);
        given().auth().oauth2(Tokens.operator()).get("/fhir/Observation?patient=" + patient).then().log().ifValidationFails().statusCode(403);
    }
}
