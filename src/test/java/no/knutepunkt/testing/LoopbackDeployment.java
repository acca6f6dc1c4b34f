package no.knutepunkt.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import no.knutepunkt.embedded.EmbeddedPostgres;
import no.knutepunkt.simulator.SimulatedDevice;

/**
 * The hub deployed on loopback as separate processes, the way production runs it: a Mosquitto
 * broker with persistence on, a PostgreSQL server, and one or more packaged hub instances sharing
 * one subscription, each under its own MQTT client id. For what only real processes can show:
 * kill -9, restarts, and scaling out. Everything lives under one directory (data, logs).
 */
public final class LoopbackDeployment implements AutoCloseable {

    private final MosquittoBroker broker;
    private final EmbeddedPostgres database;
    private final List<HubProcess> hubs = new ArrayList<>();
    private final Path dir;
    private final String name;
    private final int instances;
    private final Map<String, String> hubEnv;
    private final List<String> hubJvmArgs;

    /**
     * @param dir        under target/ when run as root: PostgreSQL runs as nobody and must reach it
     * @param name       prefix of the hubs' MQTT client ids: {name}-hub-1, {name}-hub-2, …
     * @param instances  hub instances
     * @param hubEnv     settings for every instance (environment variables, README "Configure")
     */
    public LoopbackDeployment(Path dir, String name, int instances, Map<String, String> hubEnv, List<String> hubJvmArgs) throws IOException {
        this.dir = Files.createDirectories(dir).toAbsolutePath();
        this.name = name;
        this.instances = instances;
        this.hubEnv = Map.copyOf(hubEnv);
        this.hubJvmArgs = List.copyOf(hubJvmArgs);
        this.broker = new MosquittoBroker(dir.resolve("broker"));
        this.database = EmbeddedPostgres.builder(dir.resolve("postgres")).port(0).database("knutepunkt").superuser("knutepunkt").build();
    }

    /** Starts the broker, the database and the hubs; the first hub alone, as it migrates the schema. */
    public LoopbackDeployment start() throws IOException, InterruptedException {
        broker.start();
        database.start();
        for (int i = 1; i <= instances; i++) {
            hubs.add(new HubProcess(database.jdbcUrl(), database.user(), broker.url(), name + "-hub-" + i, hubEnv, hubJvmArgs,
                    dir.resolve("hub-" + i + ".log")));
        }
        startHubs();
        return this;
    }

    /** Stops every hub instance gracefully (SIGTERM) and starts it again, as an operator would. */
    public void restartHubs() throws IOException, InterruptedException {
        for (HubProcess hub : hubs) {
            hub.stop();
        }
        startHubs();
    }

    private void startHubs() throws IOException, InterruptedException {
        hubs.get(0).start();
        ExecutorService starting = Executors.newFixedThreadPool(Math.max(1, instances - 1));
        try {
            List<Future<HubProcess>> started = new ArrayList<>();
            for (HubProcess hub : hubs.subList(1, hubs.size())) {
                started.add(starting.submit(hub::start));
            }
            for (Future<HubProcess> f : started) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a hub instance did not start", e.getCause());
        } finally {
            starting.shutdown();
        }
    }

    /** A fleet of about {@code devices} devices in all three formats, registered and assigned (see {@link Fleet}). */
    public List<SimulatedDevice> registerFleet(int devices) throws SQLException {
        List<SimulatedDevice> fleet = Fleet.of(devices);
        Fleet.register(database.jdbcUrl(), database.user(), "", fleet);
        return fleet;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
    }

    public MosquittoBroker broker() {
        return broker;
    }

    public EmbeddedPostgres database() {
        return database;
    }

    public List<HubProcess> hubs() {
        return hubs;
    }

    /** The hub to ask for the counts, which cover every instance: any one that runs. */
    public HubProcess anyRunningHub() {
        return hubs.stream().filter(HubProcess::isAlive).findFirst().orElseThrow(() -> new IllegalStateException("no hub instance runs"));
    }

    public Path dir() {
        return dir;
    }

    /** Stops the hubs, then the broker, then PostgreSQL; each is tried whatever the others did. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (HubProcess hub : hubs) {
            try {
                hub.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (AutoCloseable server : List.<AutoCloseable>of(broker, database)) {
            try {
                server.close();
            } catch (Exception e) {
                first = first == null ? new IllegalStateException(e) : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
