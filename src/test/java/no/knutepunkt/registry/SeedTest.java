package no.knutepunkt.registry;

import no.knutepunkt.testing.TestIdentities;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.hasItems;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.DeviceRouting.Query;
import no.knutepunkt.registry.DeviceRouting.Route;
import no.knutepunkt.registry.DeviceRouting.Status;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Tokens;

/** The demo seed, loaded at start-up by {@link RegistryTestProfile}, and loading seeds again. */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(RegistryTestProfile.class)
class SeedTest {

    private static final List<String> TABLES = List.of("organisation", "patient", "vendor", "device", "enrollment",
            "enrollment_care_team", "device_assignment");

    @Inject
    Seed seed;

    @Inject
    DeviceRouting routing;

    @Inject
    DataSource db;

    @Inject
    AssignmentsChangedLog log;

    /** Seed files a test writes (JUnit's @TempDir does not reach a Quarkus test instance's fields). */
    Path dir;

    @BeforeEach
    void createDir() throws Exception {
        dir = Files.createTempDirectory("seed-test");
    }

    @AfterEach
    void deleteDir() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Test
    void theDemoPilotIsThereAfterStartUp() throws SQLException {
        // Organisations and vendors as the operator sees them; the patients as the responsible municipality's admin does.
        given().auth().oauth2(Tokens.operator()).get("/api/registry/organisations").then().statusCode(200)
                .body("orgNumber", hasItems("111111111", "222222222", "333333333", "444444444", "555555555", "666666666"));
        given().auth().oauth2(Tokens.operator()).get("/api/registry/vendors").then().statusCode(200)
                .body("format", hasItems("canonical", "acme-flat", "medgw"));
        given().auth().oauth2(Tokens.admin("111111111")).get("/api/registry/patients").then().statusCode(200)
                .body("identifier", hasItems("15854741532", "03855226811", "28823912430", "61888545785", "09924433148"));

        OffsetDateTime now = OffsetDateTime.parse("2026-11-22T08:15:00+01:00");
        try (Connection c = db.getConnection()) {
            List<Route> routes = routing.route(c, List.of(new Query("nordic-telecare", "NT-BP-000123", now),
                    new Query("acme-medical", "AC-SCALE-4411", now), new Query("medgw", "OX-99812", now),
                    new Query("medgw", "BP-1234", now), new Query("acme-medical", "AC-GLU-2208", now),
                    new Query("nordic-telecare", "NT-BP-000123", OffsetDateTime.parse("2025-08-31T23:59:59+02:00"))));
            assertThat(routes.subList(0, 5)).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(Status.ROUTED);
                assertThat(r.assignment().subject().organisationNumber()).isEqualTo("111111111");
            });
            assertThat(routes.get(0).assignment().subject().name()).isEqualTo("Ola Nordmann");
            assertThat(routes.get(0).assignment().subject().identifierSystem()).isEqualTo("fnr");
            assertThat(routes.get(2).assignment().subject().name()).isEqualTo("Kari Nordmann");
            assertThat(routes.get(4).assignment().subject().identifierSystem()).isEqualTo("dnr");
            assertThat(routes.get(4).device().glucoseHigh()).isEqualByComparingTo("27.8");
            assertThat(routes.get(5).status()).isEqualTo(Status.UNASSIGNED);
        }
    }

    @Test
    void loadingTheSameFileAgainChangesNothing() throws SQLException {
        Map<String, Long> before = counts();
        int announcements = log.about(new DeviceKey("nordic-telecare", "NT-BP-000123")).size();

        Seed.Loaded loaded = seed.load(Path.of(RegistryTestProfile.SEED));

        assertThat(loaded).isEqualTo(new Seed.Loaded(0, 0, 0, 0, 0, 0));
        assertThat(counts()).isEqualTo(before);
        assertThat(log.about(new DeviceKey("nordic-telecare", "NT-BP-000123"))).hasSize(announcements);
        assertThat(before.get("device_assignment")).isGreaterThanOrEqualTo(9);
    }

    @Test
    void aSeedThatGrewAddsOnlyWhatIsNew() throws Exception {
        String fnr = TestIdentities.syntheticFnr();
        String serial = "NT-BP-" + UUID.randomUUID().toString().substring(0, 6);
        Path file = dir.resolve("grown.json");
        Files.writeString(file, """
                {"organisations": [{"orgNumber": "111111111", "name": "Eksempelvik kommune, oppfølgingstjenesten", "kind": "municipality"}],
                 "patients": [{"identifier": "%s", "givenName": "Nils", "familyName": "Nyhus"}],
                 "devices": [{"vendorId": "nordic-telecare", "serial": "%s", "kinds": ["systolic", "diastolic"]}],
                 "enrollments": [{"patient": "%s", "programme": "hypertension", "responsible": "111111111",
                                  "careTeam": [{"orgNumber": "111111111", "role": "follow-up-service"}],
                                  "startedAt": "2026-02-01T09:00:00+01:00",
                                  "assignments": [{"vendorId": "nordic-telecare", "serial": "%s",
                                                   "validFrom": "2026-02-01T09:00:00+01:00"}]}]}
                """.formatted(fnr, serial, fnr, serial));

        assertThat(seed.load(file)).isEqualTo(new Seed.Loaded(0, 1, 0, 1, 1, 1));
        assertThat(log.about(new DeviceKey("nordic-telecare", serial))).isNotEmpty();
        Map<String, Long> after = counts();

        assertThat(seed.load(file)).isEqualTo(new Seed.Loaded(0, 0, 0, 0, 0, 0));
        assertThat(counts()).isEqualTo(after);
    }

    @Test
    void aBadSeedLoadsNothingAndDoesNotNameThePatient() throws Exception {
        String fnr = TestIdentities.syntheticFnr();
        String wrong = fnr.substring(0, 10) + (char) ('0' + (fnr.charAt(10) - '0' + 1) % 10);
        String orgNumber = TestIdentities.orgNumber();
        Path file = dir.resolve("bad.json");
        Files.writeString(file, """
                {"organisations": [{"orgNumber": "%s", "name": "Ny kommune", "kind": "municipality"}],
                 "patients": [{"identifier": "%s", "givenName": "Nils", "familyName": "Nyhus"}]}
                """.formatted(orgNumber, wrong));
        Map<String, Long> before = counts();

        assertThatThrownBy(() -> seed.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("patients[0].identifier").hasMessageContaining("check digits")
                .message().doesNotContain(wrong).doesNotContain(wrong.substring(0, 6));
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aTypoInASeedIsRefused() throws Exception {
        Path file = dir.resolve("typo.json");
        Files.writeString(file, """
                {"organisations": [{"orgNummer": "111111111", "name": "X", "kind": "municipality"}]}
                """);

        assertThatThrownBy(() -> seed.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("orgNummer");
    }

    private Map<String, Long> counts() throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }
}
