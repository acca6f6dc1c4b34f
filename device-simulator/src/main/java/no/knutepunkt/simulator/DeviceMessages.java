package no.knutepunkt.simulator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import no.knutepunkt.simulator.Payloads.Measured;

/**
 * Writes a measuring session as the patient's vendor sends it (device-contract.md, "Formats"):
 * <ul>
 * <li>nordic-telecare ({@code canonical}): one message per device use, time with the Norwegian offset;</li>
 * <li>acme-medical ({@code acme-flat}): one message per reading, epoch milliseconds, Acme's labels;</li>
 * <li>medgw: the home hub sends the whole session as one batch shortly after, MDC-coded.</li>
 * </ul>
 * Message ids are derived from the device and the measurement time, as a vendor keeps them: a
 * reading sent again (a second run over the same days, a replay) has the same id, and the hub
 * answers {@code duplicate}.
 */
public final class DeviceMessages {

    static final double KG_PER_LB = 0.45359237;
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Physiology physiology;

    public DeviceMessages(Physiology physiology) {
        this.physiology = physiology;
    }

    public List<OutgoingMessage> write(Session session) {
        SimulatedPatient p = session.patient();
        return switch (p.vendor()) {
            case NORDIC_TELECARE -> session.uses().stream().map(u -> canonical(p, u)).toList();
            case ACME_MEDICAL -> session.uses().stream().flatMap(u -> acme(p, u).stream()).toList();
            case MEDGW -> List.of(medgw(p, session));
        };
    }

    private OutgoingMessage canonical(SimulatedPatient p, Session.Use use) {
        PatientDevice device = use.device();
        Instant at = use.time().truncatedTo(ChronoUnit.SECONDS);
        String messageId = UUID.nameUUIDFromBytes((device.serial() + "|" + at).getBytes(StandardCharsets.UTF_8)).toString();
        ObjectNode m = JSON.createObjectNode().put("messageId", messageId).put("deviceId", device.serial())
                .put("measuredAt", SECONDS.format(at.atZone(PilotPlan.OSLO)));
        ArrayNode readings = m.putArray("readings");
        int count = 0;
        boolean panel = false;
        for (Measured v : physiology.read(p, device.type(), at)) {
            ObjectNode r = readings.addObject().put("kind", v.measure());
            if (v.measure().equals("weight") && device.poundsScale()) {
                number(r, "value", Math.round(v.value() / KG_PER_LB * 10) / 10.0).put("unit", "[lb_av]");
            } else {
                number(r, "value", v.value()).put("unit", Payloads.canonicalUnit(v.measure()));
            }
            boolean pressure = v.measure().equals("systolic") || v.measure().equals("diastolic") || v.measure().equals("mean-arterial");
            if (!pressure) {
                count++;
            } else if (!panel) {
                panel = true;
                count++;
            }
        }
        return new OutgoingMessage(device.vendor().id(), device.serial(), messageId, count, bytes(m), at);
    }

    private List<OutgoingMessage> acme(SimulatedPatient p, Session.Use use) {
        PatientDevice device = use.device();
        Instant at = use.time().truncatedTo(ChronoUnit.SECONDS);
        List<Measured> values = physiology.read(p, device.type(), at);
        List<OutgoingMessage> messages = new ArrayList<>();
        if (device.type() == DeviceType.BP_CUFF) {
            String bp = (long) get(values, "systolic") + "/" + (long) get(values, "diastolic") + "/" + (long) get(values, "mean-arterial");
            messages.add(acme(device, at, "BP", bp, "mmHg"));
        }
        for (Measured v : values) {
            switch (v.measure()) {
                case "pulse" -> messages.add(acme(device, at, "PULSE", v.value(), "bpm"));
                case "spo2" -> messages.add(acme(device, at, "SPO2", v.value(), "%"));
                case "temperature" -> messages.add(acme(device, at, "TEMP", v.value(), "C"));
                case "glucose" -> messages.add(acme(device, at, "GLUCOSE", v.value(), "mmol/L"));
                case "weight" -> messages.add(device.poundsScale()
                        ? acme(device, at, "WEIGHT", Math.round(v.value() / KG_PER_LB * 10) / 10.0, "lbs")
                        : acme(device, at, "WEIGHT", v.value(), "kg"));
                default -> {
                    // systolic, diastolic and mean arterial pressure went into the one "BP" message
                }
            }
        }
        return messages;
    }

    private static OutgoingMessage acme(PatientDevice device, Instant at, String metric, Object value, String uom) {
        String id = "ACME-" + UUID.nameUUIDFromBytes((device.serial() + "|" + at + "|" + metric).getBytes(StandardCharsets.UTF_8))
                .toString().substring(0, 13).replace("-", "").toUpperCase(Locale.ROOT);
        ObjectNode m = JSON.createObjectNode().put("id", id).put("sn", device.serial()).put("ts", at.toEpochMilli()).put("metric", metric);
        if (value instanceof String s) {
            m.put("val", s);
        } else {
            number(m, "val", (Double) value);
        }
        m.put("uom", uom);
        return new OutgoingMessage(device.vendor().id(), device.serial(), id, 1, bytes(m), at);
    }

    private OutgoingMessage medgw(SimulatedPatient p, Session session) {
        PatientDevice gateway = p.gateway().orElseThrow();
        // The home hub uploads the session shortly after the last device is put away.
        Instant sent = session.end().truncatedTo(ChronoUnit.SECONDS).plusSeconds(20);
        String sentText = DateTimeFormatter.ISO_INSTANT.format(sent);
        ObjectNode m = JSON.createObjectNode().put("gateway", gateway.serial()).put("sent", sentText);
        ArrayNode observations = m.putArray("observations");
        // Sequence numbers grow with time and are the same in every run for the same session.
        long seq = (session.start().getEpochSecond() - 1_600_000_000L) * 16;
        for (Session.Use use : session.uses()) {
            PatientDevice device = use.device();
            Instant at = use.time().truncatedTo(ChronoUnit.SECONDS);
            String time = DateTimeFormatter.ISO_INSTANT.format(device.factoryClock() ? factoryClock(at) : at);
            List<Measured> values = physiology.read(p, device.type(), at);
            if (device.type() == DeviceType.BP_CUFF) {
                ObjectNode o = observation(observations, seq++, device, true).put("mdc", 150020).put("unitCode", 3872);
                o.put("time", time);
                ArrayNode compound = o.putArray("compound");
                compound.addObject().put("mdc", 150021).put("value", (long) get(values, "systolic"));
                compound.addObject().put("mdc", 150022).put("value", (long) get(values, "diastolic"));
                compound.addObject().put("mdc", 150023).put("value", (long) get(values, "mean-arterial"));
                observation(observations, seq++, device, false).put("mdc", 149546).put("value", (long) get(values, "pulse"))
                        .put("unitCode", 2720).put("time", time);
                continue;
            }
            boolean first = true;
            for (Measured v : values) {
                ObjectNode o = observation(observations, seq++, device, first);
                first = false;
                switch (v.measure()) {
                    case "spo2" -> number(o.put("mdc", 150456), "value", v.value()).put("unitCode", 544);
                    case "pulse" -> number(o.put("mdc", 149530), "value", v.value()).put("unitCode", 2720);
                    case "temperature" -> number(o.put("mdc", 150364), "value", v.value()).put("unitCode", 6048);
                    case "glucose" -> number(o.put("mdc", 160184), "value", v.value()).put("unitCode", 4722);
                    case "weight" -> {
                        if (device.poundsScale()) {
                            number(o.put("mdc", 188736), "value", Math.round(v.value() / KG_PER_LB * 10) / 10.0).put("unitCode", 1760);
                        } else {
                            number(o.put("mdc", 188736), "value", v.value()).put("unitCode", 1731);
                        }
                    }
                    default -> throw new IllegalStateException(v.measure());
                }
                o.put("time", time);
            }
        }
        return new OutgoingMessage(gateway.vendor().id(), gateway.serial(), gateway.serial() + ":" + sentText, observations.size(),
                bytes(m), sent);
    }

    /** The fields every gateway observation starts with; the device's model only on its first. */
    private static ObjectNode observation(ArrayNode observations, long seq, PatientDevice device, boolean withModel) {
        ObjectNode o = observations.addObject().put("seq", seq);
        ObjectNode d = o.putObject("device").put("serial", device.serial());
        if (withModel) {
            d.put("model", device.type().model());
        }
        return o;
    }

    /**
     * A clock never set counts from 1970-01-01T00:00Z since the device was switched on (when the
     * pilot handed it out): always before 2000-01-02, so the hub judges it a bad clock.
     */
    static Instant factoryClock(Instant real) {
        return Instant.EPOCH.plus(Duration.between(SimulatedPilot.STARTED_AT.toInstant(), real));
    }

    private static double get(List<Measured> values, String measure) {
        return values.stream().filter(v -> v.measure().equals(measure)).findFirst().orElseThrow().value();
    }

    /** Whole numbers without a fraction, others as written (36.7, not 36.699999). */
    private static ObjectNode number(ObjectNode node, String field, double value) {
        if (value == Math.rint(value)) {
            node.put(field, (long) value);
        } else {
            node.put(field, BigDecimal.valueOf(value));
        }
        return node;
    }

    private static byte[] bytes(ObjectNode m) {
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
