package no.knutepunkt.embedded;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import no.knutepunkt.embedded.AuthorizationCodes.Grant;
import no.knutepunkt.embedded.DemoUsers.DemoUser;
import no.knutepunkt.embedded.IssuerExchange.Params;
import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * {@code /{realm}/authorize}: the code flow's login, with a chooser of the realm's demo users in
 * place of HelseID's or ID-porten's login. GET shows the chooser; its POST issues a one-time code
 * and sends the browser back to the client (303). The POST checks the whole request again, since
 * what comes back in hidden fields is what the browser says, not what we sent.
 * <p>
 * Every bad request gets a 400 page rather than an error redirect (RFC 6749 would allow one once
 * the redirect URI is known good): the demo's developer sees what was wrong at once, and a URI
 * that is not allowed is never redirected to.
 */
final class AuthorizeEndpoint {

    /** RFC 7636: an S256 challenge is the base64url SHA-256 of the verifier, 43 characters. */
    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final int MAX_VALUE_LENGTH = 1024;

    private record Request(String clientId, String redirectUri, String redirectOrigin, String scope, String state,
            String nonce, String codeChallenge) {

        /** The parameters as the chooser's form sends them back. */
        Map<String, String> hidden() {
            Map<String, String> hidden = new LinkedHashMap<>();
            hidden.put("client_id", clientId);
            hidden.put("response_type", "code");
            hidden.put("redirect_uri", redirectUri);
            hidden.put("scope", scope);
            hidden.put("state", state);
            if (nonce != null) {
                hidden.put("nonce", nonce);
            }
            if (codeChallenge != null) {
                hidden.put("code_challenge", codeChallenge);
                hidden.put("code_challenge_method", "S256");
            }
            return hidden;
        }
    }

    /** Either a request to act on or, in Norwegian, why not. */
    private record Checked(Request request, String problem) {
    }

    private final DemoUsers users;
    private final LoopbackRedirects redirects;
    private final AuthorizationCodes codes;
    private final Clock clock;

    AuthorizeEndpoint(DemoUsers users, LoopbackRedirects redirects, AuthorizationCodes codes, Clock clock) {
        this.users = users;
        this.redirects = redirects;
        this.codes = codes;
        this.clock = clock;
    }

    void handle(Realm realm, IssuerExchange exchange) throws IOException {
        switch (exchange.method()) {
        case "GET" -> show(realm, exchange);
        case "POST" -> choose(realm, exchange);
        default -> exchange.methodNotAllowed("GET, POST");
        }
    }

    private void show(Realm realm, IssuerExchange exchange) throws IOException {
        Checked checked = check(exchange.query());
        if (checked.problem() != null) {
            exchange.html(400, IssuerPages.error(checked.problem()), IssuerPages.plainPolicy());
            return;
        }
        Request request = checked.request();
        exchange.html(200, IssuerPages.chooser(realm, users.people(realm), request.hidden()),
                IssuerPages.chooserPolicy(request.redirectOrigin()));
    }

    private void choose(Realm realm, IssuerExchange exchange) throws IOException {
        Params form = exchange.form();
        Checked checked = check(form);
        if (checked.problem() != null) {
            exchange.html(400, IssuerPages.error(checked.problem()), IssuerPages.plainPolicy());
            return;
        }
        Optional<DemoUser> person = users.byKey(form.get("user")).filter(u -> !u.isClient() && u.realm() == realm);
        if (person.isEmpty()) {
            exchange.html(400, IssuerPages.error("Velg en av demobrukerne på listen."), IssuerPages.plainPolicy());
            return;
        }
        Request request = checked.request();
        String code = codes.issue(new Grant(realm, request.clientId(), request.redirectUri(), person.get().key(),
                request.nonce(), request.codeChallenge(), clock.instant()));
        exchange.redirect(request.redirectUri() + (request.redirectUri().contains("?") ? "&" : "?")
                + "code=" + encode(code) + "&state=" + encode(request.state()));
    }

    private Checked check(Params params) {
        if (params.problem() != null) {
            return problem("Forespørselen kan ikke leses: " + params.problem() + ".");
        }
        if (!LocalIssuer.WEB_CLIENT_ID.equals(params.get("client_id"))) {
            return problem("Ukjent klient (client_id). Her er bare " + LocalIssuer.WEB_CLIENT_ID + " registrert.");
        }
        String redirectUri = params.get("redirect_uri");
        Optional<String> origin = redirects.originOf(redirectUri);
        if (origin.isEmpty()) {
            return problem("redirect_uri mangler eller er ikke en tillatt adresse. Bare adresser på denne maskinen "
                    + "(for eksempel http://localhost:8080/…) er tillatt.");
        }
        if (!"code".equals(params.get("response_type"))) {
            return problem("response_type må være code (autorisasjonskodeflyt).");
        }
        String scope = params.get("scope");
        if (scope == null || !Arrays.asList(scope.split(" ")).contains("openid")) {
            return problem("scope må inneholde openid.");
        }
        String state = params.get("state");
        if (state == null) {
            return problem("state mangler.");
        }
        String nonce = params.get("nonce");
        if (state.length() > MAX_VALUE_LENGTH || (nonce != null && nonce.length() > MAX_VALUE_LENGTH)
                || scope.length() > MAX_VALUE_LENGTH) {
            return problem("state, nonce eller scope er lengre enn " + MAX_VALUE_LENGTH + " tegn.");
        }
        String challenge = params.get("code_challenge");
        String method = params.get("code_challenge_method");
        if (challenge == null && method != null) {
            return problem("code_challenge_method er oppgitt uten code_challenge.");
        }
        if (challenge != null && !"S256".equals(method)) {
            // Without a method RFC 7636 means "plain", which lets whoever sees the request redeem the code.
            return problem("Bare PKCE med code_challenge_method=S256 støttes.");
        }
        if (challenge != null && !S256_CHALLENGE.matcher(challenge).matches()) {
            return problem("code_challenge er ikke en S256-verdi (43 tegn base64url).");
        }
        return new Checked(new Request(LocalIssuer.WEB_CLIENT_ID, redirectUri, origin.get(), scope, state, nonce,
                challenge), null);
    }

    private static Checked problem(String problem) {
        return new Checked(null, problem);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
