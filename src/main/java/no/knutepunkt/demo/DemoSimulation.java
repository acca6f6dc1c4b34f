package no.knutepunkt.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import no.knutepunkt.embedded.BrokerRefusals;
import no.knutepunkt.ingest.MqttConfig;
import no.knutepunkt.registry.VendorCredentials;
import no.knutepunkt.simulator.BrokerAccess;
import no.knutepunkt.simulator.HubLogins;
import no.knutepunkt.simulator.BrokerLogins;
import no.knutepunkt.simulator.PatientKit;
import no.knutepunkt.simulator.PilotPlan;
import no.knutepunkt.simulator.Provisioning;
import no.knutepunkt.simulator.SimulatedPatient;
import no.knutepunkt.simulator.SimulatedPilot;
import no.knutepunkt.simulator.Simulator;

/**
 * The one-command demo's device simulator: once the hub answers, it provisions the simulator's pilot
 * through the hub's own registry API (as a municipality would; idempotent, so a second start finds
 * it) and runs the simulator in realistic mode against the hub's broker, in-process. Stopped, with
 * a last report, when the hub stops. Off unless knutepunkt.demo.simulator.enabled (the demo profile).
 * On the embedded broker each simulated vendor logs in as itself, with a credential issued here.
 */
@ApplicationScoped
class DemoSimulation {

    private static final Logger LOG = Logger.getLogger(DemoSimulation.class);
    /** The hub's HTTP server opens after the start-up observers have run; provisioning waits for it. */
    private static final Duration HUB_READY_WAIT = Duration.ofSeconds(120);

    private final DemoSimulatorConfig config;
    private final MqttConfig mqtt;
    private final VendorCredentials credentials;
    private volatile Thread starter;
    private volatile Simulator simulator;
    private volatile boolean stopping;

    DemoSimulation(DemoSimulatorConfig config, MqttConfig mqtt, VendorCredentials credentials) {
        this.config = config;
        this.mqtt = mqtt;
        this.credentials = credentials;
    }

    void onStart(@Observes StartupEvent start) {
        if (!config.enabled()) {
            return;
        }
        Thread t = new Thread(this::run, "demo-simulator-start");
        t.setDaemon(true);
        starter = t;
        t.start();
    }

    private void run() {
        URI hub = URI.create(config.hubUrl());
        try {
            awaitReady(hub);
            SimulatedPilot pilot = PilotPlan.generate(config.seed(), config.patients(), Instant.now());
            // As the demo's operator and municipality admin, signed in at the demo's own local issuer.
            HubLogins logins = HubLogins.fromDemoIssuer(URI.create(config.issuerUrl()));
            Provisioning.Result provisioned = new Provisioning(hub, logins).provision(PatientKit.of(pilot));
            LOG.infof("demo pilot provisioned through %s/api/registry: %s", hub, provisioned);
            if (stopping) {
                return;
            }
            simulator = Simulator.start(new Simulator.Settings(logins(pilot), pilot, config.factor(), config.daysBack(), config.reportEvery(),
                    report -> LOG.info(report.stripTrailing()), null));
            LOG.info(whereToLook(hub, pilot, provisioned));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf("the demo's device simulator did not start: %s", e.getMessage());
        }
    }

    /**
     * The embedded broker lets a vendor publish only as itself, so each simulated vendor gets a new
     * credential at every start (replacing the one before: the demo keeps no secrets on disk). Against
     * another broker every vendor uses the hub's own MQTT settings, as before.
     */
    private BrokerLogins logins(SimulatedPilot pilot) {
        if (!BrokerRefusals.enforcing()) {
            return BrokerLogins.shared(broker());
        }
        Map<String, String> secrets = new TreeMap<>();
        pilot.patients().stream().map(p -> p.vendor().id()).distinct().forEach(v -> secrets.put(v, credentials.issue(v).secret()));
        LOG.infof("demo simulator: issued broker credentials for %s (each start replaces the last)", String.join(", ", secrets.keySet()));
        BrokerAccess base = broker();
        return new BrokerLogins(new BrokerAccess(base.url(), null, null, base.trustStore(), base.trustStorePassword(), base.keyStore(),
                base.keyStorePassword()), secrets);
    }

    private BrokerAccess broker() {
        return new BrokerAccess(mqtt.url(), mqtt.username().orElse(null), mqtt.password().orElse(null),
                mqtt.tls().trustStore().orElse(null), mqtt.tls().trustStorePassword().orElse(null),
                mqtt.tls().keyStore().orElse(null), mqtt.tls().keyStorePassword().orElse(null));
    }

    private void awaitReady(URI hub) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(hub.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + HUB_READY_WAIT.toNanos();
        while (!stopping && System.nanoTime() < deadline) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("the hub did not answer on " + hub + " within " + HUB_READY_WAIT.toSeconds() + " s");
    }

    private String whereToLook(URI hub, SimulatedPilot pilot, Provisioning.Result provisioned) {
        // The hub listens on loopback by default; "localhost" is what a person types.
        String base = hub.toString().replaceFirst("/$", "").replace("//127.0.0.1", "//localhost");
        StringBuilder s = new StringBuilder();
        s.append(String.format("%n%nKnutepunkt demo: %d simulated patients are measuring (seed %d); simulated time started %d days%n"
                + "back and runs ×%.0f until it reaches now, then at real pace.%n", pilot.patients().size(), config.seed(),
                config.daysBack().toDays(), config.factor()));
        String issuer = config.issuerUrl().replaceFirst("/$", "").replace("//127.0.0.1", "//localhost");
        s.append("  sign in            ").append(base).append("/logg-inn   (demo users: nurse, gp, hospital-doctor, admin, operator,\n")
                .append("                     patient; pages: /app for staff, /innbygger for the patient)\n");
        s.append("  a token for curl   TOKEN=$(curl -s '").append(issuer).append("/demo/token?user=nurse&format=text')\n");
        s.append("                     curl -H \"Authorization: Bearer $TOKEN\" ").append(base).append("/fhir/Patient?identifier=03855226811\n");
        s.append("  status page        ").append(base).append("/   (counts for the operator, patients for those allowed)\n");
        s.append("  API (OpenAPI)      ").append(base).append("/q/swagger-ui\n");
        s.append("  readings (FHIR, with a nurse's token) of the scripted patients:\n");
        for (SimulatedPatient p : pilot.patients()) {
            Optional<String> id = Optional.ofNullable(provisioned.patientIds().get(p.fodselsnummer()));
            if (!p.role().isEmpty() && id.isPresent()) {
                s.append(String.format("    %s (%s, %s): %s%n      %s/fhir/Observation?patient=%s&_sort=-date%n", p.name(),
                        p.programme().wireName(), p.vendor().id(), p.role(), base, id.get()));
            }
        }
        s.append("  Ctrl-C stops the simulator, the hub, the broker and PostgreSQL; a second start reuses the data.\n");
        return s.toString();
    }

    void onStop(@Observes ShutdownEvent stop) {
        stopping = true;
        Thread t = starter;
        if (t != null) {
            t.interrupt();
        }
        Simulator s = simulator;
        if (s != null) {
            // Briefly: the hub is stopping too, and receipts still under way are not worth holding it up.
            s.stop(Duration.ofSeconds(2));
            LOG.info("demo device simulator stopped\n" + s.report().stripTrailing());
        }
    }
}
