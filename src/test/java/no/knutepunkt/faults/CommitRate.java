package no.knutepunkt.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * How many readings the hub instances together have stored, sampled every second from the
 * committed counts, so the campaign can say what throughput it held through its faults. A sample
 * taken while PostgreSQL is down simply fails and is skipped.
 */
final class CommitRate implements AutoCloseable {

    private static final String TALLY = "SELECT coalesce(sum(received), 0), coalesce(sum(stored), 0) FROM "
            + "(SELECT received, stored FROM reading_tally UNION ALL SELECT received, stored FROM reading_tally_delta) t";

    /** Readings received and stored over every instance at a moment (System.nanoTime). */
    record Sample(long nanos, long received, long stored) {
    }

    private final String jdbcUrl;
    private final String user;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private Connection c;

    /** @param jdbcUrl the same across database restarts (the embedded server keeps its port) */
    CommitRate(String jdbcUrl, String user) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.thread = new Thread(this::run, "commit-rate");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            try {
                Sample sample = sample(now);
                synchronized (samples) {
                    samples.add(sample);
                }
            } catch (SQLException e) {
                closeConnection(); // the database is away; connect afresh next time
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
        closeConnection();
    }

    private Sample sample(long now) throws SQLException {
        if (c == null) {
            c = DriverManager.getConnection(jdbcUrl, user, "");
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TALLY)) {
            rs.next();
            return new Sample(now, rs.getLong(1), rs.getLong(2));
        }
    }

    /** The newest sample, or null before the first. */
    Sample latest() {
        synchronized (samples) {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }
    }

    private void closeConnection() {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException e) {
            // gone already
        }
        c = null;
    }

    /** Readings stored per second between two moments (System.nanoTime), from the samples nearest inside them. */
    double mean(long from, long to) {
        List<Sample> in = between(from, to);
        if (in.size() < 2) {
            return Double.NaN;
        }
        Sample first = in.get(0);
        Sample last = in.get(in.size() - 1);
        return (last.stored() - first.stored()) / ((last.nanos() - first.nanos()) / 1e9);
    }

    /** The lowest rate over any {@code windowSeconds} between two moments: what a fault cost at worst. */
    double lowest(long from, long to, int windowSeconds) {
        List<Sample> in = between(from, to);
        double lowest = Double.NaN;
        int j = 0;
        for (Sample start : in) {
            while (j < in.size() && in.get(j).nanos() - start.nanos() < windowSeconds * 1_000_000_000L) {
                j++;
            }
            if (j == in.size()) {
                break;
            }
            Sample end = in.get(j);
            double rate = (end.stored() - start.stored()) / ((end.nanos() - start.nanos()) / 1e9);
            lowest = Double.isNaN(lowest) ? rate : Math.min(lowest, rate);
        }
        return lowest;
    }

    private List<Sample> between(long from, long to) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.nanos() >= from && s.nanos() <= to).toList();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
