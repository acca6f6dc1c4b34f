package no.knutepunkt.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import no.knutepunkt.testing.Browser;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.VendorClient;
import no.knutepunkt.testing.VendorMessages;

/**
 * The clinicians' main tasks in a real browser: the follow-up nurse signs in with "HelseID" and
 * sees her patients' latest readings; the hospital doctor, whose hospital is not in Ola
 * Nordmann's care team, is refused his readings, asks for emergency access with a reason, and then
 * sees them — recorded as emergency access in the audit log.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(DemoPilotProfile.class)
class ClinicianPagesTest {

    private static final String OLA = "03855226811";
    private static UUID ola;

    @BeforeAll
    static void olaMeasuresHisBloodPressure() throws Exception {
        try (VendorClient vendor = new VendorClient()) {
            String id = "page-bp-" + UUID.randomUUID();
            vendor.publish("nordic-telecare", "NT-BP-000123", VendorMessages.canonical(id, "NT-BP-000123",
                    OffsetDateTime.now().minusMinutes(5), VendorMessages.bloodPressure(151, 93)));
            vendor.awaitReceipt(id);
        }
        try (Registry r = new Registry()) {
            ola = UUID.fromString(r.text("SELECT id::text FROM patient WHERE identifier = ?", OLA));
        }
    }

    @Test
    void theNurseSeesHerPatientsAndTheirLatestReadings() {
        try (Browser b = Browser.open(url())) {
            b.signIn("nurse", false);
            assertThat(b.driver().getCurrentUrl()).endsWith("/app/pasienter");
            // Other tests measure Ola too: his newest reading may be theirs, so the list is checked for a reading,
            // and his page's history for this one.
            assertThat(b.text(By.cssSelector("[data-testid=patients]"))).contains("Ola Nordmann", "Kari Nordmann", "Blodtrykk");
            b.screenshot("nurse-patients");
            b.click(By.linkText("Ola Nordmann"));
            assertThat(b.text(By.cssSelector("[data-testid=patient-name]"))).isEqualTo("Ola Nordmann");
            assertThat(b.text(By.cssSelector("[data-testid=latest]"))).contains("Blodtrykk");
            assertThat(b.text(By.cssSelector("[data-testid=recent]"))).contains("151/93 mm[Hg]");
            b.screenshot("nurse-patient");
        }
    }

    @Test
    void theHospitalDoctorGetsEmergencyAccessOnlyWithAReason() throws Exception {
        try (Browser b = Browser.open(url())) {
            b.signIn("hospital-doctor", false);
            assertThat(b.text(By.cssSelector("[data-testid=patients]"))).contains("Kari Nordmann").doesNotContain("Ola Nordmann");
            b.go("/app/pasienter/" + ola);
            assertThat(b.text(By.cssSelector("[data-testid=problem]"))).contains("ikke tilgang");
            b.type(By.id("fodselsnummer"), OLA);
            b.type(By.id("begrunnelse"), "Innlagt akutt med brystsmerter, trenger blodtrykksmålingene");
            b.screenshot("hospital-doctor-emergency-form");
            b.click(By.cssSelector("[data-testid=emergency-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).contains("Nødtilgang gitt");
            assertThat(b.text(By.cssSelector("[data-testid=recent]"))).contains("151/93");
            b.screenshot("hospital-doctor-emergency-access");
        }
        try (Registry r = new Registry()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> r.count("SELECT count(*) FROM audit_event WHERE patient_id = ? "
                    + "AND purpose = 'emergency' AND hpr_number = '9100003' AND action = 'read'", ola) > 0);
            assertThat(r.count("SELECT count(*) FROM emergency_access WHERE patient_id = ? AND hpr_number = '9100003' "
                    + "AND reviewed_at IS NULL", ola)).isEqualTo(1);
        }
    }

    private static String url() {
        return ConfigProvider.getConfig().getValue("test.url", String.class);
    }
}
