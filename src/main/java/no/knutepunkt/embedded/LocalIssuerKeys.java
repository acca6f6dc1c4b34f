package no.knutepunkt.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * The local issuer's one signing key: RSA 2048, RS256, generated at the first start and kept as a
 * private JWK in {@code signing-key.json} (mode 600), so tokens and the hub's cached JWKS stay
 * valid across restarts of the demo. Its {@code kid} is the key's RFC 7638 thumbprint.
 * <p>
 * A test key: it lives beside the demo's data and is never the key of a deployment (security.md).
 */
final class LocalIssuerKeys {

    static final String FILE_NAME = "signing-key.json";
    private static final int KEY_BITS = 2048;

    private final RsaJsonWebKey key;

    private LocalIssuerKeys(RsaJsonWebKey key) {
        this.key = key;
    }

    /** The key in {@code dataDir}, made and stored there first if there is none. */
    static LocalIssuerKeys loadOrCreate(Path dataDir) {
        PrivateFiles.createDirectory(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return new LocalIssuerKeys(parse(PrivateFiles.read(file), file));
        }
        try {
            RsaJsonWebKey generated = RsaJwkGenerator.generateJwk(KEY_BITS);
            generated.setKeyId(generated.calculateBase64urlEncodedThumbprint("SHA-256"));
            generated.setUse("sig");
            generated.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            PrivateFiles.write(file, generated.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE) + "\n");
            return new LocalIssuerKeys(generated);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate the local issuer's signing key", e);
        }
    }

    String keyId() {
        return key.getKeyId();
    }

    RSAPublicKey publicKey() {
        return key.getRsaPublicKey();
    }

    /** The public half as a JWK: kty, kid, use, alg, n, e. */
    Map<String, Object> publicJwk() {
        return new LinkedHashMap<>(key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }

    Map<String, Object> jwks() {
        return Map.of("keys", List.of(publicJwk()));
    }

    /**
     * A compact JWS of {@code claims} with exactly {@code header}, whatever it says about typ or
     * kid: tests forge tokens the hub must refuse. Only the algorithm is ours to choose, since the
     * key can sign nothing else.
     */
    String sign(Map<String, Object> header, Map<String, Object> claims) {
        Object alg = header.get("alg");
        if (!AlgorithmIdentifiers.RSA_USING_SHA256.equals(alg)) {
            throw new IllegalArgumentException("the local issuer signs RS256 only, not alg=" + alg);
        }
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.getHeaders().setFullHeaderAsJsonString(IssuerJson.write(header));
            jws.setPayload(IssuerJson.write(claims));
            jws.setKey(key.getPrivateKey());
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private static RsaJsonWebKey parse(String json, Path file) {
        try {
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(json);
            if (!(jwk instanceof RsaJsonWebKey rsa) || rsa.getPrivateKey() == null || rsa.getKeyId() == null
                    || rsa.getRsaPublicKey().getModulus().bitLength() < KEY_BITS) {
                throw new IllegalStateException(file + " is not a private RSA JWK of " + KEY_BITS
                        + " bits with a kid; delete it to have a new key made");
            }
            return rsa;
        } catch (JoseException e) {
            throw new IllegalStateException(file + " is not a JWK; delete it to have a new key made", e);
        }
    }
}
