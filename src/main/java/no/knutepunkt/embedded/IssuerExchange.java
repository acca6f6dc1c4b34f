package no.knutepunkt.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/**
 * One request to the local issuer and its answer: OAuth parameters in, JSON, HTML or a redirect
 * out, with the headers every answer of an authorization server should carry (never cached, never
 * sniffed, no Referer leaking codes or state onwards).
 */
final class IssuerExchange {

    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String FORM = "application/x-www-form-urlencoded";
    /** A name safe to repeat in an error message: RFC 6749 wants those in plain ASCII. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_]{1,40}");

    /**
     * Request parameters, each at most once (RFC 6749 §3.1: a repeated parameter is an invalid request).
     *
     * @param problem why the parameters cannot be used, or null
     */
    record Params(Map<String, String> values, String problem) {

        String get(String name) {
            return values.get(name);
        }
    }

    /** From an HTTP Basic header; both empty when the header could not be decoded, which no client matches. */
    record Credentials(String clientId, String secret) {
    }

    private final HttpExchange exchange;

    IssuerExchange(HttpExchange exchange) {
        this.exchange = exchange;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getRawPath();
    }

    Params query() {
        return parse(exchange.getRequestURI().getRawQuery());
    }

    /** The form body of a POST; the problem says so when it is not a form or too large. */
    Params form() throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(FORM)) {
            return new Params(Map.of(), "the body must be " + FORM);
        }
        try (InputStream body = exchange.getRequestBody()) {
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                return new Params(Map.of(), "the body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return parse(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** GET parameters, or the form of a POST. */
    Params params() throws IOException {
        return method().equals("POST") ? form() : query();
    }

    /** RFC 6749 §2.3.1: Basic credentials whose parts are each form-url-encoded. */
    Optional<Credentials> basicCredentials() {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.of(new Credentials("", ""));
            }
            return Optional.of(new Credentials(URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            return Optional.of(new Credentials("", ""));
        }
    }

    IssuerExchange header(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
        return this;
    }

    void json(int status, Object body) throws IOException {
        send(status, "application/json", IssuerJson.write(body));
    }

    /**
     * An HTML page that runs no script, loads nothing and cannot be framed.
     *
     * @param contentSecurityPolicy the page's policy; {@link IssuerPages} knows what each page needs
     */
    void text(int status, String body) throws IOException {
        send(status, "text/plain; charset=utf-8", body);
    }

    void html(int status, String page, String contentSecurityPolicy) throws IOException {
        header("Content-Security-Policy", contentSecurityPolicy);
        header("X-Frame-Options", "DENY");
        send(status, "text/html; charset=utf-8", page);
    }

    /** 303 See Other: the browser follows with a GET, whether this answered a GET or the chooser's POST. */
    void redirect(String location) throws IOException {
        header("Location", location);
        common();
        exchange.sendResponseHeaders(303, -1);
    }

    void methodNotAllowed(String allowed) throws IOException {
        header("Allow", allowed);
        json(405, Map.of("error", "invalid_request", "error_description", "use " + allowed));
    }

    private void send(int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        header("Content-Type", contentType);
        common();
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void common() {
        header("Cache-Control", "no-store");
        header("Pragma", "no-cache");
        header("X-Content-Type-Options", "nosniff");
        header("Referrer-Policy", "no-referrer");
    }

    private static Params parse(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return new Params(Collections.unmodifiableMap(values), null);
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return new Params(Map.of(), "a parameter is not properly percent-encoded");
            }
            if (value.isEmpty()) {
                // RFC 6749 §3.1: a parameter without a value counts as omitted.
                continue;
            }
            if (values.putIfAbsent(name, value) != null) {
                return new Params(Map.of(), "parameter " + (PLAIN_NAME.matcher(name).matches() ? name : "(unnamed)")
                        + " is given more than once");
            }
        }
        return new Params(Collections.unmodifiableMap(values), null);
    }
}
