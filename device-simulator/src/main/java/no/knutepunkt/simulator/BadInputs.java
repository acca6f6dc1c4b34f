package no.knutepunkt.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bad mode: every row of device-contract.md's "Bad input: what the vendor gets", each sent once
 * (the duplicate row needs a first copy, the medgw rows a good reading beside the bad one), and the
 * receipt checked against what the contract promises — the message's status, each reading's result,
 * a reason whenever something is not accepted. Sent one at a time, each waiting for its receipt, so
 * receipts of unreadable messages (which carry no message id) are matched by their topic.
 * <p>
 * Cases that expect {@code accepted} or {@code duplicate} use the pilot's devices, so the pilot must
 * be provisioned (run with {@code --provision}, once is enough).
 */
public final class BadInputs {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    /** What the contract promises for a message: its status, and each reading's result by key (or only how many, when the key is not fixed by the contract). */
    public record Expectation(String status, Map<String, String> results, int unnamedResults, String unnamedStatus) {

        static Expectation all(String status, String... keys) {
            Map<String, String> r = new LinkedHashMap<>();
            for (String k : keys) {
                r.put(k, status);
            }
            return new Expectation(status, r, 0, null);
        }

        static Expectation unnamed(String status, int results) {
            return new Expectation(status, Map.of(), results, status);
        }
    }

    /** One message of the check. {@code row}: the contract's words for what it tests. */
    public record Case(String name, String row, OutgoingMessage message, Expectation expected) {
    }

    /** How a case came out. {@code problem} is null when the receipt is what the contract promises. */
    public record Outcome(Case c, JsonNode receipt, String problem) {

        public boolean ok() {
            return problem == null;
        }

        public String status() {
            return receipt == null ? "(none)" : receipt.path("status").asText();
        }
    }

    private BadInputs() {
    }

    /**
     * The cases, on the pilot's devices. {@code run} makes message ids and unknown serials new on every
     * run; {@code now} is the time of the good readings (a minute or so before it).
     */
    public static List<Case> cases(SimulatedPilot pilot, String run, Instant now) {
        SimulatedPatient nordic = first(pilot, SimulatedVendor.NORDIC_TELECARE);
        SimulatedPatient acme = first(pilot, SimulatedVendor.ACME_MEDICAL);
        SimulatedPatient medgw = first(pilot, SimulatedVendor.MEDGW);
        String nt = measuring(nordic).serial();
        String ac = measuring(acme).serial();
        String gw = medgw.gateway().orElseThrow().serial();
        String behind = measuring(medgw).serial();
        Instant t = now.truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        String nordicVendor = SimulatedVendor.NORDIC_TELECARE.id();
        String acmeVendor = SimulatedVendor.ACME_MEDICAL.id();
        String medgwVendor = SimulatedVendor.MEDGW.id();
        String readable = "not JSON, not UTF-8, > 64 KiB, nesting > 32";
        String unknown = "unknown kind/metric/mdc, unit not convertible";
        String impossible = "value physically impossible, NaN, ±Inf";
        String times = "missing time zone, time > 5 min in the future, time before 2000-01-02";
        String owner = "topic/payload device mismatch, vendor not owner of device";
        String unrouted = "unknown device, or no assignment covering the reading's time";
        String again = "same reading again";
        String transport = "Transport: ids [A-Za-z0-9._-]{1,64}, a registered vendor";
        String clock = "medgw bad clock: stored at the gateway's send time";

        List<Case> cases = new ArrayList<>();
        int n = 0;
        // --- the message cannot be read at all: one dead-lettered reading, no message id to answer with
        String device = "NT-BAD-" + run + "-" + ++n;
        cases.add(new Case("not JSON", readable, message(nordicVendor, device, null, 1,
                bytes("{\"messageId\": \"bad-" + run + "-json\", \"deviceId\": "), t), Expectation.unnamed("rejected", 1)));
        device = "NT-BAD-" + run + "-" + ++n;
        byte[] latin1 = ("{\"messageId\": \"bad-" + run + "-latin1\", \"deviceId\": \"Bjørnstad\", \"readings\": []}")
                .getBytes(StandardCharsets.ISO_8859_1);
        cases.add(new Case("not UTF-8 (a Latin-1 'ø')", readable, message(nordicVendor, device, null, 1, latin1, t),
                Expectation.unnamed("rejected", 1)));
        device = "NT-BAD-" + run + "-" + ++n;
        String large = canonical("bad-" + run + "-large", device, SECONDS.format(t.atZone(PilotPlan.OSLO)), spo2(95))
                .replaceFirst("\\{", "{\"note\": \"" + "x".repeat(70_000) + "\", ");
        cases.add(new Case("larger than 64 KiB", readable, message(nordicVendor, device, null, 1, bytes(large), t),
                Expectation.unnamed("rejected", 1)));
        device = "NT-BAD-" + run + "-" + ++n;
        String deep = canonical("bad-" + run + "-deep", device, SECONDS.format(t.atZone(PilotPlan.OSLO)), spo2(95))
                .replaceFirst("\\{", "{\"extension\": " + "{\"x\": ".repeat(32) + "{}" + "}".repeat(32) + ", ");
        cases.add(new Case("nested deeper than 32", readable, message(nordicVendor, device, null, 1, bytes(deep), t),
                Expectation.unnamed("rejected", 1)));

        // --- readable, but refused: every reading rejected, with a reason
        String id = "bad-" + run + "-kind";
        cases.add(new Case("unknown kind (canonical)", unknown, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(t), "{\"kind\": \"bloodsugar\", \"value\": 6.1, \"unit\": \"mmol/L\"}")), t),
                Expectation.unnamed("rejected", 1)));
        id = "ACME-BAD-" + run + "-METRIC";
        cases.add(new Case("unknown metric (acme-flat)", unknown, message(acmeVendor, ac, id, 1,
                bytes(acme(id, ac, t.toEpochMilli(), "BMI", "24.1", "kg/m2")), t), Expectation.unnamed("rejected", 1)));
        String sent = DateTimeFormatter.ISO_INSTANT.format(t);
        String time = DateTimeFormatter.ISO_INSTANT.format(t.minusSeconds(30));
        // Far above the sequence numbers the realistic mode's gateways use, and new on every run.
        long seq = 9_000_000_000_000L + Long.parseLong(run.substring(0, 6), 16) * 100;
        cases.add(new Case("unknown MDC code beside a good reading (medgw)", unknown, message(medgwVendor, gw, gw + ":" + sent, 2,
                bytes(medgw(gw, sent, observation(seq, behind, 149546, "72", 2720, time), observation(seq + 1, behind, 123456, "5", 544, time))),
                t), new Expectation("partial", Map.of(gw + ":" + seq, "accepted", gw + ":" + (seq + 1), "rejected"), 0, null)));
        id = "bad-" + run + "-unit";
        cases.add(new Case("unit not convertible (weight in mm[Hg])", unknown, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(t), "{\"kind\": \"weight\", \"value\": 80, \"unit\": \"mm[Hg]\"}")), t),
                Expectation.all("rejected", id + "#weight")));

        id = "bad-" + run + "-spo2";
        cases.add(new Case("physically impossible (SpO2 120 %)", impossible, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(t), spo2(120))), t), Expectation.all("rejected", id + "#spo2")));
        id = "bad-" + run + "-nan";
        cases.add(new Case("NaN", impossible, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(t), "{\"kind\": \"pulse\", \"value\": \"NaN\", \"unit\": \"/min\"}")), t),
                Expectation.all("rejected", id + "#pulse")));
        id = "bad-" + run + "-inf";
        cases.add(new Case("Infinity (1e999)", impossible, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(t), "{\"kind\": \"weight\", \"value\": 1e999, \"unit\": \"kg\"}")), t),
                Expectation.all("rejected", id + "#weight")));

        id = "bad-" + run + "-nozone";
        cases.add(new Case("measuredAt without time zone", times, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, LOCAL.format(t.atZone(PilotPlan.OSLO)), spo2(95))), t), Expectation.all("rejected", id + "#spo2")));
        id = "bad-" + run + "-future";
        cases.add(new Case("time 10 minutes in the future", times, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(now.plus(Duration.ofMinutes(10))), spo2(95))), t), Expectation.all("rejected", id + "#spo2")));
        id = "bad-" + run + "-y2k";
        cases.add(new Case("time before 2000-01-02 (canonical)", times, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, "2000-01-01T08:00:00+01:00", spo2(95))), t), Expectation.all("rejected", id + "#spo2")));
        id = "ACME-BAD-" + run + "-SECONDS";
        cases.add(new Case("acme-flat ts in seconds (lands in 1970)", times, message(acmeVendor, ac, id, 1,
                bytes(acme(id, ac, t.getEpochSecond(), "SPO2", "96", "%")), t), Expectation.all("rejected", id + "#spo2")));

        id = "bad-" + run + "-mismatch";
        cases.add(new Case("payload device is not the topic's", owner, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, "NT-OTHER-" + run, iso(t), spo2(95))), t), Expectation.all("rejected", id + "#spo2")));
        id = "bad-" + run + "-foreign";
        cases.add(new Case("another vendor's device (acme's, as nordic-telecare)", owner, message(nordicVendor, ac, id, 1,
                bytes(canonical(id, ac, iso(t), spo2(95))), t), Expectation.all("rejected", id + "#spo2")));

        String stranger = "no-such-vendor-" + run;
        id = "bad-" + run + "-stranger";
        cases.add(new Case("unregistered vendor", transport, message(stranger, "XX-" + run, id, 1,
                bytes(canonical(id, "XX-" + run, iso(t), spo2(95))), t), Expectation.unnamed("rejected", 1)));
        String longId = "NT-LONG-" + run + "-" + "0".repeat(64);
        id = "bad-" + run + "-long";
        cases.add(new Case("device id longer than 64 characters", transport, message(nordicVendor, longId, id, 1,
                bytes(canonical(id, longId, iso(t), spo2(95))), t), Expectation.unnamed("rejected", 1)));

        // --- valid but not routable: parked
        String stray = "NT-UNKNOWN-" + run;
        id = "bad-" + run + "-unknown";
        cases.add(new Case("unknown device", unrouted, message(nordicVendor, stray, id, 1, bytes(canonical(id, stray, iso(t), spo2(95))), t),
                Expectation.all("parked", id + "#spo2")));
        id = "bad-" + run + "-before";
        Instant beforeAssignment = SimulatedPilot.STARTED_AT.toInstant().minus(Duration.ofDays(30)).plusSeconds(seq % 86_400);
        cases.add(new Case("measured before the device's assignment", unrouted, message(nordicVendor, nt, id, 1,
                bytes(canonical(id, nt, iso(beforeAssignment), spo2(95))), t), Expectation.all("parked", id + "#spo2")));

        // --- the same reading again: nothing new stored
        id = "bad-" + run + "-again";
        String first = canonical(id, nt, iso(t.minusSeconds(7)), spo2(96));
        cases.add(new Case("a good reading (first copy)", again, message(nordicVendor, nt, id, 1, bytes(first), t),
                Expectation.all("accepted", id + "#spo2")));
        cases.add(new Case("the same message again", again, message(nordicVendor, nt, id, 1, bytes(first), t),
                Expectation.all("duplicate", id + "#spo2")));
        String otherId = "bad-" + run + "-resend";
        cases.add(new Case("the same reading under a new message id", again, message(nordicVendor, nt, otherId, 1,
                bytes(canonical(otherId, nt, DateTimeFormatter.ISO_INSTANT.format(t.minusSeconds(7)), spo2(96))), t),
                Expectation.all("duplicate", otherId + "#spo2")));

        // --- not bad, but surprising: a device clock never set
        String clockSent = DateTimeFormatter.ISO_INSTANT.format(t.plusSeconds(1));
        cases.add(new Case("device clock at 1970 behind a gateway", clock, message(medgwVendor, gw, gw + ":" + clockSent, 1,
                bytes(medgw(gw, clockSent, observation(seq + 2, behind, 149546, "70", 2720, "1970-01-01T00:12:00Z"))), t),
                Expectation.all("accepted", gw + ":" + (seq + 2))));
        return cases;
    }

    /** Sends the cases one by one and checks each receipt. */
    public static List<Outcome> check(VendorLink link, List<Case> cases, Duration timeout) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (Case c : cases) {
            JsonNode receipt;
            try {
                receipt = link.publish(c.message()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                outcomes.add(new Outcome(c, null, "not published: " + e.getCause().getMessage()));
                continue;
            } catch (TimeoutException e) {
                outcomes.add(new Outcome(c, null, "no receipt within " + timeout.toSeconds() + " s"));
                continue;
            }
            outcomes.add(new Outcome(c, receipt, problem(c, receipt)));
        }
        return outcomes;
    }

    /** What is wrong with the receipt, by the contract; null when nothing. */
    static String problem(Case c, JsonNode receipt) {
        Expectation e = c.expected();
        List<String> wrong = new ArrayList<>();
        String status = receipt.path("status").asText();
        if (!status.equals(e.status())) {
            wrong.add("expected " + e.status() + ", got " + status);
        }
        String messageId = c.message().messageId();
        if (messageId != null && receipt.hasNonNull("messageId") && !receipt.get("messageId").asText().equals(messageId)) {
            wrong.add("receipt names message " + receipt.get("messageId").asText() + ", not " + messageId);
        }
        if (!status.equals("accepted") && receipt.path("reason").asText().isBlank()) {
            wrong.add("no reason although not accepted");
        }
        Map<String, String> got = new LinkedHashMap<>();
        List<String> unnamed = new ArrayList<>();
        for (JsonNode r : receipt.path("results")) {
            String rs = r.path("status").asText();
            if (r.hasNonNull("key")) {
                got.put(r.get("key").asText(), rs);
            }
            unnamed.add(rs);
            if ((rs.equals("rejected") || rs.equals("parked")) && r.path("reason").asText().isBlank()) {
                wrong.add("result " + r.path("key").asText("?") + " is " + rs + " without a reason");
            }
            if (rs.equals("accepted") && r.path("observationIds").isEmpty()) {
                wrong.add("result " + r.path("key").asText("?") + " is accepted without observationIds");
            }
        }
        if (!e.results().isEmpty() && !got.equals(e.results())) {
            wrong.add("expected results " + e.results() + ", got " + got);
        }
        if (e.results().isEmpty() && (unnamed.size() != e.unnamedResults() || unnamed.stream().anyMatch(s -> !s.equals(e.unnamedStatus())))) {
            wrong.add("expected " + e.unnamedResults() + " result(s) " + e.unnamedStatus() + ", got " + unnamed);
        }
        return wrong.isEmpty() ? null : String.join("; ", wrong);
    }

    /** The check's table: one line per case, then the verdict. */
    public static String report(List<Outcome> outcomes) {
        StringBuilder out = new StringBuilder();
        String row = null;
        for (Outcome o : outcomes) {
            if (!o.c().row().equals(row)) {
                row = o.c().row();
                out.append(row).append(System.lineSeparator());
            }
            String reason = o.receipt() == null ? "" : o.receipt().path("reason").asText("");
            out.append(String.format(Locale.ROOT, "  %-4s %-52s %-9s %s%n", o.ok() ? "ok" : "FAIL", o.c().name(), o.status(),
                    o.ok() ? shorten(reason) : o.problem()));
        }
        long ok = outcomes.stream().filter(Outcome::ok).count();
        out.append(String.format(Locale.ROOT, "%d of %d receipts as device-contract.md promises%n", ok, outcomes.size()));
        return out.toString();
    }

    private static String shorten(String reason) {
        return reason.length() > 90 ? reason.substring(0, 89) + "…" : reason;
    }

    private static SimulatedPatient first(SimulatedPilot pilot, SimulatedVendor vendor) {
        return pilot.patients().stream().filter(p -> p.vendor() == vendor).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the bad mode needs at least 3 patients (one per vendor)"));
    }

    private static PatientDevice measuring(SimulatedPatient p) {
        return p.devices().stream().filter(d -> d.type() != DeviceType.GATEWAY).findFirst().orElseThrow();
    }

    private static OutgoingMessage message(String vendor, String device, String messageId, int readings, byte[] payload, Instant at) {
        return new OutgoingMessage(vendor, device, messageId, readings, payload, at);
    }

    private static String iso(Instant t) {
        return SECONDS.format(t.atZone(PilotPlan.OSLO));
    }

    private static String canonical(String messageId, String device, String measuredAt, String... readings) {
        return "{\"messageId\": \"" + messageId + "\", \"deviceId\": \"" + device + "\", \"measuredAt\": \"" + measuredAt
                + "\", \"readings\": [" + String.join(", ", readings) + "]}";
    }

    private static String spo2(int percent) {
        return "{\"kind\": \"spo2\", \"value\": " + percent + ", \"unit\": \"%\"}";
    }

    private static String acme(String id, String serial, long ts, String metric, String val, String uom) {
        return "{\"id\": \"" + id + "\", \"sn\": \"" + serial + "\", \"ts\": " + ts + ", \"metric\": \"" + metric + "\", \"val\": " + val
                + ", \"uom\": \"" + uom + "\"}";
    }

    private static String medgw(String gateway, String sent, String... observations) {
        return "{\"gateway\": \"" + gateway + "\", \"sent\": \"" + sent + "\", \"observations\": [" + String.join(", ", observations) + "]}";
    }

    private static String observation(long seq, String serial, int mdc, String value, int unitCode, String time) {
        return "{\"seq\": " + seq + ", \"device\": {\"serial\": \"" + serial + "\"}, \"mdc\": " + mdc + ", \"value\": " + value
                + ", \"unitCode\": " + unitCode + ", \"time\": \"" + time + "\"}";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
