package no.knutepunkt;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.quarkus.bootstrap.logging.InitialConfigurator;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.config.SmallRyeConfig;

import no.knutepunkt.embedded.EmbeddedMode;
import no.knutepunkt.embedded.HubAccount;
import no.knutepunkt.simulator.SimulatorMain;

/**
 * Starts the hub. In embedded mode (knutepunkt.embedded.enabled, the default outside tests) it first
 * starts PostgreSQL and an MQTT broker of its own, and stops them after the hub on exit. With first
 * argument {@code simulate} it runs the device simulator instead ({@code simulate --help}).
 * <p>
 * The servers must be up before Quarkus starts (Flyway migrates at start-up), so this reads the
 * configuration itself: Quarkus's own config does not exist yet. The builder is Quarkus's, with the
 * same sources (system properties, environment, .env, application.properties) and profile.
 * <p>
 * Selected by quarkus.package.main-class, deliberately not annotated with @QuarkusMain: Camel
 * Quarkus starts its routes by itself only when no class carries that annotation, and @QuarkusTest
 * never calls a main method, so with it no route would run in any test.
 */
public final class KnutepunktMain {

    private static final AtomicBoolean STOPPING = new AtomicBoolean();

    private KnutepunktMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("simulate")) {
            // The device simulator plays vendors from outside the hub: no configuration, no servers, no Quarkus.
            SimulatorMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SmallRyeConfig config = ConfigUtils.configBuilder().build();
        if (!config.getOptionalValue("knutepunkt.embedded.enabled", Boolean.class).orElse(false)) {
            Quarkus.run(args);
            return;
        }
        EmbeddedMode servers = EmbeddedMode.in(
                Path.of(config.getValue("knutepunkt.embedded.data-dir", String.class)),
                config.getValue("knutepunkt.embedded.postgres.port", Integer.class),
                config.getValue("knutepunkt.embedded.broker.port", Integer.class));

        // On Ctrl-C the JVM runs its shutdown hooks and exits when the last one returns. Quarkus's hook
        // stops the hub; ours waits for that, so the broker and PostgreSQL outlive every use of them.
        // Registered before the servers start, so a Ctrl-C during their start-up stops them too.
        AtomicBoolean hubStarted = new AtomicBoolean();
        CountDownLatch hubStopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (hubStarted.get()) {
                try {
                    hubStopped.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stop(servers);
        }, "embedded-servers-stop"));

        try {
            servers.start();
        } catch (RuntimeException e) {
            // Quarkus holds log records back until it has configured logging, which it now never will;
            // print them, so the reason (a PostgreSQL log tail, a taken port) reaches the user.
            InitialConfigurator.DELAYED_HANDLER.addHandler(InitialConfigurator.createDefaultHandler());
            Logger.getLogger(KnutepunktMain.class).error("the embedded servers did not start", e);
            System.exit(1);
            return;
        }

        loginToOwnBroker(config, servers.hubAccount());

        AtomicInteger exitCode = new AtomicInteger();
        AtomicReference<Throwable> startFailure = new AtomicReference<>();
        hubStarted.set(true);
        // With an exit handler, Quarkus returns here instead of calling System.exit itself, but it
        // then leaves reporting a failed start to us.
        Quarkus.run(null, (code, failure) -> {
            exitCode.set(code);
            startFailure.set(failure);
        }, args);
        hubStopped.countDown();
        if (startFailure.get() != null) {
            // Quarkus may have closed its log handlers by now; stderr always reaches the user.
            System.err.println("Knutepunkt did not start: " + rootCause(startFailure.get()).getMessage());
            startFailure.get().printStackTrace();
        }
        stop(servers);
        System.exit(exitCode.get());
    }

    /**
     * The hub logs in to the embedded broker with the account the broker made for it, unless told
     * otherwise (MQTT_USERNAME): system properties, read by Quarkus's config before anything else.
     */
    private static void loginToOwnBroker(SmallRyeConfig config, HubAccount hub) {
        if (config.getOptionalValue("knutepunkt.mqtt.username", String.class).filter(u -> !u.isBlank()).isPresent()) {
            return;
        }
        System.setProperty("knutepunkt.mqtt.username", hub.username());
        System.setProperty("knutepunkt.mqtt.password", hub.secret());
    }

    /** Called by the main thread and the shutdown hook alike; the second waits for the first. */
    private static void stop(EmbeddedMode servers) {
        if (STOPPING.compareAndSet(false, true)) {
            // Quarkus has closed its log handlers by now, and HiveMQ takes seconds to stop: say why we wait.
            System.out.println("Stopping the embedded MQTT broker and PostgreSQL...");
        }
        servers.stop();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
