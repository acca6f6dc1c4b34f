package no.knutepunkt.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import no.knutepunkt.access.SwitchablePolicy;
import no.knutepunkt.access.SwitchablePolicy.Mode;
import no.knutepunkt.audit.AuditVerification;
import no.knutepunkt.registry.DeviceRouting;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;
import no.knutepunkt.testing.TestIdentities;
import no.knutepunkt.testing.Tokens;

/**
 * What the access policy and the audit log cost a FHIR read: the same requests, in the same hub
 * and run, with the policy on (care relations asked, an audit row committed before the answer),
 * deciding without the audit row, and off ({@link SwitchablePolicy}: everything granted, nothing
 * audited — test code only). The
 * token is verified and the caller mapped in both; its cost is measured apart, on the public
 * {@code /fhir/metadata} with and without a token. Prints figures and ratios, asserts none
 * (README, "Benchmark"):
 *
 * <pre>./mvnw -B -q test -Dtest=AccessCostBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.rounds=10 -Dbench.block=200 -Dbench.readings=2000 -Dbench.clients=4]</pre>
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestProfile(AccessCostBenchmark.PolicySwitch.class)
class AccessCostBenchmark {

    public static class PolicySwitch implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(SwitchablePolicy.class);
        }
    }

    static final int ROUNDS = Integer.getInteger("bench.rounds", 10);
    static final int BLOCK = Integer.getInteger("bench.block", 200);
    static final int READINGS = Integer.getInteger("bench.readings", 2000);
    static final int CLIENTS = Integer.getInteger("bench.clients", 4);
    static final int THROUGHPUT_SECONDS = Integer.getInteger("bench.throughput-seconds", 5);

    @TestHTTPResource("/")
    URL base;

    @Inject
    AuditVerification verification;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void policyOnAgainstOff() throws Exception {
        String municipality = TestIdentities.orgNumber();
        String hpr = "91" + (100000 + (int) (Math.random() * 800000));
        UUID patient;
        String identifier;
        try (Registry r = new Registry()) {
            UUID org = r.organisation(municipality, "Benkevik kommune", "municipality");
            String fnr = TestIdentities.syntheticFnr();
            patient = r.patient(fnr, "Berit", "Benk");
            UUID enrollment = r.enrollment(patient, org, OffsetDateTime.now(ZoneOffset.UTC).minusDays(60));
            r.careTeam(enrollment, org, "follow-up-service");
            r.vendor("bench-vendor", "canonical");
            String serial = "BENCH-" + UUID.randomUUID();
            long device = r.device("bench-vendor", serial);
            DeviceRouting.Subject subject = new DeviceRouting.Subject(patient, "fnr", fnr, "Berit Benk", municipality, "Benkevik kommune");
            OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).minusDays(30);
            UUID last = null;
            for (int i = 0; i < READINGS; i++) {
                last = r.pulse("bench-vendor", device, serial, enrollment, subject, 55 + i % 40, at.plusMinutes(20L * i));
            }
            identifier = r.text("SELECT identifier FROM reading WHERE id = ?", last);
        }
        String token = Tokens.clinician(municipality, hpr);

        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("Observation search (patient, 50 newest)", "fhir/Observation?patient=" + patient + "&_sort=-date&_count=50");
        queries.put("Observation/$lastn (patient)", "fhir/Observation/$lastn?patient=" + patient);
        queries.put("Observation search (identifier only)", "fhir/Observation?identifier=" + identifier);
        queries.put("Patient read", "fhir/Patient/" + patient);

        // The switch works: the full policy writes one audit row per request, the others none.
        long before = auditRows();
        for (Mode m : Mode.values()) {
            SwitchablePolicy.mode = m;
            get(queries.values().iterator().next(), token);
        }
        SwitchablePolicy.mode = Mode.FULL;
        assertThat(auditRows() - before).isEqualTo(1);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Access cost: %d readings of one patient; %d rounds × %d requests per query and mode, "
                + "the modes in turn; one client, then %d concurrent for %d s per mode. full = policy and audit row; check = the policy's "
                + "decision without the audit row; off = neither%n%n", READINGS, ROUNDS, BLOCK, CLIENTS, THROUGHPUT_SECONDS));
        out.append("| request | p50 full | p50 check | p50 off | p99 full | p99 off | p50 off÷full | req/s full (" + CLIENTS
                + " clients) | req/s off | req/s full÷off |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, String> q : queries.entrySet()) {
            warmUp(q.getValue(), token);
            Map<Mode, long[]> lat = latencies(q.getValue(), token);
            double tFull = throughput(q.getValue(), token, Mode.FULL);
            double tOff = throughput(q.getValue(), token, Mode.OFF);
            long[] full = lat.get(Mode.FULL);
            long[] off = lat.get(Mode.OFF);
            out.append(String.format(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f | %.0f | %.0f | %.2f |%n",
                    q.getKey(), ms(pct(full, 50)), ms(pct(lat.get(Mode.CHECK_ONLY), 50)), ms(pct(off, 50)), ms(pct(full, 99)),
                    ms(pct(off, 99)), (double) pct(off, 50) / pct(full, 50), tFull, tOff, tFull / tOff));
        }
        // Authentication alone: the public capability statement, with and without a token to verify and map.
        warmUp("fhir/metadata", token);
        warmUp("fhir/metadata", null);
        long[] withToken = sequential("fhir/metadata", token, ROUNDS * BLOCK);
        long[] without = sequential("fhir/metadata", null, ROUNDS * BLOCK);
        out.append(String.format(Locale.ROOT, "%nToken verified and caller mapped (GET /fhir/metadata): p50 %.2f ms with a token, %.2f ms "
                + "without (%.2f ms for the token); p99 %.2f / %.2f ms%n", ms(pct(withToken, 50)), ms(pct(without, 50)),
                ms(pct(withToken, 50) - pct(without, 50)), ms(pct(withToken, 99)), ms(pct(without, 99))));
        // The operator's verification walks the whole chain: what that costs per row.
        long v0 = System.nanoTime();
        AuditVerification.Result chain = verification.verify(null, null);
        double seconds = (System.nanoTime() - v0) / 1e9;
        out.append(String.format(Locale.ROOT, "Audit log verification: %d rows in %.2f s (%.0f rows/s), intact %s%n", chain.rows(), seconds,
                chain.rows() / seconds, chain.intact()));
        System.out.println(out);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "access-benchmark.md"), out);
    }

    /** Latencies in ns per mode, measured in blocks that take the modes in turn (rotating), so that drift of the machine hits all alike. */
    Map<Mode, long[]> latencies(String path, String token) throws Exception {
        Map<Mode, List<Long>> ns = new EnumMap<>(Mode.class);
        Mode[] modes = Mode.values();
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < modes.length; i++) {
                Mode m = modes[(round + i) % modes.length];
                SwitchablePolicy.mode = m;
                try {
                    for (long t : sequential(path, token, BLOCK)) {
                        ns.computeIfAbsent(m, k -> new ArrayList<>()).add(t);
                    }
                } finally {
                    SwitchablePolicy.mode = Mode.FULL;
                }
            }
        }
        Map<Mode, long[]> out = new EnumMap<>(Mode.class);
        ns.forEach((m, l) -> out.put(m, l.stream().mapToLong(Long::longValue).toArray()));
        return out;
    }

    long[] sequential(String path, String token, int n) throws Exception {
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            get(path, token);
            ns[i] = System.nanoTime() - t0;
        }
        return ns;
    }

    double throughput(String path, String token, Mode mode) throws Exception {
        SwitchablePolicy.mode = mode;
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            AtomicLong done = new AtomicLong();
            long end = System.nanoTime() + THROUGHPUT_SECONDS * 1_000_000_000L;
            List<Future<?>> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        get(path, token);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
            return done.get() / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdown();
            SwitchablePolicy.mode = Mode.FULL;
        }
    }

    void warmUp(String path, String token) throws Exception {
        for (Mode m : Mode.values()) {
            SwitchablePolicy.mode = m;
            try {
                sequential(path, token, 500);
            } finally {
                SwitchablePolicy.mode = Mode.FULL;
            }
        }
    }

    void get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/fhir+json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode());
        }
    }

    static long auditRows() throws SQLException {
        try (Registry r = new Registry()) {
            return r.count("SELECT count(*) FROM audit_event");
        }
    }

    static long pct(long[] ns, int p) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static double ms(long ns) {
        return ns / 1e6;
    }
}
