package no.knutepunkt.embedded;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import no.knutepunkt.embedded.LocalIssuer.Realm;

/**
 * Authorization codes handed out by the chooser: one-time, valid for 60 seconds, kept in memory
 * only (a restarted issuer forgets them, and the browser simply logs in again).
 */
final class AuthorizationCodes {

    static final Duration VALIDITY = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the login decided, for the token request to check against.
     *
     * @param nonce null when the authorization request had none
     * @param codeChallenge the S256 PKCE challenge, or null when the client sent none
     */
    record Grant(Realm realm, String clientId, String redirectUri, String userKey, String nonce,
            String codeChallenge, Instant authTime) {
    }

    private record Pending(Grant grant, Instant expiresAt) {
    }

    private final Clock clock;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    AuthorizationCodes(Clock clock) {
        this.clock = clock;
    }

    String issue(Grant grant) {
        Instant now = clock.instant();
        // Codes nobody redeemed would pile up in a long demo; drop the expired ones as new ones come.
        pending.values().removeIf(p -> !now.isBefore(p.expiresAt()));
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        pending.put(code, new Pending(grant, now.plus(VALIDITY)));
        return code;
    }

    /** The grant of a code, at most once: the code is gone after this whatever the caller then decides. */
    Optional<Grant> redeem(String code) {
        Pending redeemed = code == null ? null : pending.remove(code);
        if (redeemed == null || !clock.instant().isBefore(redeemed.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(redeemed.grant());
    }
}
