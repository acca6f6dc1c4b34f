package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URL;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.fhir.FhirValidation;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Pilot;
import no.knutepunkt.testing.VendorClient;

/**
 * Every measurement kind, in each of the three formats, with the unit conversions the contract
 * names (kPa, lb, °F, mg/dL), from MQTT to the FHIR API: the right LOINC codes, UCUM unit and
 * converted value, and every Observation valid against the FHIR R4 core profiles.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FormatsEndToEndTest {

    private static final String UCUM = "http://unitsofmeasure.org";

    @TestHTTPResource("/fhir")
    URL fhirBase;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, Observation> byIdentifier = new HashMap<>();
    private Pilot.Patient patient;
    private OffsetDateTime sent;
    /** A nurse of the municipality that follows the patient: the care team reads the FHIR API. */
    private String nurse;

    @BeforeAll
    void publishEveryKindInEveryFormat() throws Exception {
        Pilot.vendors();
        UUID municipality = Pilot.organisation("Prøvevik kommune " + run, "municipality");
        nurse = Pilot.clinicianOf(municipality, "9100101");
        OffsetDateTime since = OffsetDateTime.now().minusDays(10);
        patient = Pilot.patient("Kari", "Prøve");
        UUID enrollment = Pilot.enroll(patient, municipality, since);
        for (String[] d : new String[][] { { Pilot.CANONICAL, "NT-" + run }, { Pilot.ACME, "AC-" + run }, { Pilot.MEDGW, "GW-" + run },
                { Pilot.MEDGW, "OX-" + run }, { Pilot.MEDGW, "BP-" + run }, { Pilot.MEDGW, "TH-" + run }, { Pilot.MEDGW, "SC-" + run },
                { Pilot.MEDGW, "GL-" + run } }) {
            Pilot.device(d[0], d[1]);
            Pilot.assign(enrollment, d[0], d[1], since, null);
        }

        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusMinutes(3).truncatedTo(ChronoUnit.SECONDS);
        sent = at.withOffsetSameInstant(ZoneOffset.UTC).plusSeconds(30);
        List<String> messages = new ArrayList<>();
        try (VendorClient vendor = new VendorClient()) {
            String nt = "NT-" + run;
            canonical(vendor, messages, nt, "c1", at, "systolic", "132", "mm[Hg]", "diastolic", "84", "mm[Hg]", "mean-arterial", "100",
                    "mm[Hg]", "pulse", "71", "/min");
            canonical(vendor, messages, nt, "c2", at.plusSeconds(1), "systolic", "17.6", "kPa", "diastolic", "11.2", "kPa");
            canonical(vendor, messages, nt, "c3", at.plusSeconds(2), "spo2", "94", "%");
            canonical(vendor, messages, nt, "c4", at.plusSeconds(3), "weight", "176.4", "[lb_av]");
            canonical(vendor, messages, nt, "c5", at.plusSeconds(4), "temperature", "101.3", "[degF]");
            canonical(vendor, messages, nt, "c6", at.plusSeconds(5), "glucose", "90", "mg/dL");
            canonical(vendor, messages, nt, "c7", at.plusSeconds(6), "respiratory-rate", "16", "/min");
            canonical(vendor, messages, nt, "c8", at.plusSeconds(7), "glucose", "\"HI\"", "mmol/L");

            String ac = "AC-" + run;
            long ms = at.toInstant().toEpochMilli();
            acme(vendor, messages, ac, "a1", ms, "BP", "\"132/84/100\"", "mmHg");
            acme(vendor, messages, ac, "a2", ms + 1000, "PULSE", "71", "bpm");
            acme(vendor, messages, ac, "a3", ms + 2000, "SPO2", "95", "%");
            acme(vendor, messages, ac, "a4", ms + 3000, "WEIGHT", "176.4", "lbs");
            acme(vendor, messages, ac, "a5", ms + 4000, "TEMP", "98.6", "F");
            acme(vendor, messages, ac, "a6", ms + 5000, "GLUCOSE", "126", "mg/dL");
            acme(vendor, messages, ac, "a7", ms + 6000, "RESP", "14", "/min");
            acme(vendor, messages, ac, "a8", ms + 7000, "GLUCOSE", "\"LO\"", "MMOL/L");
            acme(vendor, messages, ac, "a9", ms + 8000, "BP", "\"17.6/11.2\"", "kPa");

            String t = at.withOffsetSameInstant(ZoneOffset.UTC).toString();
            String gw = "GW-" + run;
            String batch = """
                    {"gateway": "%1$s", "sent": "%2$s", "observations": [
                      {"seq": 1, "device": {"serial": "OX-%3$s", "model": "PO-200"}, "mdc": 150456, "value": 94, "unitCode": 544, "time": "%4$s"},
                      {"seq": 2, "device": {"serial": "OX-%3$s"}, "mdc": 149530, "value": 88, "unitCode": 2720, "time": "%4$s"},
                      {"seq": 3, "device": {"serial": "BP-%3$s"}, "mdc": 150020, "unitCode": 3872, "time": "%4$s",
                       "compound": [{"mdc": 150021, "value": 141}, {"mdc": 150022, "value": 92}, {"mdc": 150023, "value": 108}]},
                      {"seq": 4, "device": {"serial": "BP-%3$s"}, "mdc": 149546, "value": 72, "unitCode": 2720, "time": "%4$s"},
                      {"seq": 5, "device": {"serial": "TH-%3$s"}, "mdc": 150364, "value": 37.2, "unitCode": 6048, "time": "%4$s"},
                      {"seq": 6, "device": {"serial": "SC-%3$s"}, "mdc": 188736, "value": 176.4, "unitCode": 1760, "time": "%4$s"},
                      {"seq": 7, "device": {"serial": "OX-%3$s"}, "mdc": 151562, "value": 18, "unitCode": 2784, "time": "%5$s"},
                      {"seq": 8, "device": {"serial": "GL-%3$s"}, "mdc": 160184, "value": 5.6, "unitCode": 4722, "time": "%4$s"},
                      {"seq": 9, "device": {"serial": "GL-%3$s"}, "mdc": 160184, "value": 90, "unitCode": 2130, "time": "%5$s"},
                      {"seq": 10, "device": {"serial": "TH-%3$s"}, "mdc": 150364, "value": 98.6, "unitCode": 4416, "time": "%5$s"},
                      {"seq": 11, "device": {"serial": "BP-%3$s"}, "mdc": 150020, "unitCode": 3843, "time": "%5$s",
                       "compound": [{"mdc": 150021, "value": 17.6}, {"mdc": 150022, "value": 11.2}, {"mdc": 150023, "value": 13.3}]},
                      {"seq": 12, "device": {"serial": "OX-%3$s"}, "mdc": 150456, "value": 96, "unitCode": 544, "time": "1970-01-01T00:00:09Z"}
                    ]}""".formatted(gw, sent, run, t, at.plusSeconds(1).withOffsetSameInstant(ZoneOffset.UTC));
            vendor.publish(Pilot.MEDGW, gw, batch);
            messages.add(gw + ":" + sent);

            for (String id : messages) {
                assertThat(vendor.awaitReceipt(id).get("status").asText()).as("receipt of %s", id).isEqualTo("accepted");
            }
        }

        FhirValidation.context().getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient fhir = fhir();
        Bundle page = fhir.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient.id().toString())).count(10)
                .returnBundle(Bundle.class).execute();
        while (true) {
            for (Bundle.BundleEntryComponent e : page.getEntry()) {
                Observation o = (Observation) e.getResource();
                byIdentifier.put(o.getIdentifierFirstRep().getValue(), o);
            }
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                break;
            }
            page = fhir.loadPage().next(page).execute();
        }
    }

    private void canonical(VendorClient vendor, List<String> messages, String device, String id, OffsetDateTime at, String... triples)
            throws Exception {
        StringBuilder readings = new StringBuilder();
        for (int i = 0; i < triples.length; i += 3) {
            readings.append(i == 0 ? "" : ",").append("{\"kind\": \"%s\", \"value\": %s, \"unit\": \"%s\"}".formatted(triples[i],
                    triples[i + 1], triples[i + 2]));
        }
        String messageId = id + "-" + run;
        vendor.publish(Pilot.CANONICAL, device, """
                {"messageId": "%s", "deviceId": "%s", "measuredAt": "%s", "readings": [%s]}""".formatted(messageId, device, at, readings));
        messages.add(messageId);
    }

    private void acme(VendorClient vendor, List<String> messages, String device, String id, long ts, String metric, String val, String uom)
            throws Exception {
        String messageId = id + "-" + run;
        vendor.publish(Pilot.ACME, device, """
                {"id": "%s", "sn": "%s", "ts": %d, "metric": "%s", "val": %s, "uom": "%s"}""".formatted(messageId, device, ts, metric, val, uom));
        messages.add(messageId);
    }

    private Observation observation(String identifier) {
        Observation o = byIdentifier.get(identifier.replace("RUN", run));
        assertThat(o).as("Observation %s in the FHIR API", identifier).isNotNull();
        return o;
    }

    private static void assertCodes(Observation o, String... loinc) {
        assertThat(o.getCode().getCoding()).filteredOn(c -> "http://loinc.org".equals(c.getSystem())).extracting(Coding::getCode)
                .containsExactly(loinc);
        assertThat(o.getCode().getCoding()).anyMatch(c -> "http://snomed.info/sct".equals(c.getSystem()));
    }

    private static void assertQuantity(Quantity q, String value, String unit) {
        assertThat(q.getSystem()).isEqualTo(UCUM);
        assertThat(q.getCode()).isEqualTo(unit);
        assertThat(q.getUnit()).isEqualTo(unit);
        assertThat(q.getValue()).isEqualByComparingTo(new BigDecimal(value));
        assertThat(q.getValue().toPlainString()).isEqualTo(value);
    }

    private static void assertPanel(Observation o, String sys, String dia, String mean) {
        assertCodes(o, "85354-9");
        assertThat(o.hasValue()).isFalse();
        Map<String, Quantity> components = new HashMap<>();
        o.getComponent().forEach(c -> components.put(c.getCode().getCodingFirstRep().getCode(), c.getValueQuantity()));
        assertQuantity(components.get("8480-6"), sys, "mm[Hg]");
        assertQuantity(components.get("8462-4"), dia, "mm[Hg]");
        if (mean == null) {
            assertThat(components).doesNotContainKey("8478-0");
        } else {
            assertQuantity(components.get("8478-0"), mean, "mm[Hg]");
        }
    }

    @Test
    void everyReadingArrivedOnceAsAnObservationOfThePatient() {
        // 8 canonical messages (c1 has a panel and a pulse), 9 acme-flat, 12 gateway observations.
        assertThat(byIdentifier).hasSize(9 + 9 + 12);
        byIdentifier.values().forEach(o -> {
            assertThat(o.getSubject().getIdentifier().getValue()).isEqualTo(patient.identifier());
            assertThat(o.getSubject().getIdentifier().getSystem()).isEqualTo("urn:oid:2.16.578.1.12.4.1.4.1");
            assertThat(o.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
        });
    }

    @Test
    void everyObservationValidatesAgainstTheCoreProfiles() {
        byIdentifier.forEach((id, o) -> assertThat(FhirValidation.errors(o)).as("validation of %s", id).isEmpty());
    }

    @Test
    void canonicalFormat() {
        assertPanel(observation("c1-RUN#bp"), "132", "84", "100");
        Observation pulse = observation("c1-RUN#pulse");
        assertCodes(pulse, "8867-4");
        assertQuantity(pulse.getValueQuantity(), "71", "/min");
        // 17.6 kPa = 132.01 mm[Hg], 11.2 kPa = 84.01 mm[Hg].
        assertPanel(observation("c2-RUN#bp"), "132", "84", null);
        Observation spo2 = observation("c3-RUN#spo2");
        assertCodes(spo2, "2708-6", "59408-5");
        assertQuantity(spo2.getValueQuantity(), "94", "%");
        // 176.4 lb = 80.0137 kg.
        assertCodes(observation("c4-RUN#weight"), "29463-7");
        assertQuantity(observation("c4-RUN#weight").getValueQuantity(), "80.0", "kg");
        // (101.3 − 32) × 5/9 = 38.5 °C.
        assertCodes(observation("c5-RUN#temperature"), "8310-5");
        assertQuantity(observation("c5-RUN#temperature").getValueQuantity(), "38.5", "Cel");
        // 90 mg/dL ÷ 18.016 = 4.996 mmol/L.
        assertCodes(observation("c6-RUN#glucose"), "15074-8");
        assertQuantity(observation("c6-RUN#glucose").getValueQuantity(), "5.0", "mmol/L");
        assertCodes(observation("c7-RUN#respiratory-rate"), "9279-1");
        assertQuantity(observation("c7-RUN#respiratory-rate").getValueQuantity(), "16", "/min");
        // HI: above the meter's range, at its registered limit (33.3 mmol/L unless registered otherwise).
        Quantity hi = observation("c8-RUN#glucose").getValueQuantity();
        assertThat(hi.getComparator()).isEqualTo(Quantity.QuantityComparator.GREATER_THAN);
        assertQuantity(hi, "33.3", "mmol/L");
    }

    @Test
    void canonicalKeepsTheSendersOffset() {
        assertThat(observation("c3-RUN#spo2").getEffectiveDateTimeType().getValueAsString()).endsWith("+01:00");
    }

    @Test
    void acmeFlatFormat() {
        assertPanel(observation("a1-RUN#bp"), "132", "84", "100");
        assertQuantity(observation("a2-RUN#pulse").getValueQuantity(), "71", "/min");
        assertQuantity(observation("a3-RUN#spo2").getValueQuantity(), "95", "%");
        assertQuantity(observation("a4-RUN#weight").getValueQuantity(), "80.0", "kg");
        // (98.6 − 32) × 5/9 = 37.0 °C.
        assertQuantity(observation("a5-RUN#temperature").getValueQuantity(), "37.0", "Cel");
        // 126 mg/dL ÷ 18.016 = 6.994 mmol/L.
        assertQuantity(observation("a6-RUN#glucose").getValueQuantity(), "7.0", "mmol/L");
        assertQuantity(observation("a7-RUN#respiratory-rate").getValueQuantity(), "14", "/min");
        Quantity lo = observation("a8-RUN#glucose").getValueQuantity();
        assertThat(lo.getComparator()).isEqualTo(Quantity.QuantityComparator.LESS_THAN);
        assertQuantity(lo, "1.1", "mmol/L");
        assertPanel(observation("a9-RUN#bp"), "132", "84", null);
        // Epoch milliseconds become UTC.
        assertThat(observation("a3-RUN#spo2").getEffectiveDateTimeType().getValueAsString()).endsWith("Z");
    }

    @Test
    void gatewayFormat() {
        assertQuantity(observation("GW-RUN:1").getValueQuantity(), "94", "%");
        assertCodes(observation("GW-RUN:2"), "8867-4");
        assertQuantity(observation("GW-RUN:2").getValueQuantity(), "88", "/min");
        assertPanel(observation("GW-RUN:3"), "141", "92", "108");
        assertQuantity(observation("GW-RUN:4").getValueQuantity(), "72", "/min");
        assertQuantity(observation("GW-RUN:5").getValueQuantity(), "37.2", "Cel");
        assertQuantity(observation("GW-RUN:6").getValueQuantity(), "80.0", "kg");
        assertCodes(observation("GW-RUN:7"), "9279-1");
        assertQuantity(observation("GW-RUN:7").getValueQuantity(), "18", "/min");
        assertQuantity(observation("GW-RUN:8").getValueQuantity(), "5.6", "mmol/L");
        assertQuantity(observation("GW-RUN:9").getValueQuantity(), "5.0", "mmol/L");
        assertQuantity(observation("GW-RUN:10").getValueQuantity(), "37.0", "Cel");
        // 13.3 kPa = 99.76 mm[Hg].
        assertPanel(observation("GW-RUN:11"), "132", "84", "100");
        Observation spo2 = observation("GW-RUN:1");
        assertThat(spo2.getDevice().getIdentifier().getValue()).isEqualTo("OX-" + run);
        assertThat(spo2.getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice")).isNotNull();
    }

    @Test
    void badDeviceClockIsStoredAtTheGatewaySendTimeAndFlagged() {
        Observation o = observation("GW-RUN:12");
        assertThat(o.getMeta().getTag()).anyMatch(t -> "bad-device-clock".equals(t.getCode()));
        assertThat(o.getEffectiveDateTimeType().getValue().toInstant()).isEqualTo(sent.toInstant());
        assertThat(o.getExtensionByUrl("https://knutepunkt.no/fhir/StructureDefinition/device-reported-time")).isNotNull();
    }

    @Test
    void searchByCodeFindsEveryFormatsWeights() {
        IGenericClient fhir = fhir();
        Bundle weights = fhir.search().forResource(Observation.class).where(Observation.PATIENT.hasId(patient.id().toString()))
                .and(Observation.CODE.exactly().systemAndCode("http://loinc.org", "29463-7")).returnBundle(Bundle.class).execute();
        assertThat(weights.getEntry()).extracting(e -> ((Observation) e.getResource()).getIdentifierFirstRep().getValue())
                .containsExactlyInAnyOrder("c4-" + run + "#weight", "a4-" + run + "#weight", "GW-" + run + ":6");
    }

    private IGenericClient fhir() {
        IGenericClient fhir = FhirValidation.context().newRestfulGenericClient(fhirBase.toString());
        fhir.registerInterceptor(new BearerTokenAuthInterceptor(nurse));
        return fhir;
    }
}
