package no.knutepunkt.embedded;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * {@code /{realm}/.well-known/openid-configuration} and {@code /{realm}/jwks}: what an OIDC client
 * such as Quarkus OIDC reads to find the endpoints and the signing key. Both realms share the key.
 */
final class DiscoveryEndpoint {

    private final TokenClaims claims;
    private final DemoUsers users;
    private final LocalIssuerKeys keys;

    DiscoveryEndpoint(TokenClaims claims, DemoUsers users, LocalIssuerKeys keys) {
        this.claims = claims;
        this.users = users;
        this.keys = keys;
    }

    void configuration(Realm realm, IssuerExchange exchange) throws IOException {
        if (!exchange.method().equals("GET")) {
            exchange.methodNotAllowed("GET");
            return;
        }
        exchange.json(200, metadata(realm));
    }

    void jwks(Realm realm, IssuerExchange exchange) throws IOException {
        if (!exchange.method().equals("GET")) {
            exchange.methodNotAllowed("GET");
            return;
        }
        exchange.json(200, keys.jwks());
    }

    Map<String, Object> metadata(Realm realm) {
        String issuer = claims.issuer(realm);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("issuer", issuer);
        metadata.put("authorization_endpoint", issuer + "/authorize");
        metadata.put("token_endpoint", issuer + "/token");
        metadata.put("jwks_uri", issuer + "/jwks");
        metadata.put("end_session_endpoint", issuer + "/logout");
        metadata.put("response_types_supported", List.of("code"));
        metadata.put("response_modes_supported", List.of("query"));
        // Machine clients exist in HelseID only (DemoUsers refuses them elsewhere).
        metadata.put("grant_types_supported", realm == Realm.HELSEID
                ? List.of("authorization_code", "client_credentials")
                : List.of("authorization_code"));
        metadata.put("code_challenge_methods_supported", List.of("S256"));
        metadata.put("id_token_signing_alg_values_supported", List.of("RS256"));
        metadata.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        metadata.put("scopes_supported", List.copyOf(users.scopes(realm)));
        metadata.put("subject_types_supported", List.of("pairwise"));
        return metadata;
    }
}
