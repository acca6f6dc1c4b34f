package no.knutepunkt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import no.knutepunkt.embedded.LocalIssuer;

/**
 * The OIDC issuer that hub processes started by a test trust, as a deployment trusts HelseID and
 * ID-porten: by configuration only (HELSEID_URL, IDPORTEN_URL — the prod profile, no local issuer
 * of the hub's own). One per test JVM; its demo users' tokens are the tests' callers.
 */
public final class ProcessIssuer {

    private static LocalIssuer issuer;

    private ProcessIssuer() {
    }

    public static synchronized LocalIssuer get() {
        if (issuer == null) {
            try {
                issuer = LocalIssuer.start(LocalIssuer.Settings.of(0, Files.createTempDirectory("knutepunkt-process-issuer-"),
                        Path.of("deploy/seed/demo-users.json")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LocalIssuer started = issuer;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "process-issuer-stop"));
        }
        return issuer;
    }

    /** The environment that points a hub at this issuer. */
    public static Map<String, String> environment() {
        LocalIssuer i = get();
        return Map.of("HELSEID_URL", i.issuerUrl(LocalIssuer.Realm.HELSEID), "IDPORTEN_URL", i.issuerUrl(LocalIssuer.Realm.IDPORTEN));
    }

    /** A demo operator's token; its organisation must be registered in the hub's database ({@link #registerOperator}). */
    public static String operatorToken() {
        return get().token("operator");
    }

    /** A municipality admin of this (registered) municipality. */
    public static String adminToken(String orgNumber) {
        Map<String, Object> claims = get().claims("admin");
        claims.put("helseid://claims/client/claims/orgnr_parent", orgNumber);
        return get().sign(get().header(), claims);
    }

    /** Registers the demo operator's organisation (777777777), as the operator's own deployment would have, connected as the schema's owner. */
    public static void registerOperator(String jdbcUrl, String owner) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, owner, "");
                PreparedStatement ps = c.prepareStatement("INSERT INTO organisation (id, org_number, name, kind) VALUES (?, ?, ?, 'other') "
                        + "ON CONFLICT (org_number) DO NOTHING")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, Tokens.OPERATOR_ORG);
            ps.setString(3, "Knutepunkt drift (test)");
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register the operator's organisation at " + jdbcUrl, e);
        }
    }
}
