package no.knutepunkt.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import no.knutepunkt.embedded.AuthorizationCodes.Grant;
import no.knutepunkt.embedded.DemoUsers.DemoUser;
import no.knutepunkt.embedded.IssuerExchange.Credentials;
import no.knutepunkt.embedded.IssuerExchange.Params;
import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * {@code /{realm}/token}: the code exchange for the hub's web client, and client_credentials for
 * the demo vendors' systems (HelseID realm only). Clients authenticate with their secret, by HTTP
 * Basic or in the form; errors are RFC 6749 §5.2 JSON.
 */
final class TokenEndpoint {

    /** RFC 7636 §4.1: 43 to 128 unreserved characters. */
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

    private final DemoUsers users;
    private final ClientSecrets secrets;
    private final AuthorizationCodes codes;
    private final TokenClaims claims;
    private final LocalIssuerKeys keys;

    TokenEndpoint(DemoUsers users, ClientSecrets secrets, AuthorizationCodes codes, TokenClaims claims,
            LocalIssuerKeys keys) {
        this.users = users;
        this.secrets = secrets;
        this.codes = codes;
        this.claims = claims;
        this.keys = keys;
    }

    void handle(Realm realm, IssuerExchange exchange) throws IOException {
        if (!exchange.method().equals("POST")) {
            exchange.methodNotAllowed("POST");
            return;
        }
        Params form = exchange.form();
        if (form.problem() != null) {
            error(exchange, 400, "invalid_request", form.problem());
            return;
        }
        Optional<Credentials> basic = exchange.basicCredentials();
        if (basic.isPresent() && form.get("client_secret") != null) {
            error(exchange, 400, "invalid_request", "use one client authentication method, not Basic and the form both");
            return;
        }
        Credentials credentials = basic.orElse(new Credentials(form.get("client_id"), form.get("client_secret")));
        if (basic.isPresent() && form.get("client_id") != null && !form.get("client_id").equals(credentials.clientId())) {
            error(exchange, 400, "invalid_request", "client_id differs from the client authenticated");
            return;
        }
        String clientId = credentials.clientId();
        boolean web = LocalIssuer.WEB_CLIENT_ID.equals(clientId);
        Optional<DemoUser> vendor = web || clientId == null ? Optional.empty() : users.client(realm, clientId);
        if (!(web || vendor.isPresent()) || !secrets.matches(clientId, credentials.secret())) {
            exchange.header("WWW-Authenticate", "Basic realm=\"" + realm.path() + "\"");
            error(exchange, 401, "invalid_client", "unknown client or wrong client secret");
            return;
        }
        String grantType = form.get("grant_type");
        if (grantType == null) {
            error(exchange, 400, "invalid_request", "grant_type is missing");
        } else if (grantType.equals("authorization_code")) {
            if (!web) {
                error(exchange, 400, "unauthorized_client", "this client may use client_credentials only");
            } else {
                exchangeCode(realm, form, exchange);
            }
        } else if (grantType.equals("client_credentials")) {
            if (vendor.isEmpty()) {
                error(exchange, 400, "unauthorized_client", "this client may use authorization_code only");
            } else {
                clientCredentials(vendor.get(), form, exchange);
            }
        } else {
            error(exchange, 400, "unsupported_grant_type", "authorization_code or client_credentials");
        }
    }

    private void exchangeCode(Realm realm, Params form, IssuerExchange exchange) throws IOException {
        // Redeemed before anything else is checked: a code presented once is spent, even by a failed attempt.
        Optional<Grant> redeemed = codes.redeem(form.get("code"));
        if (redeemed.isEmpty()) {
            error(exchange, 400, "invalid_grant", "the code is unknown, used or expired");
            return;
        }
        Grant grant = redeemed.get();
        if (grant.realm() != realm || !grant.clientId().equals(LocalIssuer.WEB_CLIENT_ID)) {
            error(exchange, 400, "invalid_grant", "the code was not issued here to this client");
            return;
        }
        if (!grant.redirectUri().equals(form.get("redirect_uri"))) {
            error(exchange, 400, "invalid_grant", "redirect_uri differs from the authorization request's");
            return;
        }
        String verifier = form.get("code_verifier");
        if (grant.codeChallenge() == null ? verifier != null
                : verifier == null || !VERIFIER.matcher(verifier).matches() || !s256(verifier).equals(grant.codeChallenge())) {
            // A verifier for a request that had no challenge is refused too (RFC 9700 §2.1.1: a PKCE downgrade).
            error(exchange, 400, "invalid_grant", "code_verifier does not match the code_challenge");
            return;
        }
        DemoUser person = users.byKey(grant.userKey()).orElseThrow();
        Map<String, Object> access = claims.access(person);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", keys.sign(TokenClaims.accessTokenHeader(keys.keyId()), access));
        response.put("id_token", keys.sign(TokenClaims.idTokenHeader(keys.keyId()),
                claims.id(person, LocalIssuer.WEB_CLIENT_ID, grant.nonce(), grant.authTime())));
        response.put("token_type", "Bearer");
        response.put("expires_in", claims.lifetimeSeconds());
        response.put("scope", access.get("scope"));
        exchange.json(200, response);
    }

    private void clientCredentials(DemoUser vendor, Params form, IssuerExchange exchange) throws IOException {
        String scope = vendor.scope();
        String requested = form.get("scope");
        if (requested != null) {
            List<String> asked = List.of(requested.split(" "));
            if (!vendor.scopes().containsAll(asked)) {
                error(exchange, 400, "invalid_scope", "this client may have only: " + vendor.scope());
                return;
            }
            scope = requested;
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", keys.sign(TokenClaims.accessTokenHeader(keys.keyId()),
                claims.access(vendor, vendor.clientId(), scope)));
        response.put("token_type", "Bearer");
        response.put("expires_in", claims.lifetimeSeconds());
        response.put("scope", scope);
        exchange.json(200, response);
    }

    private static void error(IssuerExchange exchange, int status, String error, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        exchange.json(status, body);
    }

    private static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
