package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.embedded.LocalIssuer.Realm;
import no.knutepunkt.embedded.LocalIssuer.Settings;

/** Discovery, JWKS and the tokens' shape (design notes, issue 7, "Token shape"), checked as a relying party would. */
class LocalIssuerTest {

    @TempDir
    Path tmp;

    private final IssuerClient client = new IssuerClient();
    private LocalIssuer issuer;

    @AfterEach
    void stop() {
        if (issuer != null) {
            issuer.stop();
        }
    }

    private LocalIssuer start(Settings settings) {
        issuer = LocalIssuer.start(settings);
        return issuer;
    }

    private LocalIssuer start() {
        return start(Settings.of(0, tmp.resolve("issuer"), DemoUsersTest.FILE));
    }

    @Test
    void discoveryDescribesEachRealm() {
        start();
        for (Realm realm : Realm.values()) {
            String issuerUrl = "http://127.0.0.1:" + issuer.port() + "/" + realm.path();
            assertThat(issuer.issuerUrl(realm)).isEqualTo(issuerUrl);
            HttpResponse<String> response = client.get(issuerUrl + "/.well-known/openid-configuration");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode metadata = IssuerClient.json(response);
            assertThat(metadata.path("issuer").asText()).isEqualTo(issuerUrl);
            assertThat(metadata.path("authorization_endpoint").asText()).isEqualTo(issuerUrl + "/authorize");
            assertThat(metadata.path("token_endpoint").asText()).isEqualTo(issuerUrl + "/token");
            assertThat(metadata.path("jwks_uri").asText()).isEqualTo(issuerUrl + "/jwks").isEqualTo(issuer.jwksUrl(realm));
            assertThat(metadata.path("end_session_endpoint").asText()).isEqualTo(issuerUrl + "/logout");
            assertThat(texts(metadata, "response_types_supported")).containsExactly("code");
            assertThat(texts(metadata, "code_challenge_methods_supported")).containsExactly("S256");
            assertThat(texts(metadata, "id_token_signing_alg_values_supported")).containsExactly("RS256");
            assertThat(texts(metadata, "token_endpoint_auth_methods_supported"))
                    .containsExactly("client_secret_basic", "client_secret_post");
            assertThat(texts(metadata, "subject_types_supported")).isNotEmpty();
            assertThat(texts(metadata, "scopes_supported")).contains("openid", "profile");
        }
        JsonNode helseid = IssuerClient.json(client.get(issuer.issuerUrl(Realm.HELSEID) + "/.well-known/openid-configuration"));
        assertThat(texts(helseid, "grant_types_supported")).containsExactly("authorization_code", "client_credentials");
        assertThat(texts(helseid, "scopes_supported")).contains("nhn:knutepunkt/clinician",
                "nhn:knutepunkt/municipality-admin", "nhn:knutepunkt/operator", "nhn:knutepunkt/ingest");
        JsonNode idporten = IssuerClient.json(client.get(issuer.issuerUrl(Realm.IDPORTEN) + "/.well-known/openid-configuration"));
        assertThat(texts(idporten, "grant_types_supported")).containsExactly("authorization_code");
        assertThat(texts(idporten, "scopes_supported")).containsExactly("openid", "profile");
    }

    @Test
    void jwksHoldsThePublicSigningKeyOnly() throws JoseException {
        start();
        for (Realm realm : Realm.values()) {
            HttpResponse<String> response = client.get(issuer.jwksUrl(realm));
            assertThat(response.statusCode()).isEqualTo(200);
            List<JsonWebKey> keys = new JsonWebKeySet(response.body()).getJsonWebKeys();
            assertThat(keys).hasSize(1);
            JsonWebKey key = keys.get(0);
            assertThat(key.getKeyType()).isEqualTo("RSA");
            assertThat(key.getKeyId()).isEqualTo(issuer.keyId());
            assertThat(key.getAlgorithm()).isEqualTo("RS256");
            assertThat(key.getUse()).isEqualTo("sig");
            assertThat(issuer.publicKey().getModulus().bitLength()).isEqualTo(2048);
            JsonNode raw = IssuerClient.json(response).path("keys").path(0);
            assertThat(raw.has("n")).isTrue();
            assertThat(raw.has("e")).isTrue();
            for (String secret : List.of("d", "p", "q", "dp", "dq", "qi")) {
                assertThat(raw.has(secret)).as("private parameter %s", secret).isFalse();
            }
        }
        JsonNode publicJwk = IssuerJson.read(issuer.publicJwk(), "publicJwk");
        assertThat(publicJwk.path("kid").asText()).isEqualTo(issuer.keyId());
        assertThat(publicJwk.has("d")).isFalse();
    }

    @Test
    void aClinicianTokenVerifiesAgainstTheJwksAndCarriesTheDesignedClaims() throws Exception {
        start();
        String token = issuer.token("nurse");

        JwtContext verified = consumer(Realm.HELSEID, "nhn:knutepunkt", "at+jwt").process(token);
        assertThat(verified.getJoseObjects().get(0).getKeyIdHeaderValue()).isEqualTo(issuer.keyId());
        assertThat(verified.getJoseObjects().get(0).getAlgorithmHeaderValue()).isEqualTo("RS256");
        JwtClaims claims = verified.getJwtClaims();
        assertThat(claims.getClaimNames()).containsExactly("iss", "aud", "sub", "exp", "iat", "nbf", "jti", "client_id",
                "scope", "name", "given_name", "family_name", "helseid://claims/identity/pid",
                "helseid://claims/identity/assurance_level", "helseid://claims/identity/security_level",
                "helseid://claims/hpr/hpr_number", "helseid://claims/client/claims/orgnr_parent");
        assertThat(claims.getClaimValue("aud")).as("aud is a plain string").isEqualTo("nhn:knutepunkt");
        assertThat(claims.getClaimValue("client_id")).isEqualTo(LocalIssuer.WEB_CLIENT_ID);
        assertThat(claims.getClaimValue("scope")).isEqualTo("openid profile nhn:knutepunkt/clinician");
        assertThat(claims.getClaimValue("name")).isEqualTo("Sara Sykepleier");
        assertThat(claims.getClaimValue("helseid://claims/identity/pid")).isEqualTo("12848523400");
        assertThat(claims.getClaimValue("helseid://claims/identity/assurance_level")).isEqualTo("high");
        assertThat(claims.getClaimValue("helseid://claims/identity/security_level")).isEqualTo("4");
        assertThat(claims.getClaimValue("helseid://claims/hpr/hpr_number")).isEqualTo("9100001");
        assertThat(claims.getClaimValue("helseid://claims/client/claims/orgnr_parent")).isEqualTo("111111111");
        assertThat(claims.getIssuedAt().getValue()).isEqualTo(claims.getNotBefore().getValue());
        assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(3600);
        assertThat(claims.getJwtId()).isNotBlank();
        assertThat(claims.getSubject()).matches("[A-Za-z0-9_-]{43}").doesNotContain("12848523400");

        assertThat(issuer.claims("nurse").get("sub")).as("a stable subject").isEqualTo(claims.getSubject());
        assertThat(issuer.claims("nurse").get("jti")).as("a new jti each time").isNotEqualTo(claims.getJwtId());
    }

    @Test
    void aPatientTokenHasTheIdportenShape() throws Exception {
        start();
        JwtClaims claims = consumer(Realm.IDPORTEN, "knutepunkt", "at+jwt").processToClaims(issuer.token("patient"));
        assertThat(claims.getClaimNames()).containsExactly("iss", "aud", "sub", "exp", "iat", "nbf", "jti", "client_id",
                "scope", "pid", "acr", "amr");
        assertThat(claims.getIssuer()).isEqualTo(issuer.issuerUrl(Realm.IDPORTEN));
        assertThat(claims.getClaimValue("aud")).isEqualTo("knutepunkt");
        assertThat(claims.getClaimValue("scope")).isEqualTo("openid profile");
        assertThat(claims.getClaimValue("pid")).isEqualTo("03855226811");
        assertThat(claims.getClaimValue("acr")).isEqualTo("idporten-loa-high");
        assertThat(claims.getStringListClaimValue("amr")).containsExactly("TestID");
    }

    @Test
    void aVendorSystemsTokenCarriesClientClaimsOnly() throws Exception {
        start();
        JwtClaims claims = consumer(Realm.HELSEID, "nhn:knutepunkt", "at+jwt").processToClaims(issuer.token("medgw"));
        assertThat(claims.getClaimNames()).containsExactly("iss", "aud", "sub", "exp", "iat", "nbf", "jti", "client_id",
                "scope", "helseid://claims/client/claims/orgnr_parent");
        assertThat(claims.getClaimValue("client_id")).isEqualTo("knutepunkt-vendor-medgw");
        assertThat(claims.getClaimValue("scope")).isEqualTo("nhn:knutepunkt/ingest");
        assertThat(claims.getClaimValue("helseid://claims/client/claims/orgnr_parent")).isEqualTo("666666666");
    }

    @Test
    void lifetimeAndAudiencesAreSettings() throws Exception {
        start(Settings.of(0, tmp.resolve("issuer"), DemoUsersTest.FILE).withTokenLifetime(Duration.ofMinutes(5))
                .withAudiences("hub-a", "hub-b"));
        JwtClaims helseid = consumer(Realm.HELSEID, "hub-a", "at+jwt").processToClaims(issuer.token("gp"));
        assertThat(helseid.getExpirationTime().getValue() - helseid.getIssuedAt().getValue()).isEqualTo(300);
        assertThat(consumer(Realm.IDPORTEN, "hub-b", "at+jwt").processToClaims(issuer.token("patient")).getAudience())
                .containsExactly("hub-b");
    }

    @Test
    void claimsAreAMutableCopyEachTime() {
        start();
        Map<String, Object> claims = issuer.claims("patient");
        claims.put("aud", "elsewhere");
        @SuppressWarnings("unchecked")
        List<Object> amr = (List<Object>) claims.get("amr");
        amr.add("Minid");
        Map<String, Object> fresh = issuer.claims("patient");
        assertThat(fresh).containsEntry("aud", "knutepunkt").containsEntry("amr", List.of("TestID"));
        assertThatThrownBy(() -> issuer.claims("nobody")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nurse");
    }

    @Test
    void signForgesWhatATestAsksWithTheRealKey() throws Exception {
        start();
        Map<String, Object> header = issuer.header();
        assertThat(header).containsExactly(Map.entry("alg", "RS256"), Map.entry("kid", issuer.keyId()),
                Map.entry("typ", "at+jwt"));
        header.put("typ", "JWT");
        header.put("kid", "unknown-key");
        Map<String, Object> claims = issuer.claims("nurse");
        claims.put("iss", "http://127.0.0.1:1/elsewhere");
        String forged = issuer.sign(header, claims);

        // The signature is the real key's: a consumer that knows the key by itself accepts it ...
        JwtContext parsed = new JwtConsumerBuilder().setVerificationKey(issuer.publicKey())
                .setExpectedAudience("nhn:knutepunkt").build().process(forged);
        assertThat(parsed.getJoseObjects().get(0).getHeader("typ")).isEqualTo("JWT");
        assertThat(parsed.getJoseObjects().get(0).getKeyIdHeaderValue()).isEqualTo("unknown-key");
        assertThat(parsed.getJwtClaims().getIssuer()).isEqualTo("http://127.0.0.1:1/elsewhere");
        // ... and one checking as the hub should refuses it.
        assertThatThrownBy(() -> consumer(Realm.HELSEID, "nhn:knutepunkt", "at+jwt").process(forged))
                .isInstanceOf(InvalidJwtException.class);

        Map<String, Object> none = issuer.header();
        none.put("alg", "none");
        assertThatThrownBy(() -> issuer.sign(none, claims)).isInstanceOf(IllegalArgumentException.class);
        none.put("alg", "HS256");
        assertThatThrownBy(() -> issuer.sign(none, claims)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void demoTokenGivesATokenWithoutABrowser() throws Exception {
        start();
        HttpResponse<String> response = client.get(issuer.baseUrl() + "/demo/token?user=nurse");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Knutepunkt-Local-Issuer").orElseThrow()).contains("demo only");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = IssuerClient.json(response);
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("access_token", "token_type", "expires_in");
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        JwtClaims nurse = consumer(Realm.HELSEID, "nhn:knutepunkt", "at+jwt").processToClaims(body.path("access_token").asText());
        assertThat(nurse.getClaimValue("helseid://claims/hpr/hpr_number")).isEqualTo("9100001");

        HttpResponse<String> posted = client.post(issuer.baseUrl() + "/demo/token", Map.of("user", "patient"));
        assertThat(posted.statusCode()).isEqualTo(200);
        JwtClaims patient = consumer(Realm.IDPORTEN, "knutepunkt", "at+jwt")
                .processToClaims(IssuerClient.json(posted).path("access_token").asText());
        assertThat(patient.getClaimValue("pid")).isEqualTo("03855226811");

        HttpResponse<String> vendor = client.get(issuer.baseUrl() + "/demo/token?user=acme-medical");
        assertThat(consumer(Realm.HELSEID, "nhn:knutepunkt", "at+jwt")
                .processToClaims(IssuerClient.json(vendor).path("access_token").asText()).getClaimValue("client_id"))
                .isEqualTo("knutepunkt-vendor-acme-medical");

        HttpResponse<String> text = client.get(issuer.baseUrl() + "/demo/token?user=gp&format=text");
        assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(consumer(Realm.HELSEID, "nhn:knutepunkt", "at+jwt").processToClaims(text.body())
                .getClaimValue("helseid://claims/hpr/hpr_number")).isEqualTo("9100002");

        HttpResponse<String> unknown = client.get(issuer.baseUrl() + "/demo/token?user=someone");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(IssuerClient.json(unknown).path("error_description").asText()).contains("nurse", "patient", "medgw");
    }

    @Test
    void unknownPathsAreNotFound() {
        start();
        assertThat(client.get(issuer.baseUrl() + "/helseid/jwks/extra").statusCode()).isEqualTo(404);
        assertThat(client.get(issuer.baseUrl() + "/other/jwks").statusCode()).isEqualTo(404);
        assertThat(client.get(issuer.baseUrl() + "/").statusCode()).isEqualTo(404);
    }

    /** Checks as the hub is meant to: key from the JWKS endpoint, RS256 only, exact iss, aud and typ. */
    private JwtConsumer consumer(Realm realm, String audience, String type) throws JoseException {
        JsonWebKeySet jwks = new JsonWebKeySet(client.get(issuer.jwksUrl(realm)).body());
        return new JwtConsumerBuilder()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256)
                .setExpectedIssuer(true, issuer.issuerUrl(realm))
                .setExpectedAudience(true, audience)
                .setExpectedType(true, type)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireNotBefore()
                .setRequireJwtId()
                .setRequireSubject()
                .build();
    }

    private static List<String> texts(JsonNode node, String field) {
        List<String> values = new ArrayList<>();
        node.path(field).forEach(v -> values.add(v.asText()));
        return values;
    }
}
