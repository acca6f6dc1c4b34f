package no.knutepunkt.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import no.knutepunkt.testing.Browser;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;

/**
 * The municipality admin's pages in a real browser, signed in as the demo's Aslak Admin of
 * Eksempelvik: enrolling a patient with care team and consent, assigning a device, swapping it,
 * pausing and resuming follow-up; uploading a CSV file and reading every row's result; and a name
 * that is markup, shown as the text it is.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(DemoPilotProfile.class)
class AdminPagesTest {

    private static final String VENDOR = "nordic-telecare";
    private static final String SCRIPT = "<script>alert('x')</script>";
    private static final String GP = "Eksempelvik legesenter (222222222)";
    private static final String HOSPITAL = "Sykehuset Eksempelvik HF (333333333)";

    private static String first;
    private static String replacement;
    private static String forCsv;

    @BeforeAll
    static void devices() {
        first = device();
        replacement = device();
        forCsv = device();
    }

    @Test
    void theAdminEnrollsAPatientAssignsADeviceSwapsItPausesAndResumes() throws Exception {
        String fnr = TestIdentities.syntheticFnr();
        try (Browser b = Browser.open(url())) {
            b.signIn("admin", false);
            assertThat(b.driver().getCurrentUrl()).endsWith("/app/kommune");
            b.screenshot("admin-enrollments");

            enroll(b, fnr, "Astrid", "Sideby", "heart-failure");
            b.screenshot("admin-enroll-form");
            b.click(By.cssSelector("[data-testid=enroll-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Pasienten er innrullert.");
            assertThat(b.text(By.cssSelector("[data-testid=patient-name]"))).isEqualTo("Astrid Sideby");
            assertThat(b.text(By.cssSelector("[data-testid=status]"))).isEqualTo("Aktiv");
            assertThat(b.text(By.cssSelector("[data-testid=care-team]"))).contains("Eksempelvik legesenter – Fastlege",
                    "Sykehuset Eksempelvik HF – Sykehus", "Oppfølgingstjeneste");
            assertThat(b.text(By.cssSelector("[data-testid=consents]"))).contains("Digital hjemmeoppfølging", "Skriftlig",
                    "Eksempelvik kommune, sak 2026/0201");

            new Select(b.await(By.id("leverandor"))).selectByValue(VENDOR);
            b.type(By.id("serienummer"), first);
            b.click(By.cssSelector("[data-testid=assign-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Måleren er tildelt.");
            assertThat(b.text(By.cssSelector("[data-testid=assignments]"))).contains(first, "Løpende");

            b.type(By.cssSelector("[data-testid=swap-form] input[name=serienummer]"), replacement);
            b.screenshot("admin-swap");
            b.click(By.cssSelector("[data-testid=swap-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Måleren er byttet.");
            List<WebElement> rows = b.driver().findElements(By.cssSelector("[data-testid=assignment-row]"));
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).getText()).contains(first).doesNotContain("Løpende");
            assertThat(rows.get(1).getText()).contains(replacement, "Løpende");

            new Select(b.await(By.id("arsak"))).selectByValue("hospital-admission");
            b.type(By.id("merknad"), "Innlagt");
            b.click(By.cssSelector("[data-testid=pause-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).startsWith("Oppfølgingen er satt på pause.");
            assertThat(b.text(By.cssSelector("[data-testid=status]"))).isEqualTo("Pause");
            assertThat(b.text(By.cssSelector("[data-testid=pauses]"))).contains("Sykehusinnleggelse", "Innlagt", "Pågår");
            b.screenshot("admin-paused");

            b.click(By.cssSelector("[data-testid=resume-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Oppfølgingen er gjenopptatt.");
            assertThat(b.text(By.cssSelector("[data-testid=status]"))).isEqualTo("Aktiv");
            b.screenshot("admin-enrollment");

            b.go("/app/kommune");
            assertThat(b.text(By.cssSelector("[data-testid=enrollments]"))).contains("Astrid Sideby", "Hjertesvikt",
                    VENDOR + "/" + replacement);
        }
        // The pages' changes are the API's: audited the same way, the page named as where they came from.
        try (Registry db = new Registry()) {
            UUID patient = UUID.fromString(db.text("SELECT id::text FROM patient WHERE identifier = ?", fnr));
            assertThat(db.text("SELECT string_agg(action, ',' ORDER BY seq) FROM audit_event WHERE patient_id = ? AND outcome = 'allowed' "
                    + "AND action <> 'read' AND action <> 'search'", patient)).isEqualTo("create,assign,swap-device,pause,resume");
            assertThat(db.count("SELECT count(*) FROM audit_event WHERE patient_id = ? AND action = 'create' "
                    + "AND entry_point = 'POST /app/kommune/ny' AND person_name = 'Aslak Admin'", patient)).isEqualTo(1);
        }
    }

    @Test
    void theAdminRecordsAndWithdrawsAConsentUnassignsAndEndsFollowUpAndIsToldWhatTheRegistryRefuses() {
        String fnr = TestIdentities.syntheticFnr();
        String serial = device();
        try (Browser b = Browser.open(url())) {
            b.signIn("admin", false);
            enroll(b, fnr, "Berit", "Slutt", "diabetes");
            b.click(By.cssSelector("[data-testid=enroll-form] button[type=submit]"));

            // A refusal is the page again with the registry's reason, never a stack trace.
            b.type(By.id("serienummer"), "NOT-REGISTERED-" + UUID.randomUUID());
            b.click(By.cssSelector("[data-testid=assign-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=problem]"))).isEqualTo("no such device is registered");
            assertThat(b.text(By.cssSelector("[data-testid=patient-name]"))).isEqualTo("Berit Slutt");
            b.screenshot("admin-refused-action");

            new Select(b.await(By.id("leverandor"))).selectByValue(VENDOR);
            b.type(By.id("serienummer"), serial);
            b.click(By.cssSelector("[data-testid=assign-form] button[type=submit]"));
            b.click(By.cssSelector("[data-testid=unassign-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Tildelingen av måleren er avsluttet.");
            assertThat(b.text(By.cssSelector("[data-testid=assignments]"))).doesNotContain("Løpende");

            new Select(b.await(By.id("omfang"))).selectByValue("record-sharing");
            b.click(By.id("nytt-samtykke-representant"));
            b.type(By.id("nytt-representant"), "Bjarne Slutt");
            b.type(By.id("nytt-samtykke-dokument"), "Sak 2026/0401");
            b.click(By.cssSelector("[data-testid=consent-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Samtykket er registrert.");
            assertThat(b.driver().findElements(By.cssSelector("[data-testid=consent-row]"))).hasSize(2);
            assertThat(b.text(By.cssSelector("[data-testid=consents]"))).contains("Representant (Bjarne Slutt)", "Sak 2026/0401");

            b.driver().findElements(By.cssSelector("[data-testid=withdraw-form] button[type=submit]")).get(1).click();
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Samtykket er trukket tilbake.");
            assertThat(b.text(By.cssSelector("[data-testid=consents]"))).contains("Trukket tilbake");

            b.click(By.cssSelector("[data-testid=end-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Oppfølgingen er avsluttet.");
            assertThat(b.text(By.cssSelector("[data-testid=status]"))).isEqualTo("Avsluttet");
            assertThat(b.driver().findElements(By.cssSelector("[data-testid=assign-form]"))).isEmpty();
            b.screenshot("admin-ended");
        }
    }

    @Test
    void theAdminUploadsACsvFileAndSeesEveryRowsResult() throws Exception {
        String kari = TestIdentities.syntheticFnr();
        String per = TestIdentities.syntheticFnr();
        String header = "fodselsnummer;fornavn;etternavn;program;start;fastlege_orgnr;sykehus_orgnr;samtykke_gitt;samtykke_av;"
                + "representant;samtykke_dokument;leverandor;serienummer";
        String day = LocalDate.now(ZoneId.of("Europe/Oslo")).minusDays(2).toString();
        String good = kari + ";Kari;Import;kols;" + day + ";222222222;333333333;" + day + ";pasient;;Sak 2026/0301;" + VENDOR + ";" + forCsv;
        String bad = per + ";Per;Import;astma;" + day + ";222222222;;" + day + ";pasient;;Sak 2026/0302;;";
        String fixed = bad.replace(";astma;", ";diabetes;");
        Path refusedFile = file(header, good, bad);
        Path goodFile = file(header, good, fixed);
        try (Browser b = Browser.open(url())) {
            b.signIn("admin", false);
            b.go("/app/kommune/import");
            upload(b, refusedFile);
            assertThat(b.text(By.cssSelector("[data-testid=problem]"))).isEqualTo("1 av 2 rader er avvist. Ingenting er lagret.");
            assertThat(b.text(By.cssSelector("[data-testid=outcome]"))).contains("Ingenting i filen er lagret");
            WebElement refused = b.await(By.cssSelector("[data-testid=row-refused]"));
            assertThat(refused.getAttribute("class")).isEqualTo("row-refused");
            assertThat(refused.getText()).contains("3", "Per Import", "Avvist", "unknown programme \"astma\"");
            assertThat(b.text(By.cssSelector("[data-testid=row-created]"))).contains("2", "Kari Import", "Ville blitt opprettet");
            b.screenshot("admin-import-refused");

            upload(b, goodFile);
            assertThat(b.text(By.cssSelector("[data-testid=outcome]"))).isEqualTo("Filen er lagret: 2 rader med noe nytt, 0 rader var registrert fra før.");
            assertThat(b.driver().findElements(By.cssSelector("[data-testid=row-created]"))).hasSize(2);
            assertThat(b.text(By.cssSelector("[data-testid=rows]"))).contains("Opprettet: pasient, innrullering, samtykke, tildeling av måler");
            b.screenshot("admin-import-written");

            upload(b, goodFile);
            assertThat(b.text(By.cssSelector("[data-testid=outcome]"))).isEqualTo("Alt i filen var registrert fra før. Ingenting er endret.");
            assertThat(b.driver().findElements(By.cssSelector("[data-testid=row-unchanged]"))).hasSize(2);
            b.screenshot("admin-import-unchanged");
        }
    }

    @Test
    void aPatientNamedWithMarkupIsShownAsInertText() throws Exception {
        String fnr = TestIdentities.syntheticFnr();
        try (Browser b = Browser.open(url())) {
            b.signIn("admin", false);
            enroll(b, fnr, SCRIPT, "Skriptesen", "copd");
            b.click(By.cssSelector("[data-testid=enroll-form] button[type=submit]"));
            assertThat(b.text(By.cssSelector("[data-testid=notice]"))).isEqualTo("Pasienten er innrullert.");
            inert(b, SCRIPT + " Skriptesen");
            b.screenshot("admin-markup-name-enrollment");

            b.go("/app/kommune");
            inert(b, SCRIPT + " Skriptesen");
            b.screenshot("admin-markup-name-list");

            // The upload page echoes a file's names in its results: as text too.
            String day = LocalDate.now(ZoneId.of("Europe/Oslo")).minusDays(1).toString();
            b.go("/app/kommune/import");
            upload(b, file("fodselsnummer;fornavn;etternavn;program;start;fastlege_orgnr;sykehus_orgnr;samtykke_gitt;samtykke_av;"
                    + "representant;samtykke_dokument;leverandor;serienummer",
                    TestIdentities.syntheticFnr() + ";\"" + SCRIPT + "\";<img src=x onerror=alert(1)>;astma;" + day + ";;;" + day
                            + ";pasient;;Sak;;"));
            inert(b, SCRIPT + " <img src=x onerror=alert(1)>");
            assertThat(b.driver().findElements(By.cssSelector("main img"))).isEmpty();
            b.screenshot("admin-markup-name-import");
        }
    }

    /** The page shows the text as text: no alert came up, and the page has no script element at all (it never has one). */
    private static void inert(Browser b, String text) {
        assertThat(b.text(By.id("main"))).contains(text);
        assertThatThrownBy(() -> b.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(b.driver().findElements(By.tagName("script"))).isEmpty();
        Object scripts = ((JavascriptExecutor) b.driver()).executeScript("return document.scripts.length;");
        assertThat(((Number) scripts).intValue()).isZero();
        assertThat(b.driver().getPageSource()).doesNotContain(SCRIPT);
    }

    private static void enroll(Browser b, String fnr, String given, String family, String programme) {
        b.go("/app/kommune");
        b.click(By.cssSelector("[data-testid=enroll-link]"));
        b.type(By.id("fodselsnummer"), fnr);
        b.type(By.id("fornavn"), given);
        b.type(By.id("etternavn"), family);
        new Select(b.await(By.id("program"))).selectByValue(programme);
        new Select(b.await(By.id("fastlege"))).selectByVisibleText(GP);
        new Select(b.await(By.id("sykehus"))).selectByVisibleText(HOSPITAL);
        b.type(By.id("samtykke_dokument"), "Eksempelvik kommune, sak 2026/0201");
    }

    private static void upload(Browser b, Path file) {
        b.await(By.id("fil")).sendKeys(file.toAbsolutePath().toString());
        b.click(By.cssSelector("[data-testid=import-form] button[type=submit]"));
        b.await(By.cssSelector("[data-testid=import-result]"));
    }

    private static Path file(String... lines) throws Exception {
        Path f = Files.createTempFile("pasienter-", ".csv");
        f.toFile().deleteOnExit();
        Files.writeString(f, String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
        return f;
    }

    private static String device() {
        String serial = "PAGE-" + UUID.randomUUID().toString().substring(0, 10);
        Pilot.device(VENDOR, serial);
        return serial;
    }

    private static String url() {
        return ConfigProvider.getConfig().getValue("test.url", String.class);
    }
}
