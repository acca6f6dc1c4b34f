package no.knutepunkt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.ConfigProvider;

import no.knutepunkt.embedded.LocalIssuer;

/**
 * Bearer tokens for a test's callers, minted by the test issuer the hub trusts
 * ({@link HubTestResource#issuer()}), shaped like the demo users' (deploy/seed/demo-users.json):
 * HelseID's claims for staff and vendor systems, ID-porten's for citizens. Overrides change a
 * claim; a null value removes it.
 */
public final class Tokens {

    /** The hub operator's organisation of the demo users, registered in the test database on first use. */
    public static final String OPERATOR_ORG = "777777777";

    /** The databases (by JDBC URL) the operator's organisation is registered in: a profile may point the hub at another. */
    private static final Set<String> OPERATOR_ORGANISATION_REGISTERED = ConcurrentHashMap.newKeySet();

    private Tokens() {
    }

    public static LocalIssuer issuer() {
        return HubTestResource.issuer();
    }

    /** A demo user's or demo vendor client's token as the issuer mints it. */
    public static String of(String userKey) {
        return with(userKey, Map.of());
    }

    /** A demo user's token with some claims changed (null removes a claim). */
    public static String with(String userKey, Map<String, Object> overrides) {
        Map<String, Object> claims = issuer().claims(userKey);
        overrides.forEach((k, v) -> {
            if (v == null) {
                claims.remove(k);
            } else {
                claims.put(k, v);
            }
        });
        return issuer().sign(issuer().header(), claims);
    }

    public static String operator() {
        registerOperatorOrganisation();
        return of("operator");
    }

    /** A municipality admin of this (registered) municipality. */
    public static String admin(String orgNumber) {
        return with("admin", Map.of("helseid://claims/client/claims/orgnr_parent", orgNumber));
    }

    /** A clinician of this (registered) organisation, with this HPR number. */
    public static String clinician(String orgNumber, String hprNumber) {
        return with("nurse", Map.of("helseid://claims/client/claims/orgnr_parent", orgNumber, "helseid://claims/hpr/hpr_number", hprNumber,
                "sub", "test-clinician-" + hprNumber, "name", "Test Kliniker " + hprNumber));
    }

    /** A citizen with this fødselsnummer or D-nummer (ID-porten). */
    public static String patient(String nationalId) {
        return with("patient", Map.of("pid", nationalId, "sub", "test-citizen-" + UUID.nameUUIDFromBytes(nationalId.getBytes())));
    }

    /** A vendor's system (client credentials) with this OAuth client id. */
    public static String vendor(String clientId) {
        return with("nordic-telecare", Map.of("client_id", clientId, "sub", clientId));
    }

    public static Map<String, Object> header() {
        return new HashMap<>(issuer().header());
    }

    /** In the database of the hub under test (its datasource as configured), once per database. */
    private static void registerOperatorOrganisation() {
        var config = ConfigProvider.getConfig();
        String url = config.getOptionalValue("quarkus.datasource.jdbc.url", String.class).orElse(HubTestResource.jdbcUrl());
        if (OPERATOR_ORGANISATION_REGISTERED.contains(url)) {
            return;
        }
        String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse(HubTestResource.dbUser());
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("");
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement ps = c.prepareStatement("INSERT INTO organisation (id, org_number, name, kind) VALUES (?, ?, ?, 'other') "
                        + "ON CONFLICT (org_number) DO NOTHING")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, OPERATOR_ORG);
            ps.setString(3, "Knutepunkt drift (test)");
            ps.executeUpdate();
            OPERATOR_ORGANISATION_REGISTERED.add(url);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register the operator's organisation", e);
        }
    }
}
