package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import no.knutepunkt.common.MosquittoPasswordHash;

/**
 * What a broker's login check needs to know about a user name: whether it is a registered vendor,
 * and the hash of that vendor's active credential (null when it has none: never issued, or revoked).
 * Plain JDBC on a connection the caller owns, because the embedded broker checks logins from outside
 * Quarkus (it starts first, in the same JVM).
 */
public record VendorLogin(boolean registered, String secretHash) {

    private static final VendorLogin UNKNOWN = new VendorLogin(false, null);

    public static VendorLogin find(Connection c, String vendorId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT c.secret_hash
                  FROM vendor v
                  LEFT JOIN vendor_mqtt_credential c ON c.vendor_id = v.id AND c.revoked_at IS NULL
                 WHERE v.id = ?""")) {
            ps.setString(1, vendorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new VendorLogin(true, rs.getString(1)) : UNKNOWN;
            }
        }
    }

    /** Whether the secret is this vendor's active one. */
    public boolean accepts(String secret) {
        return secretHash != null && MosquittoPasswordHash.matches(secret, secretHash);
    }

    /** Never the hash: it would make an offline guess possible, however hopeless for a 256-bit secret. */
    @Override
    public String toString() {
        return "VendorLogin[registered=" + registered + ", active=" + (secretHash != null) + "]";
    }
}
