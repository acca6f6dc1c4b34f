package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.common.Unavailable;

/**
 * Finds a vendor for every incoming message. Vendors change rarely and are read thousands of
 * times a second, so found vendors are kept for a short while; one not found is always looked up
 * again, so a vendor registered on another instance is known at once.
 */
@ApplicationScoped
public class Vendors {

    private static final Duration KEEP = Duration.ofSeconds(30);

    private final DataSource db;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public Vendors(DataSource db) {
        this.db = db;
    }

    public Optional<Vendor> find(String id) {
        Cached c = cache.get(id);
        long now = System.nanoTime();
        if (c != null && now - c.at() < KEEP.toNanos()) {
            return Optional.of(c.vendor());
        }
        Optional<Vendor> v;
        try {
            v = load(id);
        } catch (SQLException e) {
            if (c != null) {
                // Vendors change rarely: during a database outage the last known one is right.
                return Optional.of(c.vendor());
            }
            throw new Unavailable("vendor lookup: the database is not reachable", e);
        }
        v.ifPresentOrElse(found -> cache.put(id, new Cached(found, now)), () -> cache.remove(id));
        return v;
    }

    /** Forget a vendor after it was changed here, so the change applies at once. */
    public void forget(String id) {
        cache.remove(id);
    }

    private Optional<Vendor> load(String id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id, name, format FROM vendor WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Vendor(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        }
    }

    private record Cached(Vendor vendor, long at) {
    }
}
