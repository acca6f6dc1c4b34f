package no.knutepunkt.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The bearer tokens provisioning calls the hub's registry API with, as the two people who would do
 * that work: the hub's operator (organisations, vendors, devices) and an admin of the pilot's
 * municipality (patients, enrollments, assignments). Given as they are (HUB_OPERATOR_TOKEN,
 * HUB_ADMIN_TOKEN), or fetched from the demo's local issuer, which gives its demo users' tokens to
 * anyone on the machine ({@link #fromDemoIssuer}).
 */
public record HubLogins(String operatorToken, String adminToken) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public HubLogins {
        if (operatorToken == null || operatorToken.isBlank() || adminToken == null || adminToken.isBlank()) {
            throw new IllegalArgumentException("provisioning needs an operator's and a municipality admin's token");
        }
    }

    /** Never the tokens themselves: they are bearer credentials. */
    @Override
    public String toString() {
        return "HubLogins[operator and admin tokens given]";
    }

    /** The demo users "operator" and "admin" of the local issuer at {@code issuer} (e.g. http://127.0.0.1:18081). */
    public static HubLogins fromDemoIssuer(URI issuer) throws IOException, InterruptedException {
        return new HubLogins(demoToken(issuer, "operator"), demoToken(issuer, "admin"));
    }

    private static String demoToken(URI issuer, String user) throws IOException, InterruptedException {
        String base = issuer.toString().replaceFirst("/$", "");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/demo/token?user=" + user))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("the demo issuer at " + base + " gave no token for '" + user + "': " + r.statusCode());
        }
        JsonNode token = JSON.readTree(r.body()).path("access_token");
        if (!token.isTextual()) {
            throw new IOException("the demo issuer at " + base + " answered without an access_token");
        }
        return token.asText();
    }
}
