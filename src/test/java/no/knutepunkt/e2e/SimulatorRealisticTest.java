package no.knutepunkt.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.simulator.BrokerAccess;
import no.knutepunkt.simulator.DeviceType;
import no.knutepunkt.simulator.Episode;
import no.knutepunkt.simulator.HubLogins;
import no.knutepunkt.simulator.PatientDevice;
import no.knutepunkt.simulator.PatientKit;
import no.knutepunkt.simulator.PilotPlan;
import no.knutepunkt.simulator.Provisioning;
import no.knutepunkt.simulator.ReceiptTally;
import no.knutepunkt.simulator.SimulatedPatient;
import no.knutepunkt.simulator.SimulatedPilot;
import no.knutepunkt.simulator.Simulator;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Tokens;

/**
 * --provision and the realistic mode against a running hub: the pilot is registered through the
 * registry API (and a second time, finding everything there), a day of readings is sent at high
 * compression, every one is accepted, and they are in the FHIR API — the COPD exacerbation's low
 * SpO2, the scale in pounds as kilograms, the factory-default clock stored at the gateway's send time.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class SimulatorRealisticTest {

    private static final long SEED = 32;
    private static final int PATIENTS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BAD_CLOCK_TAG = "https://knutepunkt.no/fhir/CodeSystem/reading-flag";

    @Test
    void provisionedPilotMeasuresAndTheHubStoresEveryReading() throws Exception {
        SimulatedPilot pilot = PilotPlan.generate(SEED, PATIENTS, Instant.now());
        List<PatientKit> kits = PatientKit.of(pilot);
        int devices = pilot.devices().size();

        Provisioning.Result first = new Provisioning(hub(), logins()).provision(kits);
        assertThat(first.created()).containsEntry("patients", PATIENTS).containsEntry("devices", devices)
                .containsEntry("enrollments", PATIENTS).containsEntry("assignments", devices);
        Provisioning.Result second = new Provisioning(hub(), logins()).provision(kits);
        assertThat(second.createdTotal()).as("a second provisioning creates nothing: %s", second).isZero();
        assertThat(second.existing()).containsEntry("patients", PATIENTS).containsEntry("enrollments", PATIENTS)
                .containsEntry("assignments", devices).containsEntry("vendors", 3);
        assertThat(second.patientIds()).isEqualTo(first.patientIds());
        for (String patientId : first.patientIds().values()) {
            assertThat(registry("enrollments?patientId=" + patientId)).as("one enrollment per patient").hasSize(1);
        }

        // Two days back at 200,000 times real time: caught up within a second.
        Simulator simulator = Simulator.start(new Simulator.Settings(BrokerAccess.of(HubTestResource.mqttUrl()), pilot, 200_000,
                Duration.ofDays(2), Duration.ZERO, report -> { }, null));
        await().atMost(Duration.ofSeconds(30)).until(() -> !simulator.simulatedNow().isBefore(Instant.now().minusSeconds(1)));
        simulator.stop(Duration.ofSeconds(60));
        assertThat(simulator.failure()).isNull();

        ReceiptTally.Counts total = simulator.tally().total();
        assertThat(total.messages()).isGreaterThan(30);
        assertThat(total.awaiting()).as("every message has its receipt").isZero();
        assertThat(total.accepted()).as(simulator.tally().report()).isEqualTo(total.readings());
        assertThat(simulator.tally().snapshot()).containsOnlyKeys("nordic-telecare", "acme-medical", "medgw");

        List<JsonNode> all = new ArrayList<>();
        for (SimulatedPatient p : pilot.patients()) {
            all.addAll(observations(first.patientIds().get(p.fodselsnummer())));
        }
        assertThat(all).as("one Observation per accepted reading").hasSize((int) total.accepted());

        SimulatedPatient copd = pilot.withEpisode(Episode.Kind.COPD_EXACERBATION).orElseThrow();
        List<Double> spo2 = values(observations(first.patientIds().get(copd.fodselsnummer())), "2708-6");
        assertThat(spo2).isNotEmpty().anySatisfy(v -> assertThat(v).isBetween(86.0, 89.0));

        SimulatedPatient pounds = pilot.patients().stream().filter(p -> p.devices().stream().anyMatch(PatientDevice::poundsScale))
                .findFirst().orElseThrow();
        List<JsonNode> weights = observations(first.patientIds().get(pounds.fodselsnummer())).stream()
                .filter(o -> code(o).equals("29463-7")).toList();
        assertThat(weights).isNotEmpty().allSatisfy(o -> {
            assertThat(o.at("/valueQuantity/code").asText()).isEqualTo("kg");
            assertThat(o.at("/valueQuantity/value").asDouble()).isBetween(50.0, 120.0);
        });

        SimulatedPatient clock = pilot.patients().stream().filter(p -> p.devices().stream().anyMatch(PatientDevice::factoryClock))
                .findFirst().orElseThrow();
        String cuff = clock.device(DeviceType.BP_CUFF).serial();
        List<JsonNode> clockBp = observations(first.patientIds().get(clock.fodselsnummer())).stream()
                .filter(o -> code(o).equals("85354-9")).toList();
        assertThat(clockBp).as("blood pressure from " + cuff).isNotEmpty().allSatisfy(o -> {
            assertThat(o.path("meta").path("tag")).anySatisfy(tag -> {
                assertThat(tag.path("system").asText()).isEqualTo(BAD_CLOCK_TAG);
                assertThat(tag.path("code").asText()).isEqualTo("bad-device-clock");
            });
            assertThat(Instant.parse(o.path("effectiveDateTime").asText())).isAfter(Instant.now().minus(Duration.ofDays(3)));
        });
    }

    /** As the pilot municipality's nurse: her follow-up service is in every simulated patient's care team. */
    private static List<JsonNode> observations(String patientId) throws IOException {
        String body = given().auth().oauth2(Tokens.clinician(SimulatedPilot.MUNICIPALITY.orgNumber(), "9100001"))
                .queryParam("patient", patientId).queryParam("_count", 1000).queryParam("_format", "json")
                .get("/fhir/Observation").then().statusCode(200).extract().asString();
        List<JsonNode> found = new ArrayList<>();
        JSON.readTree(body).path("entry").forEach(e -> found.add(e.path("resource")));
        return found;
    }

    private static List<Double> values(List<JsonNode> observations, String loinc) {
        return observations.stream().filter(o -> code(o).equals(loinc)).map(o -> o.at("/valueQuantity/value").asDouble()).toList();
    }

    private static String code(JsonNode observation) {
        return observation.at("/code/coding/0/code").asText();
    }

    private static JsonNode registry(String path) throws IOException {
        return JSON.readTree(given().auth().oauth2(Tokens.admin(SimulatedPilot.MUNICIPALITY.orgNumber())).get("/api/registry/" + path)
                .then().statusCode(200).extract().asString());
    }

    private static URI hub() {
        return URI.create(ConfigProvider.getConfig().getValue("test.url", String.class));
    }

    /** Provisioning signs in as the hub's operator and as an admin of the simulated pilot's municipality. */
    private static HubLogins logins() {
        return new HubLogins(Tokens.operator(), Tokens.admin(SimulatedPilot.MUNICIPALITY.orgNumber()));
    }
}
