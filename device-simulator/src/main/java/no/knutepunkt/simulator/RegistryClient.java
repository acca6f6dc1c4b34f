package no.knutepunkt.simulator;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * The hub's registry API (/api/registry), as a pilot municipality's onboarding tool calls it: JSON
 * over HTTP, each request with the bearer token of the caller who may make it.
 */
final class RegistryClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, JsonNode body) {

        boolean created() {
            return status == 201;
        }

        /** 409: registered already (or, for an assignment, in the way of another). */
        boolean conflict() {
            return status == 409;
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    RegistryClient(URI hub) {
        String s = hub.toString();
        this.base = URI.create((s.endsWith("/") ? s : s + "/") + "api/registry/");
    }

    Answer post(String token, String path, Object body) throws IOException, InterruptedException {
        HttpRequest request = as(token, HttpRequest.newBuilder(base.resolve(path))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        return send(request);
    }

    JsonNode get(String token, String path) throws IOException, InterruptedException {
        Answer a = send(as(token, HttpRequest.newBuilder(base.resolve(path))).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json").GET().build());
        if (a.status() != 200) {
            throw new IOException("GET " + base.resolve(path) + ": " + a.status() + " " + a.body());
        }
        return a.body();
    }

    private static HttpRequest.Builder as(String token, HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + token);
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try {
            body = r.body().length == 0 ? MissingNode.getInstance() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = MissingNode.getInstance();
        }
        return new Answer(r.statusCode(), body);
    }

    URI base() {
        return base;
    }
}
