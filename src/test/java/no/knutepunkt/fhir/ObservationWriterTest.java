package no.knutepunkt.fhir;

import no.knutepunkt.testing.TestIdentities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import ca.uhn.fhir.parser.IParser;
import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;
import no.knutepunkt.registry.DeviceRouting.Subject;

class ObservationWriterTest {

    static final String VENDOR = "nordic-telecare";
    static final String FNR = TestIdentities.fodselsnummer(LocalDate.of(1967, 5, 15), 100);
    static final String DNR = TestIdentities.dNummer(LocalDate.of(1981, 2, 3), 200);
    static final Subject FNR_SUBJECT = new Subject(UUID.randomUUID(), "fnr", FNR, "Kari Nordmann", "974760673",
            "Testkommune helse og omsorg");
    static final Subject DNR_SUBJECT = new Subject(UUID.randomUUID(), "dnr", DNR, "Ola Gjest", "974760673",
            "Testkommune helse og omsorg");
    static final OffsetDateTime MEASURED = OffsetDateTime.parse("2026-11-22T08:15:00+01:00");
    static final OffsetDateTime ISSUED = OffsetDateTime.parse("2026-11-22T07:15:01.250Z");

    final ObservationWriter writer = new ObservationWriter();
    final IParser parser = FhirValidation.context().newJsonParser();

    static Reading reading(String key, ObservationKind kind, OffsetDateTime at, Value... values) {
        return new Reading(key, kind, List.of(values), "NT-000123", null, at, null, false);
    }

    static Value v(Kind kind, String value) {
        return Value.exact(kind, new BigDecimal(value));
    }

    static final Reading BP = reading("m1#bp", ObservationKind.BLOOD_PRESSURE, MEASURED,
            v(Kind.SYSTOLIC, "132"), v(Kind.DIASTOLIC, "84"), v(Kind.MEAN_ARTERIAL, "100"));
    static final Reading BP_WITHOUT_MEAN = reading("m2#bp", ObservationKind.BLOOD_PRESSURE, MEASURED,
            v(Kind.SYSTOLIC, "141"), v(Kind.DIASTOLIC, "92"));
    static final Reading PULSE = reading("m1#pulse", ObservationKind.HEART_RATE, MEASURED, v(Kind.PULSE, "71"));
    static final Reading SPO2 = reading("m3#spo2", ObservationKind.OXYGEN_SATURATION, MEASURED, v(Kind.SPO2, "94"));
    static final Reading WEIGHT = reading("m4#weight", ObservationKind.BODY_WEIGHT,
            OffsetDateTime.parse("2026-11-22T07:10:00Z"), v(Kind.WEIGHT, "80.0"));
    static final Reading TEMPERATURE = reading("m5#temperature", ObservationKind.BODY_TEMPERATURE, MEASURED,
            v(Kind.TEMPERATURE, "37.2"));
    static final Reading CORE_TEMPERATURE = new Reading("m6#temperature", ObservationKind.BODY_TEMPERATURE,
            List.of(v(Kind.TEMPERATURE, "38.4")), "NT-TEMP-7", "TT-1", MEASURED, null, true);
    static final Reading RESPIRATORY_RATE = reading("m7#respiratory-rate", ObservationKind.RESPIRATORY_RATE, MEASURED,
            v(Kind.RESPIRATORY_RATE, "16"));
    static final Reading GLUCOSE = reading("m8#glucose", ObservationKind.BLOOD_GLUCOSE, MEASURED, v(Kind.GLUCOSE, "6.4"));
    static final Reading GLUCOSE_HI = reading("m9#glucose", ObservationKind.BLOOD_GLUCOSE, MEASURED,
            new Value(Kind.GLUCOSE, null, ">").withLimit(new BigDecimal("33.3")));
    static final Reading GLUCOSE_LO = reading("m10#glucose", ObservationKind.BLOOD_GLUCOSE, MEASURED,
            new Value(Kind.GLUCOSE, null, "<").withLimit(new BigDecimal("1.1")));
    // medgw: a device clock stuck in 1999, so the gateway's send time is the effective time.
    static final Reading GATEWAY_BAD_CLOCK = new Reading("GW-00042:1001", ObservationKind.OXYGEN_SATURATION,
            List.of(v(Kind.SPO2, "95")), "OX-99812", "PO-200", OffsetDateTime.parse("2026-11-22T07:15:03Z"),
            OffsetDateTime.parse("1999-12-31T23:59:58.500Z"), false);

    static Stream<Arguments> everyKind() {
        return Stream.of(
                Arguments.of("blood pressure with mean", BP, FNR_SUBJECT, null),
                Arguments.of("blood pressure without mean", BP_WITHOUT_MEAN, DNR_SUBJECT, null),
                Arguments.of("pulse", PULSE, FNR_SUBJECT, null),
                Arguments.of("spo2", SPO2, FNR_SUBJECT, null),
                Arguments.of("weight", WEIGHT, FNR_SUBJECT, null),
                Arguments.of("temperature", TEMPERATURE, FNR_SUBJECT, null),
                Arguments.of("core temperature", CORE_TEMPERATURE, FNR_SUBJECT, null),
                Arguments.of("respiratory rate", RESPIRATORY_RATE, FNR_SUBJECT, null),
                Arguments.of("glucose", GLUCOSE, FNR_SUBJECT, null),
                Arguments.of("glucose HI", GLUCOSE_HI, FNR_SUBJECT, null),
                Arguments.of("glucose LO", GLUCOSE_LO, FNR_SUBJECT, null),
                Arguments.of("bad-clock gateway reading", GATEWAY_BAD_CLOCK, DNR_SUBJECT, "GW-00042"));
    }

    String write(Reading r, Subject s, String gateway) {
        return writer.write(UUID.randomUUID(), gateway == null ? VENDOR : "medgw", r, s, gateway, ISSUED, false);
    }

    Observation parse(String json) {
        return parser.parseResource(Observation.class, json);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKind")
    void meetsTheCoreProfilesWithoutErrors(String name, Reading r, Subject s, String gateway) {
        String json = write(r, s, gateway);
        List<String> errors = FhirValidation.errors(json);
        if (!errors.isEmpty()) {
            System.out.println(name + ":\n" + json);
            FhirValidation.messages(json).forEach(System.out::println);
        }
        assertThat(errors).as(name).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKind")
    void survivesHapiRoundTrip(String name, Reading r, Subject s, String gateway) {
        Observation first = parse(write(r, s, gateway));
        Observation second = parse(parser.encodeResourceToString(first));
        assertThat(second.equalsDeep(first)).as(name).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKind")
    void carriesTheFieldsEveryObservationHas(String name, Reading r, Subject s, String gateway) {
        UUID id = UUID.randomUUID();
        String vendor = gateway == null ? VENDOR : "medgw";
        Observation o = parse(writer.write(id, vendor, r, s, gateway, ISSUED, false));

        assertThat(o.getIdElement().getIdPart()).isEqualTo(id.toString());
        assertThat(o.getIdentifier()).singleElement().satisfies(i -> {
            assertThat(i.getSystem()).isEqualTo("https://knutepunkt.no/fhir/vendor/" + vendor + "/message");
            assertThat(i.getValue()).isEqualTo(r.key());
        });
        assertThat(o.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
        assertThat(o.getCategory()).singleElement().satisfies(c -> assertThat(c.getCoding()).singleElement().satisfies(cc -> {
            assertThat(cc.getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/observation-category");
            assertThat(cc.getCode()).isEqualTo("vital-signs");
            assertThat(cc.getDisplay()).isEqualTo("Vital Signs");
        }));
        Reference subject = o.getSubject();
        assertThat(subject.hasReference()).as("logical reference only").isFalse();
        assertThat(subject.getIdentifier().getSystem())
                .isEqualTo(s.identifierSystem().equals("fnr") ? "urn:oid:2.16.578.1.12.4.1.4.1" : "urn:oid:2.16.578.1.12.4.1.4.2");
        assertThat(subject.getIdentifier().getValue()).isEqualTo(s.identifier());
        assertThat(subject.getDisplay()).isEqualTo(s.name());
        assertThat(o.getPerformer()).singleElement().satisfies(p -> {
            assertThat(p.hasReference()).isFalse();
            assertThat(p.getIdentifier().getSystem()).isEqualTo("urn:oid:2.16.578.1.12.4.1.4.101");
            assertThat(p.getIdentifier().getValue()).isEqualTo("974760673");
            assertThat(p.getDisplay()).isEqualTo("Testkommune helse og omsorg");
        });
        assertThat(o.getDevice().getIdentifier().getSystem()).isEqualTo("https://knutepunkt.no/fhir/vendor/" + vendor + "/device");
        assertThat(o.getDevice().getIdentifier().getValue()).isEqualTo(r.device());
        assertThat(o.getIssuedElement().getValueAsString()).isEqualTo("2026-11-22T07:15:01.250Z");
        assertThat(o.getMeta().getProfile()).extracting(p -> p.getValue())
                .containsExactlyElementsOf(r.kind().profile() == null ? List.of() : List.of(r.kind().profile()));
        assertThat(o.getCode().getCoding()).filteredOn(c -> c.getSystem().equals("http://loinc.org"))
                .extracting(Coding::getCode)
                .containsExactlyElementsOf(r.kind().loinc().stream().map(ObservationKind.Code::code).toList());
        assertThat(o.getCode().getCoding()).allSatisfy(c -> assertThat(c.getDisplay()).isNotBlank());
    }

    @Test
    void bloodPressureIsAPanelOfComponentsInMillimetresOfMercury() {
        Observation o = parse(write(BP, FNR_SUBJECT, null));
        assertThat(o.hasValue()).isFalse();
        assertThat(codes(o.getCode())).containsExactly("http://loinc.org|85354-9", "http://snomed.info/sct|75367002");
        assertThat(o.getComponent()).hasSize(3);
        assertComponent(o.getComponent().get(0), "8480-6", "271649006", "132");
        assertComponent(o.getComponent().get(1), "8462-4", "271650006", "84");
        assertComponent(o.getComponent().get(2), "8478-0", "6797001", "100");

        Observation withoutMean = parse(write(BP_WITHOUT_MEAN, FNR_SUBJECT, null));
        assertThat(withoutMean.getComponent()).hasSize(2);
        assertComponent(withoutMean.getComponent().get(0), "8480-6", "271649006", "141");
        assertComponent(withoutMean.getComponent().get(1), "8462-4", "271650006", "92");
    }

    private static void assertComponent(Observation.ObservationComponentComponent c, String loinc, String snomed, String value) {
        assertThat(codes(c.getCode())).containsExactly("http://loinc.org|" + loinc, "http://snomed.info/sct|" + snomed);
        assertQuantity(c.getValueQuantity(), value, "mm[Hg]");
    }

    @Test
    void eachSingleValueKindHasItsCodesAndCanonicalUnit() {
        assertSingle(PULSE, List.of("http://loinc.org|8867-4", "http://snomed.info/sct|364075005"), "71", "/min");
        assertSingle(SPO2, List.of("http://loinc.org|2708-6", "http://loinc.org|59408-5", "http://snomed.info/sct|431314004"),
                "94", "%");
        assertSingle(WEIGHT, List.of("http://loinc.org|29463-7", "http://snomed.info/sct|27113001"), "80.0", "kg");
        assertSingle(TEMPERATURE, List.of("http://loinc.org|8310-5", "http://snomed.info/sct|386725007"), "37.2", "Cel");
        assertSingle(CORE_TEMPERATURE, List.of("http://loinc.org|8310-5", "http://snomed.info/sct|276885007"), "38.4", "Cel");
        assertSingle(RESPIRATORY_RATE, List.of("http://loinc.org|9279-1", "http://snomed.info/sct|86290005"), "16", "/min");
        assertSingle(GLUCOSE, List.of("http://loinc.org|15074-8", "http://snomed.info/sct|434912009",
                "urn:oid:2.16.578.1.12.4.1.1.7280|NPU02187"), "6.4", "mmol/L");
    }

    private void assertSingle(Reading r, List<String> codes, String value, String unit) {
        Observation o = parse(write(r, FNR_SUBJECT, null));
        assertThat(codes(o.getCode())).as(r.key()).containsExactlyElementsOf(codes);
        assertQuantity(o.getValueQuantity(), value, unit);
        assertThat(o.getValueQuantity().hasComparator()).isFalse();
        assertThat(o.hasComponent()).isFalse();
    }

    @Test
    void numbersKeepTheirScale() {
        // 80.0 kg was rounded to 0.1 kg: the trailing zero is precision, not noise.
        assertThat(write(WEIGHT, FNR_SUBJECT, null)).contains("\"value\":80.0,");
        assertThat(write(BP, FNR_SUBJECT, null)).contains("\"value\":132,").doesNotContain("132.0");
        assertThat(parse(write(WEIGHT, FNR_SUBJECT, null)).getValueQuantity().getValue().scale()).isEqualTo(1);
    }

    @Test
    void glucoseOutOfTheMetersRangeIsAComparatorAtItsLimit() {
        Quantity hi = parse(write(GLUCOSE_HI, FNR_SUBJECT, null)).getValueQuantity();
        assertThat(hi.getComparator()).isEqualTo(Quantity.QuantityComparator.GREATER_THAN);
        assertQuantity(hi, "33.3", "mmol/L");
        Quantity lo = parse(write(GLUCOSE_LO, FNR_SUBJECT, null)).getValueQuantity();
        assertThat(lo.getComparator()).isEqualTo(Quantity.QuantityComparator.LESS_THAN);
        assertQuantity(lo, "1.1", "mmol/L");
    }

    @Test
    void glucoseWithoutItsLimitIsRefused() {
        Reading noLimit = reading("m11#glucose", ObservationKind.BLOOD_GLUCOSE, MEASURED, new Value(Kind.GLUCOSE, null, ">"));
        assertThatThrownBy(() -> write(noLimit, FNR_SUBJECT, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bloodPressureWithoutDiastolicIsRefused() {
        Reading half = reading("m12#bp", ObservationKind.BLOOD_PRESSURE, MEASURED, v(Kind.SYSTOLIC, "132"));
        assertThatThrownBy(() -> write(half, FNR_SUBJECT, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void effectiveKeepsTheSendersOffset() {
        assertThat(parse(write(PULSE, FNR_SUBJECT, null)).getEffectiveDateTimeType().getValueAsString())
                .isEqualTo("2026-11-22T08:15:00+01:00");
        assertThat(parse(write(WEIGHT, FNR_SUBJECT, null)).getEffectiveDateTimeType().getValueAsString())
                .isEqualTo("2026-11-22T07:10:00Z");
    }

    @Test
    void aReadingWithoutGatewayOrBadClockHasNoExtensionsNorTags() {
        Observation o = parse(write(SPO2, FNR_SUBJECT, null));
        assertThat(o.getExtension()).isEmpty();
        assertThat(o.getMeta().getTag()).isEmpty();
    }

    @Test
    void glucoseClaimsNoProfileAndHasNoMeta() {
        assertThat(write(GLUCOSE, FNR_SUBJECT, null)).doesNotContain("\"meta\"");
    }

    @Test
    void badClockGatewayReadingIsFlaggedAndNamesItsGateway() {
        Observation o = parse(writer.write(UUID.randomUUID(), "medgw", GATEWAY_BAD_CLOCK, DNR_SUBJECT, "GW-00042", ISSUED, false));

        assertThat(o.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-11-22T07:15:03Z");
        assertThat(o.getMeta().getTag()).singleElement().satisfies(t -> {
            assertThat(t.getSystem()).isEqualTo("https://knutepunkt.no/fhir/CodeSystem/reading-flag");
            assertThat(t.getCode()).isEqualTo("bad-device-clock");
        });
        assertThat(o.getMeta().getProfile()).extracting(p -> p.getValue())
                .containsExactly("http://hl7.org/fhir/StructureDefinition/oxygensat");
        Extension reported = o.getExtensionByUrl("https://knutepunkt.no/fhir/StructureDefinition/device-reported-time");
        assertThat(reported.getValue().primitiveValue()).isEqualTo("1999-12-31T23:59:58.500Z");
        Extension gateway = o.getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice");
        Reference gw = (Reference) gateway.getValue();
        assertThat(gw.getIdentifier().getSystem()).isEqualTo("https://knutepunkt.no/fhir/vendor/medgw/device");
        assertThat(gw.getIdentifier().getValue()).isEqualTo("GW-00042");
        assertThat(o.getDevice().getIdentifier().getValue()).isEqualTo("OX-99812");
        assertThat(o.getSubject().getIdentifier().getSystem()).isEqualTo("urn:oid:2.16.578.1.12.4.1.4.2");
    }

    @Test
    void gatewayWithAGoodClockHasOnlyTheGatewayExtension() {
        Reading good = new Reading("GW-00042:1002", ObservationKind.HEART_RATE, List.of(v(Kind.PULSE, "88")), "OX-99812",
                null, OffsetDateTime.parse("2026-11-22T07:14:58Z"), null, false);
        Observation o = parse(writer.write(UUID.randomUUID(), "medgw", good, FNR_SUBJECT, "GW-00042", ISSUED, false));
        assertThat(o.getExtension()).extracting(Extension::getUrl)
                .containsExactly("http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice");
        assertThat(o.getMeta().getTag()).isEmpty();
        assertThat(FhirValidation.errors(parser.encodeResourceToString(o))).isEmpty();
    }

    @Test
    void aReadingDuringAPauseIsTaggedAndStillValid() {
        Observation o = parse(writer.write(UUID.randomUUID(), "medgw", GATEWAY_BAD_CLOCK, DNR_SUBJECT, "GW-00042", ISSUED, true));
        assertThat(o.getMeta().getTag()).extracting(t -> t.getSystem() + "|" + t.getCode()).containsExactly(
                "https://knutepunkt.no/fhir/CodeSystem/reading-flag|bad-device-clock",
                "https://knutepunkt.no/fhir/CodeSystem/reading-flag|enrollment-paused");
        Observation glucose = parse(writer.write(UUID.randomUUID(), VENDOR, GLUCOSE, FNR_SUBJECT, null, ISSUED, true));
        assertThat(glucose.getMeta().getTag()).extracting(t -> t.getCode()).containsExactly("enrollment-paused");
        assertThat(FhirValidation.errors(parser.encodeResourceToString(glucose))).isEmpty();
    }

    @Test
    void unknownPatientIdentifierKindIsRefused() {
        Subject odd = new Subject(UUID.randomUUID(), "hnr", "12345678901", "X Y", "974760673", "Org");
        assertThatThrownBy(() -> write(PULSE, odd, null)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertQuantity(Quantity q, String value, String unit) {
        assertThat(q.getValue()).isEqualByComparingTo(value);
        assertThat(q.getValue().scale()).isEqualTo(new BigDecimal(value).scale());
        assertThat(q.getUnit()).isEqualTo(unit);
        assertThat(q.getCode()).isEqualTo(unit);
        assertThat(q.getSystem()).isEqualTo("http://unitsofmeasure.org");
    }

    private static List<String> codes(CodeableConcept c) {
        return c.getCoding().stream().map(x -> x.getSystem() + "|" + x.getCode()).toList();
    }
}
