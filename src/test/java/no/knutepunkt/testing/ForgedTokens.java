package no.knutepunkt.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.jose4j.json.JsonUtil;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import no.knutepunkt.embedded.LocalIssuer;

/**
 * Tokens the hub must refuse because of how they are signed, not what they say: unsigned
 * ({@code alg=none}), HMAC-signed with the issuer's public key as the secret (the key-confusion
 * attack), signed by a key the issuer never had, a signed payload swapped afterwards, and padded to
 * a given length. Claims and header come from {@link Tokens#issuer()}, so every token differs from
 * a genuine one in exactly the way its name says.
 */
public final class ForgedTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();

    /** A key pair of the test's own; generated once, it is slow. */
    private static volatile KeyPair stranger;

    private ForgedTokens() {
    }

    /** Header {@code alg: none}, the claims, and an empty signature: a JWT that claims to need no signature. */
    public static String unsigned(Map<String, Object> header, Map<String, Object> claims) {
        Map<String, Object> h = new HashMap<>(header);
        h.put("alg", "none");
        return part(JsonUtil.toJson(h)) + "." + part(JsonUtil.toJson(claims)) + ".";
    }

    /**
     * HS256 with the issuer's RSA public key (its X.509 encoding, as a JWKS or PEM hands it to anyone)
     * as the HMAC secret: a verifier that takes the algorithm from the token and the key from the
     * JWKS would check this "signature" with a key everybody has.
     */
    public static String hmacWithIssuerPublicKey(Map<String, Object> header, Map<String, Object> claims) {
        LocalIssuer issuer = Tokens.issuer();
        return sign(header, claims, AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(issuer.publicKey().getEncoded()));
    }

    /** RS256 by a key pair the issuer does not know, under whatever kid the header names (the issuer's own, or another). */
    public static String signedByStranger(Map<String, Object> header, Map<String, Object> claims) {
        return sign(header, claims, AlgorithmIdentifiers.RSA_USING_SHA256, strangerKey().getPrivate());
    }

    /** A genuine token whose payload is replaced by {@code claims} afterwards; header and signature are the originals. */
    public static String withPayloadSwapped(String genuine, Map<String, Object> claims) {
        String[] parts = genuine.split("\\.");
        return parts[0] + "." + part(JsonUtil.toJson(claims)) + "." + parts[2];
    }

    /**
     * A token signed by the issuer whose claim {@code padClaim} is filled with letters so that the
     * token is between {@code length - 3} and {@code length} characters (base64 moves in steps of 4/3).
     */
    public static String paddedTo(int length, String padClaim, Map<String, Object> header, Map<String, Object> claims) {
        LocalIssuer issuer = Tokens.issuer();
        Map<String, Object> c = new HashMap<>(claims);
        int pad = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            c.put(padClaim, "x".repeat(pad));
            String token = issuer.sign(header, c);
            int missing = length - token.length();
            if (missing >= 0 && missing <= 3) {
                return token;
            }
            // Three characters of claim are four of base64; aim a little short and close in.
            pad = Math.max(0, pad + (missing * 3) / 4 - (missing < 0 ? 1 : 0));
        }
        throw new IllegalStateException("could not pad a token to " + length + " characters");
    }

    /** The claims of a compact JWT, read without checking anything. */
    public static Map<String, Object> claimsOf(String token) {
        try {
            return JsonUtil.parseJson(new String(B64_DECODE.decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
        } catch (JoseException e) {
            throw new IllegalArgumentException("not a JWT payload", e);
        }
    }

    private static String sign(Map<String, Object> header, Map<String, Object> claims, String alg, java.security.Key key) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            Map<String, Object> h = new HashMap<>(header);
            h.put("alg", alg);
            jws.getHeaders().setFullHeaderAsJsonString(JsonUtil.toJson(h));
            jws.setPayload(JsonUtil.toJson(claims));
            jws.setKey(key);
            // An HMAC "secret" that is a public key is the point here, not a mistake to be warned about.
            jws.setDoKeyValidation(false);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign the forged token", e);
        }
    }

    private static KeyPair strangerKey() {
        KeyPair k = stranger;
        if (k == null) {
            synchronized (ForgedTokens.class) {
                k = stranger;
                if (k == null) {
                    try {
                        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                        g.initialize(2048);
                        k = g.generateKeyPair();
                        stranger = k;
                    } catch (NoSuchAlgorithmException e) {
                        throw new IllegalStateException("every JDK has RSA", e);
                    }
                }
            }
        }
        return k;
    }

    private static String part(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
