package no.knutepunkt.embedded;

import static no.knutepunkt.embedded.LocalIssuerCodeFlowTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.embedded.LocalIssuer.Realm;
import no.knutepunkt.embedded.LocalIssuer.Settings;

/** client_credentials for the demo vendors' systems, in the HelseID realm only. */
class LocalIssuerClientCredentialsTest {

    private static final String VENDOR = "knutepunkt-vendor-nordic-telecare";

    @TempDir
    Path tmp;

    private final IssuerClient client = new IssuerClient();
    private LocalIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LocalIssuer.start(Settings.of(0, tmp.resolve("issuer"), DemoUsersTest.FILE));
    }

    @AfterEach
    void stop() {
        issuer.stop();
    }

    @Test
    void aVendorSystemGetsATokenWithItsClientClaimsOnly() throws Exception {
        HttpResponse<String> response = client.post(tokenUrl(Realm.HELSEID), grant(null), VENDOR,
                issuer.clientSecret(VENDOR));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = IssuerClient.json(response);
        assertThat(body.has("id_token")).isFalse();
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(body.path("scope").asText()).isEqualTo("nhn:knutepunkt/ingest");

        JsonWebKeySet jwks = new JsonWebKeySet(client.get(issuer.jwksUrl(Realm.HELSEID)).body());
        JwtClaims claims = new JwtConsumerBuilder()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256)
                .setExpectedIssuer(true, issuer.issuerUrl(Realm.HELSEID))
                .setExpectedAudience(true, "nhn:knutepunkt")
                .setExpectedType(true, "at+jwt")
                .setRequireExpirationTime()
                .build()
                .processToClaims(body.path("access_token").asText());
        assertThat(claims.getClaimNames()).containsExactly("iss", "aud", "sub", "exp", "iat", "nbf", "jti", "client_id",
                "scope", "helseid://claims/client/claims/orgnr_parent");
        assertThat(claims.getClaimValue("client_id")).isEqualTo(VENDOR);
        assertThat(claims.getClaimValue("helseid://claims/client/claims/orgnr_parent")).isEqualTo("444444444");
    }

    @Test
    void theSecretMayComeInTheForm() {
        Map<String, String> form = grant("nhn:knutepunkt/ingest");
        form.put("client_id", "knutepunkt-vendor-acme-medical");
        form.put("client_secret", issuer.clientSecret("knutepunkt-vendor-acme-medical"));
        HttpResponse<String> response = client.post(tokenUrl(Realm.HELSEID), form);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void refusals() {
        assertError(client.post(tokenUrl(Realm.HELSEID), grant(null), VENDOR, issuer.clientSecret("knutepunkt-vendor-medgw")),
                401, "invalid_client");
        assertError(client.post(tokenUrl(Realm.HELSEID), grant("nhn:knutepunkt/operator"), VENDOR,
                issuer.clientSecret(VENDOR)), 400, "invalid_scope");
        assertError(client.post(tokenUrl(Realm.IDPORTEN), grant(null), VENDOR, issuer.clientSecret(VENDOR)),
                401, "invalid_client");

        Map<String, String> code = new LinkedHashMap<>();
        code.put("grant_type", "authorization_code");
        code.put("code", "whatever");
        assertError(client.post(tokenUrl(Realm.HELSEID), code, VENDOR, issuer.clientSecret(VENDOR)), 400,
                "unauthorized_client");

        Map<String, String> both = grant(null);
        both.put("client_secret", issuer.clientSecret(VENDOR));
        assertError(client.post(tokenUrl(Realm.HELSEID), both, VENDOR, issuer.clientSecret(VENDOR)), 400,
                "invalid_request");
    }

    private String tokenUrl(Realm realm) {
        return issuer.issuerUrl(realm) + "/token";
    }

    private static Map<String, String> grant(String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        if (scope != null) {
            form.put("scope", scope);
        }
        return form;
    }
}
