package no.knutepunkt.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.embedded.LocalIssuer;
import no.knutepunkt.testing.HubProcess;
import no.knutepunkt.testing.MosquittoBroker;
import no.knutepunkt.testing.TestIdentities;

/**
 * Bulk onboarding at a large municipality's scale (README, "Benchmark"): the packaged hub, its own
 * PostgreSQL, broker and OIDC issuer, and one CSV file of {@code bench.patients} patients (default
 * 5,000) with one or two devices each, uploaded as the municipality's admin; then the same file
 * again, which must change nothing. Prints each upload's time, rows per second and the per-row
 * result counts. Not a test: run it with a main method, after {@code ./mvnw package -DskipTests}:
 *
 * <pre>
 * ./mvnw -B -Pfault-campaign verify -DskipTests -Dcampaign.main=no.knutepunkt.bench.BulkOnboardingBenchmark
 * </pre>
 */
public final class BulkOnboardingBenchmark {

    private static final int PATIENTS = Integer.getInteger("bench.patients", 5000);
    private static final String VENDOR = "nordic-telecare";
    private static final String MUNICIPALITY = "111111111";
    private static final String GP = "222222222";
    private static final String HOSPITAL = "333333333";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BulkOnboardingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        Path dir = Files.createDirectories(Path.of("target", "benchmark", "onboarding-" + run));
        try (MosquittoBroker broker = new MosquittoBroker(dir.resolve("broker"));
                EmbeddedPostgres postgres = EmbeddedPostgres.builder(dir.resolve("postgres")).port(0).database("knutepunkt")
                        .superuser("knutepunkt").build();
                LocalIssuer issuer = LocalIssuer.start(LocalIssuer.Settings.of(0, dir.resolve("issuer"), Path.of("deploy/seed/demo-users.json")))) {
            broker.start();
            postgres.start();
            HubProcess hub = new HubProcess(postgres.jdbcUrl(), postgres.user(), broker.url(), "bench-onboarding-" + run,
                    Map.of("HELSEID_URL", issuer.issuerUrl(LocalIssuer.Realm.HELSEID), "IDPORTEN_URL", issuer.issuerUrl(LocalIssuer.Realm.IDPORTEN),
                            "HELSEID_CLIENT_SECRET", issuer.clientSecret(LocalIssuer.WEB_CLIENT_ID),
                            "IDPORTEN_CLIENT_SECRET", issuer.clientSecret(LocalIssuer.WEB_CLIENT_ID)),
                    List.of("-Xmx1g"));
            try {
                hub.start();
                System.out.println("hub ready (log: " + hub.log() + ")");
                List<String> serials = pilot(postgres.jdbcUrl(), postgres.user());
                byte[] file = file(serials);
                String admin = issuer.sign(issuer.header(), issuer.claims("admin"));
                long rows = new String(file, StandardCharsets.UTF_8).lines().count() - 1;
                System.out.printf(Locale.ROOT, "file: %d patients, %d rows, %.2f MB%n", PATIENTS, rows, file.length / 1024.0 / 1024.0);
                upload("first upload", hub, admin, file, rows);
                upload("same file again", hub, admin, file, rows);
                try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "")) {
                    System.out.printf("registered: %d patients, %d enrollments, %d consents, %d device assignments, %d audit entries%n",
                            count(c, "patient"), count(c, "enrollment"), count(c, "consent"), count(c, "device_assignment"),
                            count(c, "audit_event"));
                }
            } finally {
                hub.stop();
            }
        }
    }

    private static void upload(String what, HubProcess hub, String token, byte[] file, long rows) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/api/registry/bulk-onboarding"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv; charset=UTF-8")
                .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofByteArray(file)).build();
        long started = System.nanoTime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - started) / 1e9;
        JsonNode body = JSON.readTree(r.body());
        JsonNode counts = body.path("counts");
        System.out.printf(Locale.ROOT, "%s: HTTP %d, outcome %s in %.2f s, %.0f rows/s (%.0f patients/s); rows created %d, unchanged %d, "
                + "refused %d%n", what, r.statusCode(), body.path("outcome").asText(), seconds, rows / seconds, PATIENTS / seconds,
                counts.path("created").asInt(), counts.path("unchanged").asInt(), counts.path("refused").asInt());
        if (counts.path("refused").asInt() > 0 || r.statusCode() != 200) {
            System.out.println("  first refused row: " + firstRefused(body));
        }
    }

    private static String firstRefused(JsonNode body) {
        for (JsonNode row : body.path("rows")) {
            if ("refused".equals(row.path("result").asText())) {
                return row.toString();
            }
        }
        return body.path("problem").asText();
    }

    /** The demo's organisations and vendor, and a device for every row of the file, registered straight in the database. */
    private static List<String> pilot(String jdbcUrl, String user) throws SQLException {
        List<String> serials = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, "")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO organisation (id, org_number, name, kind) VALUES (?, ?, ?, ?)")) {
                for (String[] o : List.of(new String[] { MUNICIPALITY, "Eksempelvik kommune", "municipality" },
                        new String[] { GP, "Eksempelvik legesenter", "gp-practice" }, new String[] { HOSPITAL, "Sykehuset Eksempelvik HF", "hospital" })) {
                    ps.setObject(1, UUID.randomUUID());
                    ps.setString(2, o[0]);
                    ps.setString(3, o[1]);
                    ps.setString(4, o[2]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vendor (id, name, format) VALUES (?, 'Nordic Telecare', 'canonical')")) {
                ps.setString(1, VENDOR);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device (fhir_id, vendor_id, serial) VALUES (?, ?, ?)")) {
                for (int p = 0; p < PATIENTS; p++) {
                    for (int d = 0; d < devicesOf(p); d++) {
                        String serial = String.format(Locale.ROOT, "BENCH-%05d-%d", p, d);
                        ps.setObject(1, UUID.randomUUID());
                        ps.setString(2, VENDOR);
                        ps.setString(3, serial);
                        ps.addBatch();
                        serials.add(serial);
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
        return serials;
    }

    /** Every second patient has two devices (a cuff and an oximeter, say), the others one. */
    private static int devicesOf(int patient) {
        return patient % 2 == 0 ? 2 : 1;
    }

    private static byte[] file(List<String> serials) {
        String start = LocalDate.now(ZoneId.of("Europe/Oslo")).minusDays(30).toString();
        String consent = LocalDate.now(ZoneId.of("Europe/Oslo")).minusDays(31).format(java.time.format.DateTimeFormatter.ofPattern("dd.MM.yyyy"));
        List<String> programmes = List.of("kols", "hjertesvikt", "hypertensjon", "diabetes");
        Set<String> numbers = new LinkedHashSet<>();
        while (numbers.size() < PATIENTS) {
            numbers.add(TestIdentities.syntheticFnr());
        }
        StringBuilder s = new StringBuilder("\uFEFFfodselsnummer;fornavn;etternavn;program;start;fastlege_orgnr;sykehus_orgnr;samtykke_gitt;"
                + "samtykke_av;representant;samtykke_dokument;leverandor;serienummer\r\n");
        int device = 0;
        int p = 0;
        for (String fnr : numbers) {
            String fields = fnr + ";Pasient;Nummer" + p + ";" + programmes.get(p % programmes.size()) + ";" + start + ";" + GP + ";"
                    + (p % 3 == 0 ? HOSPITAL : "") + ";" + consent + ";" + (p % 10 == 0 ? "representant;Pårørende Nummer" + p : "pasient;")
                    + ";Eksempelvik arkiv 2026/" + p;
            for (int d = 0; d < devicesOf(p); d++) {
                s.append(fields).append(';').append(VENDOR).append(';').append(serials.get(device++)).append("\r\n");
            }
            p++;
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long count(Connection c, String table) throws SQLException {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
