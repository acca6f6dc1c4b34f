package no.knutepunkt.fhir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import no.knutepunkt.common.FhirTime;
import no.knutepunkt.common.Kind;
import no.knutepunkt.common.ObservationKind;
import no.knutepunkt.common.Reading;
import no.knutepunkt.common.ReadingFlags;
import no.knutepunkt.common.Value;
import no.knutepunkt.registry.DeviceRouting;

/**
 * Writes a reading as its FHIR R4 Observation JSON (clinical-coding.md), straight to a streaming
 * generator. This is the ingest hot path: HAPI's model and encoder cost tens of microseconds per
 * resource, more than the ingest budget allows at thousands of readings per second on two cores.
 * The tests hold every kind's output to HAPI's parser and to the core vital-signs profiles.
 * Thread-safe and stateless.
 */
@Singleton
public class ObservationWriter {

    static final String READING_FLAG = ReadingFlags.SYSTEM;
    static final String BAD_DEVICE_CLOCK = ReadingFlags.BAD_DEVICE_CLOCK;
    static final String DEVICE_REPORTED_TIME = "https://knutepunkt.no/fhir/StructureDefinition/device-reported-time";
    static final String GATEWAY_DEVICE = "http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice";
    static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    static final String UCUM = "http://unitsofmeasure.org";

    // Plain notation, so a value never reaches FHIR as 1E+2 (FHIR decimals have no exponent form).
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /**
     * @param observationId the Observation's logical id (the reading row's id)
     * @param vendorId      the vendor the reading came from: scopes its message and device identifiers
     * @param reading       a validated reading whose values are all known (a HI / LO glucose carries its limit)
     * @param subject       the patient and the organisation responsible for the data
     * @param gatewayId     the gateway that relayed the reading ({@code medgw}), or null
     * @param issued        when the hub received it
     * @param paused        measured during a pause of the enrollment's follow-up: tagged so
     * @return the Observation as JSON
     * @throws IllegalArgumentException when the reading lacks a value its kind needs
     */
    public String write(UUID observationId, String vendorId, Reading reading, DeviceRouting.Subject subject,
            String gatewayId, OffsetDateTime issued, boolean paused) {
        return new String(writeUtf8(observationId, vendorId, reading, subject, gatewayId, issued, paused), StandardCharsets.UTF_8);
    }

    /** As {@link #write}, as the UTF-8 bytes the database stores: the ingest path never needs the String. */
    public byte[] writeUtf8(UUID observationId, String vendorId, Reading reading, DeviceRouting.Subject subject,
            String gatewayId, OffsetDateTime issued, boolean paused) {
        ByteArrayBuilder out = new ByteArrayBuilder(1536);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            write(g, observationId, vendorId, reading, subject, gatewayId, issued, paused);
        } catch (IOException e) {
            // Writing to memory does not fail; this only satisfies the generator's signature.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, UUID observationId, String vendorId, Reading reading,
            DeviceRouting.Subject subject, String gatewayId, OffsetDateTime issued, boolean paused) throws IOException {
        ObservationKind kind = reading.kind();
        String deviceSystem = IdentifierSystems.vendorDevice(vendorId);
        g.writeStartObject();
        g.writeStringField("resourceType", "Observation");
        g.writeStringField("id", observationId.toString());
        meta(g, kind, reading.badClock(), paused);
        if (reading.badClock() || gatewayId != null) {
            g.writeArrayFieldStart("extension");
            if (reading.badClock()) {
                g.writeStartObject();
                g.writeStringField("url", DEVICE_REPORTED_TIME);
                if (FhirTime.representable(reading.deviceTime())) {
                    g.writeStringField("valueDateTime", FhirTime.format(reading.deviceTime()));
                } else {
                    // Outside FHIR's years: kept as the device said it, as text.
                    g.writeStringField("valueString", reading.deviceTime().toString());
                }
                g.writeEndObject();
            }
            if (gatewayId != null) {
                g.writeStartObject();
                g.writeStringField("url", GATEWAY_DEVICE);
                g.writeObjectFieldStart("valueReference");
                identifier(g, deviceSystem, gatewayId);
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        g.writeArrayFieldStart("identifier");
        g.writeStartObject();
        g.writeStringField("system", IdentifierSystems.vendorMessage(vendorId));
        g.writeStringField("value", reading.key());
        g.writeEndObject();
        g.writeEndArray();

        g.writeStringField("status", "final");

        g.writeArrayFieldStart("category");
        g.writeStartObject();
        g.writeArrayFieldStart("coding");
        coding(g, OBSERVATION_CATEGORY, "vital-signs", "Vital Signs");
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndArray();

        g.writeObjectFieldStart("code");
        g.writeArrayFieldStart("coding");
        for (ObservationKind.Code loinc : kind.loinc()) {
            coding(g, ObservationKind.LOINC, loinc);
        }
        coding(g, ObservationKind.SNOMED, kind == ObservationKind.BODY_TEMPERATURE && reading.coreSite()
                ? ObservationKind.SNOMED_CORE_TEMPERATURE : kind.snomed());
        if (kind == ObservationKind.BLOOD_GLUCOSE) {
            coding(g, ObservationKind.NPU, ObservationKind.NPU_GLUCOSE);
        }
        g.writeEndArray();
        g.writeEndObject();

        g.writeObjectFieldStart("subject");
        identifier(g, IdentifierSystems.patient(subject.identifierSystem()), subject.identifier());
        g.writeStringField("display", subject.name());
        g.writeEndObject();

        g.writeStringField("effectiveDateTime", FhirTime.format(reading.effective()));
        g.writeStringField("issued", FhirTime.format(issued));

        g.writeArrayFieldStart("performer");
        g.writeStartObject();
        identifier(g, IdentifierSystems.ORGANISASJONSNUMMER, subject.organisationNumber());
        g.writeStringField("display", subject.organisationName());
        g.writeEndObject();
        g.writeEndArray();

        if (kind != ObservationKind.BLOOD_PRESSURE) {
            if (reading.values().size() != 1) {
                throw new IllegalArgumentException(kind + " reading needs exactly one value, has " + reading.values().size());
            }
            quantity(g, "valueQuantity", reading.values().get(0));
        }

        g.writeObjectFieldStart("device");
        identifier(g, deviceSystem, reading.device());
        g.writeEndObject();

        if (kind == ObservationKind.BLOOD_PRESSURE) {
            g.writeArrayFieldStart("component");
            component(g, required(reading, Kind.SYSTOLIC));
            component(g, required(reading, Kind.DIASTOLIC));
            Value mean = reading.value(Kind.MEAN_ARTERIAL);
            if (mean != null) {
                component(g, mean);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void meta(JsonGenerator g, ObservationKind kind, boolean badClock, boolean paused) throws IOException {
        if (kind.profile() == null && !badClock && !paused) {
            return;
        }
        g.writeObjectFieldStart("meta");
        if (kind.profile() != null) {
            g.writeArrayFieldStart("profile");
            g.writeString(kind.profile());
            g.writeEndArray();
        }
        if (badClock || paused) {
            g.writeArrayFieldStart("tag");
            if (badClock) {
                tag(g, BAD_DEVICE_CLOCK);
            }
            if (paused) {
                tag(g, ReadingFlags.ENROLLMENT_PAUSED);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void tag(JsonGenerator g, String code) throws IOException {
        g.writeStartObject();
        g.writeStringField("system", READING_FLAG);
        g.writeStringField("code", code);
        g.writeEndObject();
    }

    private static Value required(Reading reading, Kind kind) {
        Value v = reading.value(kind);
        if (v == null) {
            throw new IllegalArgumentException("blood-pressure reading without " + kind.wireName());
        }
        return v;
    }

    private static void component(JsonGenerator g, Value v) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("code");
        g.writeArrayFieldStart("coding");
        coding(g, ObservationKind.LOINC, v.kind().componentLoinc());
        coding(g, ObservationKind.SNOMED, v.kind().componentSnomed());
        g.writeEndArray();
        g.writeEndObject();
        quantity(g, "valueQuantity", v);
        g.writeEndObject();
    }

    private static void quantity(JsonGenerator g, String field, Value v) throws IOException {
        if (v.value() == null) {
            // A HI / LO glucose must carry its meter's limit by now; "> nothing" is not a measurement.
            throw new IllegalArgumentException(v.kind().wireName() + " value without a number");
        }
        g.writeObjectFieldStart(field);
        g.writeFieldName("value");
        g.writeNumber(v.value());
        if (v.comparator() != null) {
            g.writeStringField("comparator", v.comparator());
        }
        g.writeStringField("unit", v.kind().unit());
        g.writeStringField("system", UCUM);
        g.writeStringField("code", v.kind().unit());
        g.writeEndObject();
    }

    private static void identifier(JsonGenerator g, String system, String value) throws IOException {
        g.writeObjectFieldStart("identifier");
        g.writeStringField("system", system);
        g.writeStringField("value", value);
        g.writeEndObject();
    }

    private static void coding(JsonGenerator g, String system, ObservationKind.Code code) throws IOException {
        coding(g, system, code.code(), code.display());
    }

    private static void coding(JsonGenerator g, String system, String code, String display) throws IOException {
        g.writeStartObject();
        g.writeStringField("system", system);
        g.writeStringField("code", code);
        g.writeStringField("display", display);
        g.writeEndObject();
    }
}
