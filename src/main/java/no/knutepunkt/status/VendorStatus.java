package no.knutepunkt.status;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import no.knutepunkt.ingest.IngestStatus.Counts;
import no.knutepunkt.store.Tallies;
import no.knutepunkt.store.TallyDelta;

/**
 * {@code GET /status/vendors}: each vendor's readings by outcome, the same counted over the last
 * few minutes with the rate they arrived at, and when the latest came. Registered vendors that sent
 * nothing yet are listed too, and so are vendor ids that are not registered but sent something (it
 * was dead-lettered). The total is the sum of the vendors, from the same snapshot.
 */
@Path("/status/vendors")
public class VendorStatus {

    private final Tallies tallies;
    private final StatusConfig config;
    private final DataSource db;

    VendorStatus(Tallies tallies, StatusConfig config, DataSource db) {
        this.tallies = tallies;
        this.config = config;
        this.db = db;
    }

    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Vendors vendors() {
        Tallies.Activity activity = tallies.activity(config.rateWindow());
        Map<String, String> names = registeredNames();
        long seconds = Math.max(1, Duration.between(activity.since(), activity.until()).toSeconds());
        Map<String, Tallies.VendorActivity> byVendor = new TreeMap<>(activity.vendors());
        names.keySet().forEach(id -> byVendor.putIfAbsent(id, new Tallies.VendorActivity(TallyDelta.ZERO, TallyDelta.ZERO, null)));
        List<Vendor> vendors = new ArrayList<>();
        TallyDelta total = TallyDelta.ZERO;
        TallyDelta recentTotal = TallyDelta.ZERO;
        for (Map.Entry<String, Tallies.VendorActivity> e : byVendor.entrySet()) {
            Tallies.VendorActivity a = e.getValue();
            vendors.add(new Vendor(e.getKey(), names.get(e.getKey()), names.containsKey(e.getKey()), Counts.of(a.total()),
                    Recent.of(a.recent(), seconds), a.lastReceivedAt()));
            total = total.plus(a.total());
            recentTotal = recentTotal.plus(a.recent());
        }
        return new Vendors(new Window(activity.since(), activity.until(), seconds), Counts.of(total), Recent.of(recentTotal, seconds),
                vendors);
    }

    /** Vendor ids and names: a registry of a few dozen rows at most. */
    private Map<String, String> registeredNames() {
        Map<String, String> names = new TreeMap<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name FROM vendor")) {
            while (rs.next()) {
                names.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("vendors could not be read", e);
        }
        return names;
    }

    /**
     * @param window the span the recent counts cover
     * @param total  every vendor's counts added up
     * @param recent every vendor's recent counts added up
     */
    public record Vendors(Window window, Counts total, Recent recent, List<Vendor> vendors) {
    }

    /** [since, until): from the start of the minute the configured window reaches back to, until now. */
    public record Window(OffsetDateTime since, OffsetDateTime until, long seconds) {
    }

    /**
     * @param name           null for a vendor id that is not registered
     * @param lastReceivedAt when the hub last committed one of its readings, or null if never
     */
    public record Vendor(String id, String name, boolean registered, Counts counts, Recent recent, OffsetDateTime lastReceivedAt) {
    }

    /**
     * The counts recorded within the window; {@code stored} and {@code parked} include parked readings
     * routed in that time (stored up, parked down, none received), so only {@code received} is a rate.
     *
     * @param receivedPerMinute readings received per minute over the window, one decimal
     */
    public record Recent(long received, long stored, long duplicate, long parked, long deadLettered, double receivedPerMinute) {
        static Recent of(TallyDelta t, long seconds) {
            return new Recent(t.received(), t.stored(), t.duplicate(), t.parked(), t.deadLettered(),
                    Math.round(t.received() * 600.0 / seconds) / 10.0);
        }
    }
}
