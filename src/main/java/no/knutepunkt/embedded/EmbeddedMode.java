package no.knutepunkt.embedded;

import java.nio.file.Path;

import org.jboss.logging.Logger;

/**
 * The servers of the one-command demo: PostgreSQL and an MQTT broker, started before the hub and
 * stopped after it, in that order, so the hub never sees them missing. Data survives restarts. The
 * broker lets in only the hub ({@link #hubAccount()}) and registered vendors with their credential.
 */
public final class EmbeddedMode {

    private static final Logger LOG = Logger.getLogger(EmbeddedMode.class);

    private final EmbeddedPostgres postgres;
    private final EmbeddedBroker broker;
    private boolean stopped;

    private EmbeddedMode(EmbeddedPostgres postgres, EmbeddedBroker broker) {
        this.postgres = postgres;
        this.broker = broker;
    }

    /**
     * The servers, not yet started.
     *
     * @param dataDir postgres/ and broker/ live under it
     * @param postgresPort must match the port in quarkus.datasource.jdbc.url
     * @param brokerPort must match the port in knutepunkt.mqtt.url
     * @param owner the superuser, who owns the schema and runs the migrations (knutepunkt.db.owner-user)
     * @param hubRole the role the hub connects as (quarkus.datasource.username)
     */
    public static EmbeddedMode in(Path dataDir, int postgresPort, int brokerPort, String owner, String hubRole) {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder(dataDir.resolve("postgres"))
                .port(postgresPort)
                .database("knutepunkt")
                .superuser(owner)
                .loginRole(hubRole)
                .build();
        // Vendors' logins are checked in the hub's own database, with the hub's own role (which may read them, nothing more).
        AccountDatabase vendorLogins = new AccountDatabase(postgres.jdbcUrl(), hubRole, "");
        return new EmbeddedMode(postgres, EmbeddedBroker.withAccessControl(dataDir.resolve("broker"), brokerPort, vendorLogins));
    }

    /** PostgreSQL, then the broker. On failure, whatever did start is stopped again. */
    public synchronized void start() {
        if (stopped) {
            throw new IllegalStateException("already stopped");
        }
        try {
            postgres.start();
            broker.start();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Broker first, then PostgreSQL (fast shutdown). Safe to call more than once, from any thread. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            broker.stop();
        } catch (RuntimeException e) {
            LOG.error("the embedded MQTT broker did not stop cleanly", e);
        }
        try {
            postgres.stop();
        } catch (RuntimeException e) {
            LOG.error("the embedded PostgreSQL did not stop cleanly", e);
        }
        LOG.info("embedded broker and PostgreSQL stopped");
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    /** The hub's login on the broker; known once started. */
    public HubAccount hubAccount() {
        return broker.hubAccount().orElseThrow(() -> new IllegalStateException("the broker has not started"));
    }
}
