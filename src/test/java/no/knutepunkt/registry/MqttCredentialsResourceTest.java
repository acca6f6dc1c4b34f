package no.knutepunkt.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(RegistryTestProfile.class)
class MqttCredentialsResourceTest {

    private static final String API = "/api/registry";

    @Inject
    DataSource db;

    @Test
    void issuesACredentialWhoseSecretIsShownOnceAndStoredOnlyAsAHash() throws SQLException {
        String vendor = vendor();

        ValidatableResponse issued = post(vendor).statusCode(201)
                .header("Location", endsWith(API + "/vendors/" + vendor + "/mqtt-credentials"))
                .header("Cache-Control", "no-store")
                .body("vendorId", equalTo(vendor))
                .body("username", equalTo(vendor))
                .body("createdAt", notNullValue())
                .body("replaced", equalTo(false));
        String secret = issued.extract().path("secret");
        assertThat(secret).as("32 random bytes, base64url").matches("[A-Za-z0-9_-]{43}");

        VendorLogin login = login(vendor);
        assertThat(login.registered()).isTrue();
        assertThat(login.secretHash()).startsWith("$7$101$").doesNotContain(secret);
        assertThat(login.accepts(secret)).isTrue();
        assertThat(login.accepts(secret.substring(1))).isFalse();

        asOperator().get(API + "/vendors/" + vendor + "/mqtt-credentials").then().statusCode(200)
                .body("vendorId", equalTo(vendor))
                .body("username", equalTo(vendor))
                .body("createdAt", notNullValue())
                .body("secret", nullValue())
                .body(not(containsString(login.secretHash().substring(8, 24))));
    }

    @Test
    void issuingAgainRotatesTheOldSecretStopsWorking() throws SQLException {
        String vendor = vendor();
        String first = post(vendor).statusCode(201).extract().path("secret");

        String second = post(vendor).statusCode(201).body("replaced", equalTo(true)).extract().path("secret");

        assertThat(second).isNotEqualTo(first);
        assertThat(login(vendor).accepts(first)).isFalse();
        assertThat(login(vendor).accepts(second)).isTrue();
        try (Connection c = db.getConnection(); var s = c.prepareStatement(
                "SELECT count(*) FILTER (WHERE revoked_at IS NULL), count(*) FROM vendor_mqtt_credential WHERE vendor_id = ?")) {
            s.setString(1, vendor);
            try (var rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("active").isEqualTo(1);
                assertThat(rs.getInt(2)).as("kept, revoked").isEqualTo(2);
            }
        }
    }

    @Test
    void revokesTheActiveCredential() throws SQLException {
        String vendor = vendor();
        String secret = post(vendor).statusCode(201).extract().path("secret");

        asOperator().delete(API + "/vendors/" + vendor + "/mqtt-credentials").then().statusCode(204);

        assertThat(login(vendor).accepts(secret)).isFalse();
        assertThat(login(vendor).secretHash()).isNull();
        problem(asOperator().delete(API + "/vendors/" + vendor + "/mqtt-credentials").then(), 404);
        problem(asOperator().get(API + "/vendors/" + vendor + "/mqtt-credentials").then(), 404);
        post(vendor).statusCode(201).body("replaced", equalTo(false));
    }

    @Test
    void answers404ForAnUnknownVendor() {
        String unknown = "no-such-vendor-" + UUID.randomUUID().toString().substring(0, 8);
        problem(post(unknown), 404);
        problem(asOperator().get(API + "/vendors/" + unknown + "/mqtt-credentials").then(), 404);
        problem(asOperator().delete(API + "/vendors/" + unknown + "/mqtt-credentials").then(), 404);
        problem(post("bad%2Fid"), 404);
    }

    @Test
    void exportsAMosquittoPasswordLineForEveryActiveCredential() throws SQLException {
        String active = vendor();
        String revoked = vendor();
        String secret = post(active).statusCode(201).extract().path("secret");
        post(revoked).statusCode(201);
        asOperator().delete(API + "/vendors/" + revoked + "/mqtt-credentials").then().statusCode(204);

        String file = asOperator().get(API + "/mqtt/mosquitto-passwd").then().statusCode(200)
                .contentType(containsString("text/plain"))
                .header("Cache-Control", "no-store")
                .extract().asString();

        assertThat(file).contains(active + ":" + login(active).secretHash() + "\n").doesNotContain(revoked + ":").doesNotContain(secret);
        assertThat(file.lines()).allMatch(l -> l.matches("[A-Za-z0-9._-]{1,64}:\\$7\\$101\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+"));
    }

    @Test
    void refusesCredentialsForTheHubsOwnAccountName() {
        int status = asOperator().contentType(ContentType.JSON)
                .body(Map.of("id", VendorCredentials.HUB_ACCOUNT, "name", "Impostor", "format", "testformat"))
                .post(API + "/vendors").statusCode();
        assertThat(status).isIn(201, 409);

        problem(post(VendorCredentials.HUB_ACCOUNT), 422).body("field", equalTo("id"));
    }

    @Test
    void refusesACallerWithoutTheOperatorRole() throws SQLException {
        String org = TestIdentities.orgNumber();
        try (Registry r = new Registry()) {
            r.organisation(org, "Ikke-drift kommune", "municipality");
        }
        String clinician = Tokens.clinician(org, "4455667");
        String vendor = "nordic-telecare";
        given().auth().oauth2(clinician).post(API + "/vendors/" + vendor + "/mqtt-credentials").then().statusCode(403);
        given().auth().oauth2(clinician).get(API + "/vendors/" + vendor + "/mqtt-credentials").then().statusCode(403);
        given().auth().oauth2(clinician).delete(API + "/vendors/" + vendor + "/mqtt-credentials").then().statusCode(403);
        given().auth().oauth2(clinician).get(API + "/mqtt/mosquitto-passwd").then().statusCode(403);
    }

    private VendorLogin login(String vendor) throws SQLException {
        try (Connection c = db.getConnection()) {
            return VendorLogin.find(c, vendor);
        }
    }

    private static String vendor() {
        String id = "cred-" + UUID.randomUUID().toString().substring(0, 8);
        asOperator().contentType(ContentType.JSON).body(Map.of("id", id, "name", "Vendor " + id, "format", "testformat"))
                .post(API + "/vendors").then().statusCode(201);
        return id;
    }

    private static ValidatableResponse post(String vendor) {
        return asOperator().post(API + "/vendors/" + vendor + "/mqtt-credentials").then();
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.statusCode(status).contentType(ContentType.JSON).body("error", notNullValue());
    }

    private static io.restassured.specification.RequestSpecification asOperator() {
        return RestAssured.given().auth().oauth2(Tokens.operator());
    }
}
