package no.knutepunkt.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes messages in the three formats of device-contract.md, as each vendor's devices would.
 * The payloads are written as text on purpose: a vendor's firmware does not share our model.
 */
public final class Payloads {

    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");
    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private Payloads() {
    }

    /** A plausible value for a measurement type, in the unit the vendor uses. */
    public record Measured(String measure, double value) {
    }

    /** canonical: the message id, the device and one measurement time for all its readings. */
    public static byte[] canonical(String messageId, String deviceId, Instant measuredAt, Measured... readings) {
        StringBuilder sb = new StringBuilder(256).append("{\"messageId\":\"").append(messageId).append("\",\"deviceId\":\"")
                .append(deviceId).append("\",\"measuredAt\":\"").append(ISO_MILLIS.format(OffsetDateTime.ofInstant(measuredAt, OSLO)))
                .append("\",\"readings\":[");
        for (int i = 0; i < readings.length; i++) {
            Measured m = readings[i];
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"kind\":\"").append(m.measure()).append("\",\"value\":").append(number(m.value())).append(",\"unit\":\"")
                    .append(canonicalUnit(m.measure())).append("\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** acme-flat: one reading per message; weight in pounds, as the Acme scale reports it. */
    public static byte[] acmeFlat(String messageId, String serial, Instant at, Measured m) {
        String metric;
        String uom;
        String val;
        switch (m.measure()) {
            case "weight" -> {
                metric = "WEIGHT";
                uom = "lbs";
                val = number(m.value() / 0.45359237);
            }
            case "spo2" -> {
                metric = "SPO2";
                uom = "%";
                val = number(m.value());
            }
            case "pulse" -> {
                metric = "PULSE";
                uom = "bpm";
                val = number(m.value());
            }
            case "temperature" -> {
                metric = "TEMP";
                uom = "C";
                val = number(m.value());
            }
            case "glucose" -> {
                metric = "GLUCOSE";
                uom = "mmol/L";
                val = number(m.value());
            }
            case "respiratory-rate" -> {
                metric = "RESP";
                uom = "/min";
                val = number(m.value());
            }
            default -> throw new IllegalArgumentException(m.measure());
        }
        return ("{\"id\":\"" + messageId + "\",\"sn\":\"" + serial + "\",\"ts\":" + at.toEpochMilli() + ",\"metric\":\"" + metric
                + "\",\"val\":" + val + ",\"uom\":\"" + uom + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** acme-flat blood pressure: "sys/dia" in mmHg. */
    public static byte[] acmeBloodPressure(String messageId, String serial, Instant at, int systolic, int diastolic) {
        return ("{\"id\":\"" + messageId + "\",\"sn\":\"" + serial + "\",\"ts\":" + at.toEpochMilli()
                + ",\"metric\":\"BP\",\"val\":\"" + systolic + "/" + diastolic + "\",\"uom\":\"mmHg\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** One observation of a medgw batch, in MDC codes. */
    public record GatewayObservation(long seq, String serial, String model, Instant time, String measure, double value) {
    }

    public static byte[] medgw(String gateway, Instant sent, GatewayObservation... observations) {
        StringBuilder sb = new StringBuilder(512).append("{\"gateway\":\"").append(gateway).append("\",\"sent\":\"")
                .append(ISO_MILLIS.format(OffsetDateTime.ofInstant(sent, java.time.ZoneOffset.UTC))).append("\",\"observations\":[");
        for (int i = 0; i < observations.length; i++) {
            GatewayObservation o = observations[i];
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"seq\":").append(o.seq()).append(",\"device\":{\"serial\":\"").append(o.serial()).append('"');
            if (o.model() != null) {
                sb.append(",\"model\":\"").append(o.model()).append('"');
            }
            sb.append("},");
            String time = ISO_MILLIS.format(OffsetDateTime.ofInstant(o.time(), java.time.ZoneOffset.UTC));
            switch (o.measure()) {
                case "spo2" -> sb.append("\"mdc\":150456,\"value\":").append(number(o.value())).append(",\"unitCode\":544");
                case "pulse" -> sb.append("\"mdc\":149530,\"value\":").append(number(o.value())).append(",\"unitCode\":2720");
                case "temperature" -> sb.append("\"mdc\":150364,\"value\":").append(number(o.value())).append(",\"unitCode\":6048");
                case "weight" -> sb.append("\"mdc\":188736,\"value\":").append(number(o.value())).append(",\"unitCode\":1731");
                case "respiratory-rate" -> sb.append("\"mdc\":151562,\"value\":").append(number(o.value())).append(",\"unitCode\":2784");
                case "glucose" -> sb.append("\"mdc\":160184,\"value\":").append(number(o.value())).append(",\"unitCode\":4722");
                case "blood-pressure" -> {
                    int sys = (int) o.value();
                    int dia = (int) Math.round(sys * 0.65);
                    int mean = (sys + 2 * dia) / 3;
                    sb.append("\"mdc\":150020,\"unitCode\":3872,\"compound\":[{\"mdc\":150021,\"value\":").append(sys)
                            .append("},{\"mdc\":150022,\"value\":").append(dia).append("},{\"mdc\":150023,\"value\":").append(mean).append("}]");
                }
                default -> throw new IllegalArgumentException(o.measure());
            }
            sb.append(",\"time\":\"").append(time).append("\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A physiologically plausible resting value, with noise. */
    public static double plausible(String measure) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return switch (measure) {
            case "systolic" -> 118 + r.nextInt(30);
            case "diastolic" -> 72 + r.nextInt(14);
            case "blood-pressure" -> 118 + r.nextInt(30);
            case "pulse" -> 58 + r.nextInt(30);
            case "spo2" -> 93 + r.nextInt(6);
            case "weight" -> Math.round((62 + r.nextDouble() * 40) * 10) / 10.0;
            case "temperature" -> Math.round((36.3 + r.nextDouble() * 1.0) * 10) / 10.0;
            case "glucose" -> Math.round((4.5 + r.nextDouble() * 4) * 10) / 10.0;
            case "respiratory-rate" -> 12 + r.nextInt(8);
            default -> throw new IllegalArgumentException(measure);
        };
    }

    static String canonicalUnit(String measure) {
        return switch (measure) {
            case "systolic", "diastolic", "mean-arterial" -> "mm[Hg]";
            case "pulse", "respiratory-rate" -> "/min";
            case "spo2" -> "%";
            case "weight" -> "kg";
            case "temperature" -> "Cel";
            case "glucose" -> "mmol/L";
            default -> throw new IllegalArgumentException(measure);
        };
    }

    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
