package no.knutepunkt.access;

import java.util.Locale;

import org.jose4j.jwx.HeaderParameterNames;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;

/**
 * The JOSE header {@code typ} of a bearer token, compared with the type the realm's access tokens
 * have (RFC 9068: {@code at+jwt}). Quarkus OIDC does not look at the header: its
 * {@code token.token-type} compares a {@code typ} <em>claim</em>, which HelseID and ID-porten do not
 * send, so an ID token ({@code typ: JWT}) of the right issuer and audience would pass as an access
 * token without this check.
 */
final class AccessTokenType {

    private AccessTokenType() {
    }

    /** @throws CallerRefused {@code wrong-token-type} unless the token's header names {@code expected} */
    static void require(String token, String expected) {
        String typ;
        try {
            typ = JsonWebStructure.fromCompactSerialization(token).getHeader(HeaderParameterNames.TYPE);
        } catch (JoseException e) {
            // Quarkus verified it as a JWS already; one that cannot be read again is no access token either.
            typ = null;
        }
        if (typ == null || !mediaType(typ).equals(mediaType(expected))) {
            throw new CallerRefused("wrong-token-type", "the token's type (its typ header) is not " + expected);
        }
    }

    /** RFC 7515, 4.1.9: compared without case, and "application/" may be left out. */
    private static String mediaType(String typ) {
        String t = typ.strip().toLowerCase(Locale.ROOT);
        return t.startsWith("application/") ? t.substring("application/".length()) : t;
    }
}
