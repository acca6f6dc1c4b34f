package no.knutepunkt.embedded;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import no.knutepunkt.embedded.DemoUsers.DemoUser;
import no.knutepunkt.embedded.LocalIssuer.Realm;
import no.knutepunkt.embedded.LocalIssuer.Settings;

/**
 * What goes into the local issuer's tokens: the shapes of the design notes (issue 7, "Token
 * shape"), which are what the hub's claim mapping reads by default. Every map is new and mutable.
 */
final class TokenClaims {

    private final String baseUrl;
    private final Settings settings;

    TokenClaims(String baseUrl, Settings settings) {
        this.baseUrl = baseUrl;
        this.settings = settings;
    }

    String issuer(Realm realm) {
        return baseUrl + "/" + realm.path();
    }

    long lifetimeSeconds() {
        return settings.tokenLifetime().toSeconds();
    }

    static Map<String, Object> accessTokenHeader(String keyId) {
        return header(keyId, "at+jwt");
    }

    static Map<String, Object> idTokenHeader(String keyId) {
        return header(keyId, "JWT");
    }

    /** A person's token as the hub's web client gets it, or a vendor system's own; with its scope from the file. */
    Map<String, Object> access(DemoUser user) {
        return access(user, user.isClient() ? user.clientId() : LocalIssuer.WEB_CLIENT_ID, user.scope());
    }

    /**
     * iss, aud, sub, exp, iat, nbf, jti, client_id, scope, then the user's identity claims as the
     * file gives them (a vendor system's: its organisation only).
     */
    Map<String, Object> access(DemoUser user, String clientId, String scope) {
        long now = now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer(user.realm()));
        claims.put("aud", settings.audience(user.realm()));
        claims.put("sub", subject(user, clientId));
        claims.put("exp", now + lifetimeSeconds());
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("client_id", clientId);
        claims.put("scope", scope);
        claims.putAll(identity(user));
        return claims;
    }

    /** iss, aud (the client), sub, nonce when the login had one, iat, exp, auth_time, names, identity claims. */
    Map<String, Object> id(DemoUser person, String clientId, String nonce, Instant authTime) {
        long now = now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer(person.realm()));
        claims.put("aud", clientId);
        claims.put("sub", subject(person, clientId));
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        claims.put("iat", now);
        claims.put("exp", now + lifetimeSeconds());
        claims.put("auth_time", authTime.getEpochSecond());
        claims.put("name", person.name());
        claims.put("given_name", person.givenName());
        claims.put("family_name", person.familyName());
        claims.putAll(identity(person));
        return claims;
    }

    Instant now() {
        return settings.clock().instant();
    }

    /**
     * Stable across restarts and machines, so the hub's records of a demo user (access log,
     * acknowledgements) stay theirs; pairwise like HelseID's and ID-porten's (another client would
     * see another value), and says nothing about the person. A vendor system's subject is its client id.
     */
    static String subject(DemoUser user, String clientId) {
        if (user.isClient()) {
            return user.clientId();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    ("knutepunkt-local-issuer|" + user.realm().path() + "|" + clientId + "|" + user.key())
                            .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> identity(DemoUser user) {
        // A deep copy: the file's values (amr's list) must not change when a test edits a token's claims.
        return (Map<String, Object>) IssuerJson.copy(user.claims());
    }

    private static Map<String, Object> header(String keyId, String type) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("kid", keyId);
        header.put("typ", type);
        return header;
    }
}
