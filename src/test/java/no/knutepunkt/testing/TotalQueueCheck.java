package no.knutepunkt.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every reading the publisher saw acknowledged, against what the database holds, in the manner of
 * Jepsen's total-queue check: <b>lost</b> (acknowledged, not stored), <b>duplicated</b> (more than
 * one stored row for a reading, or a value twice in the time series), <b>unexpected</b> (stored,
 * never published). A message published but never acknowledged may or may not have reached the
 * hub; stored, it is <b>recovered</b> ("unacknowledged but stored"), not unexpected.
 * <p>
 * Mosquitto acknowledges a QoS 1 message from memory and writes its store only every
 * autosave_interval, so a kill -9 of the broker loses what it acknowledged since its last save and
 * had not yet handed on. A lost reading whose message was acknowledged inside such a window (after
 * the broker's last save, before its kill) is counted as lost <i>by the broker</i>, apart from the
 * hub's own count. The windows come from the broker's store file, not from the losses: a loss
 * outside every window is the hub's. Likewise a reading whose message the broker acknowledged with
 * "no matching subscribers" was dropped by the broker, which said so (Mosquitto 2.0 does not
 * restore shared subscriptions after a restart, until the hubs subscribe again). Either way the
 * broker is blamed only if its message never reached the hub (no inbound_message row): one that did
 * and was not stored is the hub's loss wherever it fell.
 */
public final class TotalQueueCheck {

    private static final int EXAMPLES = 5;

    private TotalQueueCheck() {
    }

    /** A broker kill -9: its store was last written at {@code lastSave}; it died at {@code killedAt} (epoch ms). */
    public record BrokerCrash(long lastSave, long killedAt) {
        boolean covers(long acknowledgedAt) {
            return acknowledgedAt > lastSave && acknowledgedAt <= killedAt;
        }
    }

    /** Readings by verdict; the examples name a few keys of each kind of trouble. */
    public record Verdict(long published, long acknowledged, long stored, long lost, long lostByBroker, long droppedByBroker,
            long duplicated, long unexpected, long recovered, long storedWithoutValues, List<String> lostExamples,
            List<String> duplicatedExamples, List<String> unexpectedExamples) {

        /** Nothing the hub is answerable for went wrong. */
        public boolean clean() {
            return lost == 0 && duplicated == 0 && unexpected == 0 && storedWithoutValues == 0;
        }
    }

    public static Verdict check(PublishLog log, Connection db, List<BrokerCrash> brokerCrashes) throws SQLException {
        Map<String, Integer> storedRows = storedRows(db);
        Set<String> published = new HashSet<>();
        long acknowledged = 0;
        long lost = 0;
        long lostByBroker = 0;
        long droppedByBroker = 0;
        long recovered = 0;
        List<String> lostExamples = new ArrayList<>();
        Set<String> reachedHub = reachedHub(db, log, storedRows, brokerCrashes);
        for (PublishLog.Message m : log.messages()) {
            published.addAll(m.readings());
            for (String key : m.readings()) {
                boolean stored = storedRows.containsKey(key);
                if (!m.acknowledged()) {
                    recovered += stored ? 1 : 0;
                    continue;
                }
                acknowledged++;
                if (stored) {
                    continue;
                }
                if (!brokerMayHaveLost(m, brokerCrashes) || reachedHub.contains(m.id())) {
                    lost++;
                    if (lostExamples.size() < EXAMPLES) {
                        lostExamples.add(key);
                    }
                } else if (m.acknowledgedWithoutSubscribers()) {
                    droppedByBroker++;
                } else {
                    lostByBroker++;
                }
            }
        }
        Set<String> duplicated = new HashSet<>();
        storedRows.forEach((key, rows) -> {
            if (rows > 1) {
                duplicated.add(key);
            }
        });
        duplicated.addAll(keys(db, """
                SELECT r.identifier FROM reading r
                  JOIN (SELECT observation_id FROM measurement GROUP BY observation_id, loinc HAVING count(*) > 1) twice
                    ON twice.observation_id = r.id"""));
        List<String> withoutValues = keys(db, """
                SELECT r.identifier FROM reading r
                 WHERE r.state = 'stored' AND NOT EXISTS (SELECT 1 FROM measurement m WHERE m.observation_id = r.id)""");
        List<String> unexpected = storedRows.keySet().stream().filter(k -> !published.contains(k)).toList();
        return new Verdict(published.size(), acknowledged, storedRows.size(), lost, lostByBroker, droppedByBroker, duplicated.size(),
                unexpected.size(), recovered, withoutValues.size(), lostExamples, duplicated.stream().limit(EXAMPLES).toList(),
                unexpected.stream().limit(EXAMPLES).toList());
    }

    /**
     * Readings the hub must have stored once it has taken everything: those of acknowledged messages
     * the broker cannot have lost (a cheap count, for knowing when to stop waiting).
     */
    public static long mustBeStored(PublishLog log, List<BrokerCrash> brokerCrashes) {
        long n = 0;
        for (PublishLog.Message m : log.messages()) {
            if (m.acknowledged() && !brokerMayHaveLost(m, brokerCrashes)) {
                n += m.readings().size();
            }
        }
        return n;
    }

    /** The broker acknowledged it without subscribers, or inside a crash window. */
    private static boolean brokerMayHaveLost(PublishLog.Message m, List<BrokerCrash> brokerCrashes) {
        return m.acknowledgedWithoutSubscribers() || brokerCrashes.stream().anyMatch(c -> c.covers(m.acknowledgedAt()));
    }

    /**
     * Of the messages whose loss the broker might answer for (acknowledged, a reading not stored, and
     * acknowledged without subscribers or inside a crash window), those the hub did receive.
     */
    private static Set<String> reachedHub(Connection db, PublishLog log, Map<String, Integer> storedRows, List<BrokerCrash> brokerCrashes)
            throws SQLException {
        List<String> suspects = new ArrayList<>();
        for (PublishLog.Message m : log.messages()) {
            if (m.acknowledged() && brokerMayHaveLost(m, brokerCrashes) && m.readings().stream().anyMatch(k -> !storedRows.containsKey(k))) {
                suspects.add(m.id());
            }
        }
        if (suspects.isEmpty()) {
            return Set.of();
        }
        Set<String> received = new HashSet<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT DISTINCT message_id FROM inbound_message WHERE message_id = ANY (?)")) {
            ps.setArray(1, db.createArrayOf("text", suspects.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    received.add(rs.getString(1));
                }
            }
        }
        return received;
    }

    /** Stored rows per reading identifier (the identifier's unique constraint says one; this counts). */
    private static Map<String, Integer> storedRows(Connection db) throws SQLException {
        Map<String, Integer> rows = new HashMap<>();
        for (String key : keys(db, "SELECT identifier FROM reading WHERE state = 'stored'")) {
            rows.merge(key, 1, Integer::sum);
        }
        return rows;
    }

    private static List<String> keys(Connection db, String sql) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false); // lets the driver stream the rows in fetch-size pieces
        try (Statement s = db.createStatement()) {
            s.setFetchSize(10_000);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            db.commit();
            return keys;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }
}
