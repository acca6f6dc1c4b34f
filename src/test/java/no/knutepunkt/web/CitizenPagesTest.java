package no.knutepunkt.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import no.knutepunkt.testing.Browser;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.Tokens;
import no.knutepunkt.testing.VendorClient;
import no.knutepunkt.testing.VendorMessages;

/**
 * The patient's main tasks in a real browser: Ola Nordmann signs in with "ID-porten", sees his own
 * latest reading and who has looked at his data, blocks his GP by HPR number — after which the GP
 * is refused — and downloads all his data.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(DemoPilotProfile.class)
class CitizenPagesTest {

    private static final String OLA = "03855226811";
    private static final String GP_HPR = "9100002";
    private static UUID ola;

    @BeforeAll
    static void olaMeasuresAndTheNurseLooks() throws Exception {
        try (VendorClient vendor = new VendorClient()) {
            String id = "citizen-bp-" + UUID.randomUUID();
            vendor.publish("nordic-telecare", "NT-BP-000123", VendorMessages.canonical(id, "NT-BP-000123",
                    OffsetDateTime.now().minusMinutes(3), VendorMessages.bloodPressure(138, 86)));
            vendor.awaitReceipt(id);
        }
        try (Registry r = new Registry()) {
            ola = UUID.fromString(r.text("SELECT id::text FROM patient WHERE identifier = ?", OLA));
            // A block left by an earlier test run would hide the GP's access before this test makes it.
            r.connection().createStatement().execute("UPDATE patient_block SET lifted_at = now(), lifted_by = 'test' "
                    + "WHERE patient_id = '" + ola + "' AND lifted_at IS NULL");
        }
        given().baseUri(url()).auth().oauth2(Tokens.of("nurse")).get("/fhir/Observation?patient=" + ola).then().statusCode(200);
        given().baseUri(url()).auth().oauth2(Tokens.of("gp")).get("/fhir/Observation?patient=" + ola).then().statusCode(200);
    }

    @Test
    void olaSeesHisReadingsAndWhoLookedBlocksHisGpAndDownloadsHisData() throws Exception {
        try (Browser b = Browser.open(url())) {
            b.signIn("patient", true);
            assertThat(b.driver().getCurrentUrl()).contains("/innbygger");
            assertThat(b.text(By.cssSelector("[data-testid=own-latest]"))).contains("Blodtrykk", "138/86");
            assertThat(b.text(By.cssSelector("[data-testid=access-log]"))).contains("Sara Sykepleier", "Geir Fastlege", "helsehjelp", "Du selv");
            b.screenshot("patient-own-page");

            b.type(By.id("hpr"), GP_HPR);
            b.type(By.id("merknad"), "Fastlegen min");
            b.click(By.cssSelector("[data-testid=block-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).contains("Sperringen er registrert");
            assertThat(b.text(By.cssSelector("[data-testid=blocks]"))).contains(GP_HPR, "Fastlegen min");
            b.screenshot("patient-blocked-gp");

            b.click(By.cssSelector("[data-testid=export]"));
            await().atMost(Duration.ofSeconds(30)).until(() -> exported(b.downloads()) != null);
            JsonNode bundle = new ObjectMapper().readTree(Files.readString(exported(b.downloads())));
            assertThat(bundle.path("resourceType").asText()).isEqualTo("Bundle");
            assertThat(bundle.path("entry").findValuesAsText("resourceType")).contains("Patient", "Observation", "AuditEvent");
        }
        // The block wins over the care team: the GP is refused Ola's data now.
        given().baseUri(url()).auth().oauth2(Tokens.of("gp")).get("/fhir/Observation?patient=" + ola).then().statusCode(403);
        given().baseUri(url()).auth().oauth2(Tokens.of("nurse")).get("/fhir/Observation?patient=" + ola).then().statusCode(200);
    }

    /** The export once the browser has finished writing it (no .crdownload left). */
    private static Path exported(Path downloads) throws Exception {
        if (!Files.isDirectory(downloads)) {
            return null;
        }
        try (var files = Files.list(downloads)) {
            return files.filter(p -> p.toString().endsWith(".json")).findFirst().orElse(null);
        }
    }

    private static String url() {
        return ConfigProvider.getConfig().getValue("test.url", String.class);
    }
}
