package no.knutepunkt.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import no.knutepunkt.embedded.LoginRoles;

/**
 * The packaged hub (target/quarkus-app) as an operating-system process, for what a @QuarkusTest
 * cannot do: kill -9 it under load, restart it, run two instances side by side, benchmark it.
 */
public final class HubProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** This instance's own count of committed readings by outcome (Micrometer counter knutepunkt.ingest.readings). */
    private static final Pattern INSTANCE_READINGS = Pattern.compile("^knutepunkt_ingest_readings_total\\{[^}]*outcome=\"([^\"]+)\"[^}]*\\}\\s+(\\S+)",
            Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> env;
    private final String jdbcUrl;
    private final String owner;
    private final List<String> jvmArgs;
    private final int port;
    private final Path log;
    private Process process;

    /**
     * @param dbUser the schema's owner (it migrates, and creates the hub's own role {@value TestServers#HUB_ROLE}
     *        if missing, which the hub then connects as)
     * @param clientId stable across restarts: the broker keeps the consumers' sessions under it
     */
    public HubProcess(String jdbcUrl, String dbUser, String mqttUrl, String clientId, Map<String, String> extraEnv, List<String> jvmArgs)
            throws IOException {
        this(jdbcUrl, dbUser, mqttUrl, clientId, extraEnv, jvmArgs, Files.createTempFile("hub-" + clientId + "-", ".log"));
    }

    /** @param log the file its output is appended to, across restarts */
    public HubProcess(String jdbcUrl, String dbUser, String mqttUrl, String clientId, Map<String, String> extraEnv, List<String> jvmArgs,
            Path log) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException("build the hub first: ./mvnw package -DskipTests");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Connection admin = DriverManager.getConnection(jdbcUrl, dbUser, "")) {
            LoginRoles.ensure(admin, TestServers.HUB_ROLE);
        } catch (SQLException e) {
            throw new IOException("cannot create the hub's database role at " + jdbcUrl, e);
        }
        env = new HashMap<>(Map.of("EMBEDDED", "false", "DB_URL", jdbcUrl, "DB_OWNER_USER", dbUser, "DB_USER", TestServers.HUB_ROLE,
                "MQTT_URL", mqttUrl, "MQTT_CLIENT_ID", clientId, "MQTT_SHARE_GROUP", "knutepunkt", "HTTP_PORT", Integer.toString(port),
                "SYNTHETIC_IDENTITIES", "true"));
        env.putAll(ProcessIssuer.environment());
        this.jdbcUrl = jdbcUrl;
        this.owner = dbUser;
        env.putAll(extraEnv);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.log = log;
    }

    /** Starts the hub and waits until it reports ready. */
    public HubProcess start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        awaitReady(Duration.ofSeconds(120));
        // Migrated by now: the operator whose token reads /status can be registered.
        ProcessIssuer.registerOperator(jdbcUrl, owner);
        return this;
    }

    private void awaitReady(Duration max) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the hub exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the hub did not become ready within " + max + "; see " + log);
    }

    /** kill -9: no shutdown hook, no flush, no goodbye to the broker. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** A polite stop (SIGTERM): Quarkus shuts down gracefully. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A bearer token of a demo user of the issuer this hub trusts, e.g. "operator" (see {@link ProcessIssuer}). */
    public static String token(String userKey) {
        return ProcessIssuer.get().token(userKey);
    }

    public Path log() {
        return log;
    }

    /** GET /status: the counts over every instance (received = stored + duplicate + parked + dead-lettered). */
    public JsonNode status() throws IOException, InterruptedException {
        return JSON.readTree(get("/status"));
    }

    /** GET /status/reconciliation: the counts against the rows they count. */
    public JsonNode reconciliation() throws IOException, InterruptedException {
        return JSON.readTree(get("/status/reconciliation"));
    }

    /**
     * This instance's own committed readings by outcome (accepted, duplicate, parked, rejected), from
     * its Prometheus metrics: counted in this process since it started, unlike /status.
     */
    public Map<String, Long> ownReadings() throws IOException, InterruptedException {
        Map<String, Long> byOutcome = new TreeMap<>();
        Matcher m = INSTANCE_READINGS.matcher(get("/q/metrics"));
        while (m.find()) {
            byOutcome.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
        }
        return byOutcome;
    }

    /** As the operator, signed in at the issuer the hub trusts ({@link ProcessIssuer}); /q/metrics needs no one. */
    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ProcessIssuer.operatorToken()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
