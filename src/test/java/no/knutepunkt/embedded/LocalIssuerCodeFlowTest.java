package no.knutepunkt.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
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

/**
 * The authorization code flow as a browser and the hub's web client drive it: authorize, the
 * chooser, the redirect with code and state, the token exchange with PKCE, and the refusals.
 */
class LocalIssuerCodeFlowTest {

    private static final String REDIRECT = "http://localhost:8080/callback";
    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /** A state that would break out of the page if it were not escaped. */
    private static final String STATE = "s1\"><script>alert('x')</script>&amp;";

    @TempDir
    Path tmp;

    private final IssuerClient client = new IssuerClient();
    private final SettableClock clock = new SettableClock(Instant.now());
    private LocalIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LocalIssuer.start(Settings.of(0, tmp.resolve("issuer"), DemoUsersTest.FILE).withClock(clock));
    }

    @AfterEach
    void stop() {
        issuer.stop();
    }

    @Test
    void aClinicianLogsInWithPkceAndTheIdTokenCarriesTheNonce() throws Exception {
        HttpResponse<String> page = client.get(authorizeUrl(Realm.HELSEID, request()));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy).startsWith("default-src 'none'; style-src 'sha256-")
                .contains("form-action 'self' http://localhost:8080;").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe");
        String html = page.body();
        assertThat(html).contains("<html lang=\"nb\">").contains("Velg demobruker")
                .contains("aria-labelledby=\"title\"")
                .contains("Sara Sykepleier", "Geir Fastlege", "Hanne Overlege", "Aslak Admin", "Oda Drift")
                .contains("Sykepleier i oppfølgingstjenesten – Eksempelvik kommune, oppfølgingstjenesten")
                .contains("<button type=\"submit\" name=\"user\" value=\"nurse\">")
                .doesNotContain("Ola Nordmann").doesNotContain("<script").doesNotContain("nordic-telecare")
                .contains("s1&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;");

        HttpResponse<String> chosen = choose(Realm.HELSEID, html, "nurse");
        assertThat(chosen.statusCode()).isEqualTo(303);
        String location = chosen.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?code=");
        Map<String, String> back = IssuerClient.query(location);
        assertThat(back).containsOnlyKeys("code", "state").containsEntry("state", STATE);

        HttpResponse<String> tokens = client.post(issuer.issuerUrl(Realm.HELSEID) + "/token",
                exchange(back.get("code"), VERIFIER), LocalIssuer.WEB_CLIENT_ID, webSecret());
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        assertThat(tokens.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = IssuerClient.json(tokens);
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(3600);
        assertThat(body.path("scope").asText()).isEqualTo("openid profile nhn:knutepunkt/clinician");

        JwtClaims access = verify(Realm.HELSEID, "nhn:knutepunkt", "at+jwt", body.path("access_token").asText());
        assertThat(access.getClaimValue("helseid://claims/hpr/hpr_number")).isEqualTo("9100001");
        JwtClaims id = verify(Realm.HELSEID, LocalIssuer.WEB_CLIENT_ID, "JWT", body.path("id_token").asText());
        assertThat(id.getClaimValue("nonce")).isEqualTo("n-0S6_WzA2Mj");
        assertThat(id.getSubject()).isEqualTo(access.getSubject());
        assertThat(id.getClaimValue("auth_time")).isEqualTo(clock.instant().getEpochSecond());
        assertThat(id.getClaimValue("name")).isEqualTo("Sara Sykepleier");
        assertThat(id.getClaimValue("given_name")).isEqualTo("Sara");
        assertThat(id.getClaimValue("family_name")).isEqualTo("Sykepleier");
        assertThat(id.getClaimValue("helseid://claims/identity/pid")).isEqualTo("12848523400");
        assertThat(id.getClaimValue("helseid://claims/client/claims/orgnr_parent")).isEqualTo("111111111");

        HttpResponse<String> again = client.post(issuer.issuerUrl(Realm.HELSEID) + "/token",
                exchange(back.get("code"), VERIFIER), LocalIssuer.WEB_CLIENT_ID, webSecret());
        assertError(again, 400, "invalid_grant");
    }

    @Test
    void aPatientLogsInThroughIdportenWithTheSecretInTheForm() throws Exception {
        Map<String, String> request = request();
        request.remove("code_challenge");
        request.remove("code_challenge_method");
        request.remove("nonce");
        String html = client.get(authorizeUrl(Realm.IDPORTEN, request)).body();
        assertThat(html).contains("Ola Nordmann").contains("ID-porten").doesNotContain("Sara Sykepleier");

        String code = IssuerClient.query(choose(Realm.IDPORTEN, html, "patient").headers().firstValue("Location")
                .orElseThrow()).get("code");
        Map<String, String> form = exchange(code, null);
        form.put("client_id", LocalIssuer.WEB_CLIENT_ID);
        form.put("client_secret", webSecret());
        HttpResponse<String> tokens = client.post(issuer.issuerUrl(Realm.IDPORTEN) + "/token", form);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        JsonNode body = IssuerClient.json(tokens);
        assertThat(body.path("scope").asText()).isEqualTo("openid profile");
        JwtClaims access = verify(Realm.IDPORTEN, "knutepunkt", "at+jwt", body.path("access_token").asText());
        assertThat(access.getClaimValue("pid")).isEqualTo("03855226811");
        JwtClaims id = verify(Realm.IDPORTEN, LocalIssuer.WEB_CLIENT_ID, "JWT", body.path("id_token").asText());
        assertThat(id.hasClaim("nonce")).as("no nonce asked for, none given").isFalse();
        assertThat(id.getClaimValue("name")).isEqualTo("Ola Nordmann");
        assertThat(id.getClaimValue("pid")).isEqualTo("03855226811");
        assertThat(id.getClaimValue("acr")).isEqualTo("idporten-loa-high");
    }

    @Test
    void aWrongOrMissingVerifierIsAnInvalidGrant() {
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token",
                exchange(codeFor("gp"), "x".repeat(43)), LocalIssuer.WEB_CLIENT_ID, webSecret()), 400, "invalid_grant");
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token",
                exchange(codeFor("gp"), null), LocalIssuer.WEB_CLIENT_ID, webSecret()), 400, "invalid_grant");
    }

    @Test
    void aWrongClientSecretIsAnInvalidClientAndLeavesTheCodeUsable() {
        String code = codeFor("admin");
        HttpResponse<String> wrong = client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", exchange(code, VERIFIER),
                LocalIssuer.WEB_CLIENT_ID, "not-the-secret");
        assertError(wrong, 401, "invalid_client");
        assertThat(wrong.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Basic ");
        Map<String, String> unauthenticated = exchange(code, VERIFIER);
        unauthenticated.put("client_id", LocalIssuer.WEB_CLIENT_ID);
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", unauthenticated), 401, "invalid_client");

        assertThat(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", exchange(code, VERIFIER),
                LocalIssuer.WEB_CLIENT_ID, webSecret()).statusCode()).isEqualTo(200);
    }

    @Test
    void aCodeExpiresAfterSixtySeconds() {
        String code = codeFor("nurse");
        clock.advance(Duration.ofSeconds(60));
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", exchange(code, VERIFIER),
                LocalIssuer.WEB_CLIENT_ID, webSecret()), 400, "invalid_grant");

        String fresh = codeFor("nurse");
        clock.advance(Duration.ofSeconds(59));
        assertThat(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", exchange(fresh, VERIFIER),
                LocalIssuer.WEB_CLIENT_ID, webSecret()).statusCode()).isEqualTo(200);
    }

    @Test
    void theCodeIsBoundToItsRedirectUriAndRealm() {
        Map<String, String> otherRedirect = exchange(codeFor("nurse"), VERIFIER);
        otherRedirect.put("redirect_uri", "http://localhost:8080/elsewhere");
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", otherRedirect, LocalIssuer.WEB_CLIENT_ID,
                webSecret()), 400, "invalid_grant");
        assertError(client.post(issuer.issuerUrl(Realm.IDPORTEN) + "/token", exchange(codeFor("nurse"), VERIFIER),
                LocalIssuer.WEB_CLIENT_ID, webSecret()), 400, "invalid_grant");
    }

    @Test
    void aRedirectUriOffThisMachineGetsAPageAndNoRedirect() {
        for (String uri : new String[] { "http://evil.example:8080/callback", "http://localhost:8080@evil.example/cb",
                "http://localhost.evil.example:8080/cb", "https://evil.example/cb", "http://localhost/cb",
                "http://localhost:8080/cb#fragment", "//localhost:8080/cb" }) {
            Map<String, String> request = request();
            request.put("redirect_uri", uri);
            HttpResponse<String> page = client.get(authorizeUrl(Realm.HELSEID, request));
            assertThat(page.statusCode()).as(uri).isEqualTo(400);
            assertThat(page.headers().firstValue("Location")).as(uri).isEmpty();
            assertThat(page.body()).contains("Ugyldig innloggingsforespørsel").contains("redirect_uri");

            request.put("user", "nurse");
            HttpResponse<String> posted = client.post(issuer.issuerUrl(Realm.HELSEID) + "/authorize", request);
            assertThat(posted.statusCode()).as(uri).isEqualTo(400);
            assertThat(posted.headers().firstValue("Location")).as(uri).isEmpty();
        }
    }

    @Test
    void otherBadAuthorizationRequestsGetAPage() {
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("client_id", with("client_id", "someone-else"));
        cases.put("response_type", with("response_type", "token"));
        cases.put("openid", with("scope", "profile"));
        cases.put("state", with("state", null));
        cases.put("S256", with("code_challenge_method", "plain"));
        cases.put("43 tegn", with("code_challenge", "short"));
        cases.forEach((expected, request) -> {
            HttpResponse<String> page = client.get(authorizeUrl(Realm.HELSEID, request));
            assertThat(page.statusCode()).as(expected).isEqualTo(400);
            assertThat(page.body()).as(expected).contains(expected);
            assertThat(page.headers().firstValue("Location")).isEmpty();
        });

        Map<String, String> clientChosen = request();
        clientChosen.put("user", "medgw");
        assertThat(client.post(issuer.issuerUrl(Realm.HELSEID) + "/authorize", clientChosen).statusCode()).isEqualTo(400);
        Map<String, String> otherRealm = request();
        otherRealm.put("user", "patient");
        assertThat(client.post(issuer.issuerUrl(Realm.HELSEID) + "/authorize", otherRealm).statusCode()).isEqualTo(400);
    }

    @Test
    void tokenRequestsOutsideTheProtocolGetRfc6749Errors() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", form, LocalIssuer.WEB_CLIENT_ID,
                webSecret()), 400, "unsupported_grant_type");
        form.put("grant_type", "client_credentials");
        assertError(client.post(issuer.issuerUrl(Realm.HELSEID) + "/token", form, LocalIssuer.WEB_CLIENT_ID,
                webSecret()), 400, "unauthorized_client");
        assertThat(client.get(issuer.issuerUrl(Realm.HELSEID) + "/token").statusCode()).isEqualTo(405);
    }

    @Test
    void logoutReturnsToAnAllowedAddressOrSaysLoggetUt() {
        HttpResponse<String> back = client.get(issuer.issuerUrl(Realm.HELSEID) + "/logout?post_logout_redirect_uri="
                + encode("http://localhost:8080/") + "&state=abc");
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(back.headers().firstValue("Location")).hasValue("http://localhost:8080/?state=abc");

        HttpResponse<String> elsewhere = client.get(issuer.issuerUrl(Realm.IDPORTEN) + "/logout?post_logout_redirect_uri="
                + encode("http://evil.example/"));
        assertThat(elsewhere.statusCode()).isEqualTo(200);
        assertThat(elsewhere.headers().firstValue("Location")).isEmpty();
        assertThat(elsewhere.body()).contains("<h1>Logget ut</h1>").contains("lang=\"nb\"");

        assertThat(client.get(issuer.issuerUrl(Realm.IDPORTEN) + "/logout").body()).contains("Logget ut");
    }

    private String codeFor(String user) {
        String html = client.get(authorizeUrl(Realm.HELSEID, request())).body();
        return IssuerClient.query(choose(Realm.HELSEID, html, user).headers().firstValue("Location").orElseThrow())
                .get("code");
    }

    /** What the browser sends when the user presses a person's button: the hidden fields plus that button. */
    private HttpResponse<String> choose(Realm realm, String chooserHtml, String user) {
        Map<String, String> form = IssuerClient.hiddenFields(chooserHtml);
        form.put("user", user);
        return client.post(issuer.issuerUrl(realm) + "/authorize", form);
    }

    private Map<String, String> request() {
        Map<String, String> request = new LinkedHashMap<>();
        request.put("client_id", LocalIssuer.WEB_CLIENT_ID);
        request.put("response_type", "code");
        request.put("redirect_uri", REDIRECT);
        request.put("scope", "openid profile");
        request.put("state", STATE);
        request.put("nonce", "n-0S6_WzA2Mj");
        request.put("code_challenge", s256(VERIFIER));
        request.put("code_challenge_method", "S256");
        return request;
    }

    private Map<String, String> with(String name, String value) {
        Map<String, String> request = request();
        if (value == null) {
            request.remove(name);
        } else {
            request.put(name, value);
        }
        return request;
    }

    private String authorizeUrl(Realm realm, Map<String, String> request) {
        return issuer.issuerUrl(realm) + "/authorize?" + IssuerClient.encode(request);
    }

    private static Map<String, String> exchange(String code, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", REDIRECT);
        if (verifier != null) {
            form.put("code_verifier", verifier);
        }
        return form;
    }

    private String webSecret() {
        return issuer.clientSecret(LocalIssuer.WEB_CLIENT_ID);
    }

    private JwtClaims verify(Realm realm, String audience, String type, String token) throws Exception {
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
                .setRequireSubject()
                .build()
                .processToClaims(token);
    }

    static void assertError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = IssuerClient.json(response);
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).isNotBlank();
    }

    private static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
