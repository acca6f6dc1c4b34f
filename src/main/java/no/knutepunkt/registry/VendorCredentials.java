package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;

import no.knutepunkt.common.MosquittoPasswordHash;

/**
 * Vendors' broker credentials (security.md): the user name is the vendor id, the secret 32 random
 * bytes that are shown once, when issued, and stored only as a Mosquitto password hash. A vendor
 * has at most one active credential: issuing another revokes the one before, in the same
 * transaction, so a vendor rotates by asking for a new one and switching its devices over.
 */
@ApplicationScoped
public class VendorCredentials {

    /** The hub's own account on the embedded broker, and the name deploy/mosquitto/acl gives it. */
    public static final String HUB_ACCOUNT = "knutepunkt-hub";

    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A credential just issued: the only time its secret is seen. */
    public record Issued(String vendorId, String username, String secret, OffsetDateTime createdAt, boolean replaced) {
        @Override
        public String toString() {
            return "Issued[vendorId=" + vendorId + ", createdAt=" + createdAt + ", replaced=" + replaced + "]";
        }
    }

    /** What is shown about an active credential later: never its secret, nor its hash. */
    public record Active(String vendorId, String username, OffsetDateTime createdAt) {
    }

    private final Transactions tx;
    private final VendorRegister vendors;
    private final Set<String> reserved;

    VendorCredentials(Transactions tx, VendorRegister vendors) {
        this.tx = tx;
        this.vendors = vendors;
        // A vendor login under the hub's own user name would be the hub's line in a password file.
        // (Read through ConfigProvider: @ConfigProperty's package drags OSGi annotations into javac's warnings.)
        Optional<String> hubUsername = ConfigProvider.getConfig().getOptionalValue("knutepunkt.mqtt.username", String.class);
        this.reserved = hubUsername.filter(u -> !u.isBlank() && !u.equals(HUB_ACCOUNT)).map(u -> Set.of(HUB_ACCOUNT, u))
                .orElse(Set.of(HUB_ACCOUNT));
    }

    /** Issues a new credential in a transaction of its own (for the demo, which provisions in-process). */
    public Issued issue(String vendorId) {
        return tx.write(c -> issue(c, vendorId));
    }

    Issued issue(Connection c, String vendorId) throws SQLException {
        lockVendor(c, vendorId);
        if (reserved.contains(vendorId)) {
            throw Problem.invalid("id", "this vendor id is the hub's own broker account and cannot have vendor credentials");
        }
        boolean replaced = revokeActive(c, vendorId);
        String secret = newSecret();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO vendor_mqtt_credential (vendor_id, secret_hash) VALUES (?, ?) RETURNING created_at")) {
            ps.setString(1, vendorId);
            ps.setString(2, MosquittoPasswordHash.hash(secret));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Issued(vendorId, vendorId, secret, rs.getObject(1, OffsetDateTime.class), replaced);
            }
        }
    }

    Optional<Active> active(Connection c, String vendorId) throws SQLException {
        requireVendor(c, vendorId);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT created_at FROM vendor_mqtt_credential WHERE vendor_id = ? AND revoked_at IS NULL")) {
            ps.setString(1, vendorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Active(vendorId, vendorId, rs.getObject(1, OffsetDateTime.class))) : Optional.empty();
            }
        }
    }

    /** Revokes the vendor's active credential; false when it had none. */
    boolean revoke(Connection c, String vendorId) throws SQLException {
        lockVendor(c, vendorId);
        return revokeActive(c, vendorId);
    }

    /**
     * Mosquitto's password file for every active vendor credential, a {@code user:hash} line each, in
     * vendor order. The hub's own account is not in it: its secret is the deployment's, not ours.
     */
    String mosquittoPasswordFile(Connection c) throws SQLException {
        StringBuilder file = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT vendor_id, secret_hash FROM vendor_mqtt_credential WHERE revoked_at IS NULL ORDER BY vendor_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                file.append(rs.getString(1)).append(':').append(rs.getString(2)).append('\n');
            }
        }
        return file.toString();
    }

    private void requireVendor(Connection c, String vendorId) throws SQLException {
        if (vendors.find(c, vendorId).isEmpty()) {
            throw Problem.notFound("no such vendor");
        }
    }

    /** Serialises issuing and revoking per vendor (two at once would both find the old one active). */
    private static void lockVendor(Connection c, String vendorId) throws SQLException {
        // NO KEY UPDATE: does not block devices being registered to the vendor meanwhile (their foreign key takes KEY SHARE).
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM vendor WHERE id = ? FOR NO KEY UPDATE")) {
            ps.setString(1, vendorId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw Problem.notFound("no such vendor");
                }
            }
        }
    }

    private static boolean revokeActive(Connection c, String vendorId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE vendor_mqtt_credential SET revoked_at = now() WHERE vendor_id = ? AND revoked_at IS NULL")) {
            ps.setString(1, vendorId);
            return ps.executeUpdate() > 0;
        }
    }

    /** 256 random bits, base64url without padding: 43 characters that need no quoting in a shell or a URL. */
    private static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
