package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.MosquittoBroker;
import no.knutepunkt.testing.ProcessIssuer;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.VendorClient;

/**
 * The README's worked example, as a vendor would do it: the packaged hub, unchanged, reads a new
 * format once its mapping file is in the routes folder and a vendor is registered with it.
 */
class NewVendorWithoutRebuildIT {

    /** @param token the caller who may do it: the operator, or the responsible municipality's admin */
    private static String post(HttpClient http, String token, String url, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s -> %s", url, r.body()).isEqualTo(201);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("id").asText();
    }

    @Test
    void aMappingFileAndARegistrationAreAllANewFormatNeeds() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "new-vendor-" + System.currentTimeMillis()));
        Path routes = dir.resolve("camel-routes");
        Files.createDirectories(routes.resolve("vendors"));
        try (Stream<Path> files = Files.walk(Path.of("camel-routes"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = routes.resolve(Path.of("camel-routes").relativize(f));
                Files.createDirectories(target.getParent());
                Files.copy(f, target);
            }
        }
        Files.copy(Path.of("deploy/examples/vitaltrack.yaml"), routes.resolve("vendors/vitaltrack.yaml"), StandardCopyOption.REPLACE_EXISTING);

        try (MosquittoBroker broker = new MosquittoBroker(dir.resolve("broker"));
                EmbeddedPostgres db = EmbeddedPostgres.builder(dir.resolve("postgres")).port(0).database("knutepunkt").superuser("knutepunkt")
                        .build()) {
            broker.start();
            db.start();
            try (HubProcess hub = new HubProcess(db.jdbcUrl(), db.user(), broker.url(), "new-vendor-hub",
                    Map.of("ROUTES_DIR", routes.toString(), "MQTT_CONSUMERS", "1"), List.of("-Xmx384m")).start();
                    VendorClient vendor = new VendorClient(broker.url())) {
                HttpClient http = HttpClient.newHttpClient();
                String api = hub.url() + "/api/registry";
                String operator = HubProcess.token("operator");
                String orgNumber = TestIdentities.orgNumber();
                String admin = ProcessIssuer.adminToken(orgNumber);
                post(http, operator, api + "/vendors", "{\"id\": \"vitaltrack\", \"name\": \"VitalTrack AS\", \"format\": \"vitaltrack\"}");
                String org = post(http, operator, api + "/organisations",
                        "{\"orgNumber\": \"" + orgNumber + "\", \"name\": \"Nyvik kommune\", \"kind\": \"municipality\"}");
                String patient = post(http, admin, api + "/patients",
                        "{\"identifier\": \"" + TestIdentities.syntheticFnr() + "\", \"givenName\": \"Nora\", \"familyName\": \"Ny\"}");
                String from = OffsetDateTime.now(ZoneOffset.UTC).minusDays(1).truncatedTo(ChronoUnit.SECONDS).toString();
                String enrollment = post(http, admin, api + "/enrollments", "{\"patientId\": \"" + patient + "\", \"programme\": \"heart-failure\", "
                        + "\"responsibleOrganisationId\": \"" + org + "\", \"startedAt\": \"" + from + "\", \"careTeam\": [{\"organisationId\": \""
                        + org + "\", \"role\": \"follow-up-service\"}], \"consent\": {\"scope\": \"home-follow-up\", \"givenBy\": \"patient\", "
                        + "\"form\": \"written\", \"givenAt\": \"" + from + "\", \"documentReference\": \"Nyvik arkiv 2026/1\"}}");
                post(http, operator, api + "/devices", "{\"vendorId\": \"vitaltrack\", \"serial\": \"VT-8812\", \"kinds\": [\"systolic\", \"diastolic\", \"pulse\", \"weight\"]}");
                post(http, admin, api + "/enrollments/" + enrollment + "/assignments",
                        "{\"vendorId\": \"vitaltrack\", \"serial\": \"VT-8812\", \"validFrom\": \"" + from + "\"}");

                String at = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(2).truncatedTo(ChronoUnit.SECONDS).toString();
                vendor.publish("vitaltrack", "VT-8812", """
                        {"session": "VT-8812-0042", "unit": "VT-8812", "at": "%s", "bp": {"sys": 132, "dia": 84}, "hr": 71, "weightLb": 176.4}"""
                        .formatted(at));
                assertThat(vendor.awaitReceipt("VT-8812-0042").get("status").asText()).isEqualTo("accepted");
                try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "")) {
                    var rs = c.createStatement().executeQuery(
                            "SELECT identifier, observation FROM reading WHERE vendor_id = 'vitaltrack' ORDER BY identifier");
                    List<String> ids = new java.util.ArrayList<>();
                    String weight = null;
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                        if (rs.getString(1).endsWith("#weight")) {
                            weight = rs.getString(2);
                        }
                    }
                    assertThat(ids).containsExactly("VT-8812-0042#bp", "VT-8812-0042#pulse", "VT-8812-0042#weight");
                    // 176.4 lb = 80.0 kg: the shared unit conversion applies to the new format too.
                    assertThat(weight).contains("\"value\":80.0").contains("\"code\":\"kg\"")
                            .contains("https://knutepunkt.no/fhir/vendor/vitaltrack/message");
                }
            }
        }
    }
}
