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
import no.knutepunkt.embedded.LocalIssuer;
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
 * With knutepunkt.local-issuer.enabled (the demo profile) it also starts the local OIDC issuer that
 * stands in for HelseID and ID-porten, before Quarkus, whose OIDC reads the issuer's discovery at
 * start-up; and it refuses to under the prod profile, since that issuer hands out tokens to anyone.
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
        boolean embedded = config.getOptionalValue("knutepunkt.embedded.enabled", Boolean.class).orElse(false);
        boolean localIssuer = config.getOptionalValue("knutepunkt.local-issuer.enabled", Boolean.class).orElse(false);
        if (!embedded && !localIssuer) {
            Quarkus.run(args);
            return;
        }
        if (localIssuer && config.getProfiles().contains("prod")) {
            // The packaged jar runs as prod unless told otherwise: a deployment that picked up the
            // demo's setting must not come up accepting tokens that anyone on the machine can mint.
            failBeforeStart("knutepunkt.local-issuer.enabled is true under the prod profile; the local OIDC issuer is "
                    + "for the demo and tests only (it gives anyone a token). Run the demo with -Dquarkus.profile=demo, "
                    + "or point the hub at HelseID and ID-porten.", null);
            return;
        }
        EmbeddedMode servers = embedded
                ? EmbeddedMode.in(
                        Path.of(config.getValue("knutepunkt.embedded.data-dir", String.class)),
                        config.getValue("knutepunkt.embedded.postgres.port", Integer.class),
                        config.getValue("knutepunkt.embedded.broker.port", Integer.class),
                        config.getValue("knutepunkt.db.owner-user", String.class),
                        config.getValue("quarkus.datasource.username", String.class))
                : null;
        AtomicReference<LocalIssuer> issuer = new AtomicReference<>();

        // On Ctrl-C the JVM runs its shutdown hooks and exits when the last one returns. Quarkus's hook
        // stops the hub; ours waits for that, so the issuer, broker and PostgreSQL outlive every use of
        // them. Registered before they start, so a Ctrl-C during their start-up stops them too.
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
            stop(servers, issuer.get());
        }, "embedded-servers-stop"));

        if (localIssuer) {
            try {
                issuer.set(LocalIssuer.start(LocalIssuer.Settings.of(
                        config.getValue("knutepunkt.local-issuer.port", Integer.class),
                        Path.of(config.getValue("knutepunkt.local-issuer.data-dir", String.class)),
                        Path.of(config.getValue("knutepunkt.local-issuer.users-file", String.class)))));
            } catch (RuntimeException e) {
                failBeforeStart("the local OIDC issuer did not start", e);
                return;
            }
            // For the hub's OIDC configuration; in this process only, never printed. The port too, in
            // case 0 asked for a free one.
            System.setProperty("knutepunkt.local-issuer.web-client-secret",
                    issuer.get().clientSecret(LocalIssuer.WEB_CLIENT_ID));
            System.setProperty("knutepunkt.local-issuer.port", Integer.toString(issuer.get().port()));
        }
        if (servers != null) {
            try {
                servers.start();
            } catch (RuntimeException e) {
                failBeforeStart("the embedded servers did not start", e);
                return;
            }
            loginToOwnBroker(config, servers.hubAccount());
        }

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
        stop(servers, issuer.get());
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

    /**
     * Quarkus holds log records back until it has configured logging, which it now never will; print
     * them, so the reason (a PostgreSQL log tail, a taken port) reaches the user. Then exit 1.
     */
    private static void failBeforeStart(String message, Throwable failure) {
        InitialConfigurator.DELAYED_HANDLER.addHandler(InitialConfigurator.createDefaultHandler());
        Logger.getLogger(KnutepunktMain.class).error(message, failure);
        System.exit(1);
    }

    /**
     * Called by the main thread and the shutdown hook alike; the second waits for the first. Either
     * argument may be null (not configured, or not started yet).
     */
    private static void stop(EmbeddedMode servers, LocalIssuer issuer) {
        if (issuer != null) {
            issuer.stop();
        }
        if (servers == null) {
            return;
        }
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
