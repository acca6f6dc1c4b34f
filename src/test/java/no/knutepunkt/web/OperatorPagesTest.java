package no.knutepunkt.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import no.knutepunkt.testing.Browser;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.Tokens;

/**
 * The operator's main tasks in a real browser: review the emergency accesses and refused attempts
 * waiting for review (marking them reviewed with a note), verify the audit log's hash chain, and
 * issue a vendor's broker credential — whose secret is shown once.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(DemoPilotProfile.class)
class OperatorPagesTest {

    private static final String INGRID = "28823912430";
    private static String grant;
    private static String refusal;

    @BeforeAll
    static void aGpBreaksTheGlassAndSomeoneIsRefused() throws Exception {
        // Ingrid Hansen's care team has the GP practice in it; Per Olsen's has no hospital: the
        // hospital doctor breaks the glass for him, and is refused the other.
        try (Registry r = new Registry()) {
            String per = r.text("SELECT id::text FROM patient WHERE identifier = '09924433148'");
            grant = given().baseUri(url()).auth().oauth2(Tokens.of("hospital-doctor")).contentType(ContentType.JSON)
                    .body(Map.of("patientId", per, "reason", "Akutt innlagt, trenger målingene for vurdering"))
                    .post("/api/access/emergency").then().statusCode(201).extract().path("id");
            long before = r.count("SELECT coalesce(max(seq), 0) FROM audit_event");
            String ingrid = r.text("SELECT id::text FROM patient WHERE identifier = ?", INGRID);
            given().baseUri(url()).auth().oauth2(Tokens.of("operator")).get("/fhir/Observation?patient=" + ingrid).then().statusCode(403);
            refusal = r.text("SELECT id::text FROM audit_event WHERE seq > ? AND outcome = 'denied' ORDER BY seq LIMIT 1", before);
        }
    }

    @Test
    void theOperatorReviewsVerifiesAndIssuesACredential() {
        try (Browser b = Browser.open(url())) {
            b.signIn("operator", false);
            assertThat(b.driver().getCurrentUrl()).endsWith("/app/drift");
            assertThat(b.text(By.cssSelector("[data-testid=emergency-review]"))).contains("Hanne Overlege", "Akutt innlagt");
            assertThat(b.text(By.cssSelector("[data-testid=refused-review]"))).contains("not-allowed-for-role");
            b.screenshot("operator-review");

            b.type(By.id("note-" + grant), "Kontrollert mot innleggelse, i orden");
            b.click(By.cssSelector("form[action='/app/drift/nodtilgang/" + grant + "'] button"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).contains("gjennomgått");
            assertThat(b.driver().getPageSource()).doesNotContain("/app/drift/nodtilgang/" + grant);
            b.click(By.cssSelector("form[action='/app/drift/avvist/" + refusal + "'] button"));
            assertThat(b.driver().getPageSource()).doesNotContain("/app/drift/avvist/" + refusal);

            b.click(By.cssSelector("[data-testid=verify-form] button"));
            assertThat(b.text(By.cssSelector("[data-testid=verification]"))).contains("Loggen er hel");
            b.screenshot("operator-audit-verified");

            b.click(By.cssSelector("form[action='/app/drift/leverandorer/acme-medical/mqtt'] button"));
            assertThat(b.text(By.cssSelector("[data-testid=issued-secret]"))).hasSizeGreaterThan(30);
            b.screenshot("operator-issued-credential");
        }
        try (Registry r = new Registry()) {
            assertThat(r.text("SELECT review_note FROM emergency_access WHERE id = ?", UUID.fromString(grant)))
                    .isEqualTo("Kontrollert mot innleggelse, i orden");
            assertThat(r.count("SELECT count(*) FROM denied_access_review WHERE audit_event_id = ?", UUID.fromString(refusal))).isEqualTo(1);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static String url() {
        return ConfigProvider.getConfig().getValue("test.url", String.class);
    }
}
