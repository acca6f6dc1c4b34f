package no.knutepunkt.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What was sent and what the hub's receipts said, per vendor: the report a vendor reads to check
 * their understanding of the contract. Readings are counted by their result in the receipt
 * (accepted / duplicate / parked / rejected); the reasons for parked and rejected readings are kept,
 * counted, so a vendor sees why.
 */
public final class ReceiptTally {

    /** Distinct reasons kept per vendor; the rest are counted under "other reasons". */
    private static final int MAX_REASONS = 20;
    private static final String OTHER = "(other reasons)";

    /** One vendor's counts at one moment. */
    public record Counts(long messages, long readings, long failed, long receipts, long accepted, long duplicate, long parked,
            long rejected, long partialMessages, Map<String, Long> reasons) {

        /** Messages published that have no receipt yet. */
        public long awaiting() {
            return Math.max(0, messages - failed - receipts);
        }
    }

    private static final class Mutable {
        long messages;
        long readings;
        long failed;
        long receipts;
        long accepted;
        long duplicate;
        long parked;
        long rejected;
        long partial;
        final Map<String, Long> reasons = new LinkedHashMap<>();

        Counts freeze() {
            return new Counts(messages, readings, failed, receipts, accepted, duplicate, parked, rejected, partial, Map.copyOf(reasons));
        }
    }

    private final Map<String, Mutable> vendors = new TreeMap<>();

    public synchronized void published(String vendor, int readings) {
        Mutable v = of(vendor);
        v.messages++;
        v.readings += readings;
    }

    /** For a publisher that counts for itself (the load generator): the totals so far. */
    public synchronized void publishedSoFar(String vendor, long messages, long readings) {
        Mutable v = of(vendor);
        v.messages = messages;
        v.readings = readings;
    }

    public synchronized void failed(String vendor, String why) {
        Mutable v = of(vendor);
        v.failed++;
        reason(v, "not published: " + why);
    }

    /** One receipt as the hub sent it. */
    public synchronized void receipt(String vendor, JsonNode receipt) {
        Mutable v = of(vendor);
        v.receipts++;
        if ("partial".equals(receipt.path("status").asText())) {
            v.partial++;
        }
        for (JsonNode r : receipt.path("results")) {
            String status = r.path("status").asText();
            switch (status) {
                case "accepted" -> v.accepted++;
                case "duplicate" -> v.duplicate++;
                case "parked" -> {
                    v.parked++;
                    reason(v, "parked: " + r.path("reason").asText());
                }
                case "rejected" -> {
                    v.rejected++;
                    reason(v, "rejected: " + r.path("reason").asText());
                }
                default -> reason(v, "unknown status '" + status + "'");
            }
        }
    }

    private static void reason(Mutable v, String reason) {
        String key = v.reasons.containsKey(reason) || v.reasons.size() < MAX_REASONS ? reason : OTHER;
        v.reasons.merge(key, 1L, Long::sum);
    }

    private Mutable of(String vendor) {
        return vendors.computeIfAbsent(vendor, k -> new Mutable());
    }

    public synchronized Map<String, Counts> snapshot() {
        Map<String, Counts> s = new TreeMap<>();
        vendors.forEach((k, v) -> s.put(k, v.freeze()));
        return s;
    }

    public Counts total() {
        Mutable t = new Mutable();
        for (Counts c : snapshot().values()) {
            t.messages += c.messages();
            t.readings += c.readings();
            t.failed += c.failed();
            t.receipts += c.receipts();
            t.accepted += c.accepted();
            t.duplicate += c.duplicate();
            t.parked += c.parked();
            t.rejected += c.rejected();
            t.partial += c.partialMessages();
        }
        return t.freeze();
    }

    /** The table a person reads: one line per vendor, then the reasons. */
    public String report() {
        Map<String, Counts> s = snapshot();
        int width = Math.max(16, s.keySet().stream().mapToInt(String::length).max().orElse(0));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %9s %9s %9s %7s %9s %8s %9s%n", "vendor", "messages", "readings",
                "receipts", "accepted", "duplicate", "parked", "rejected", "partial", "awaiting"));
        List<String> reasons = new ArrayList<>();
        s.forEach((vendor, c) -> {
            out.append(line(width, vendor, c));
            c.reasons().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> reasons.add(String.format(Locale.ROOT, "  %s %s ×%d", vendor, e.getKey(), e.getValue())));
        });
        if (s.size() > 1) {
            out.append(line(width, "total", total()));
        }
        if (!reasons.isEmpty()) {
            out.append("readings not accepted, and why (reason ×readings):").append(System.lineSeparator());
            reasons.forEach(r -> out.append(r).append(System.lineSeparator()));
        }
        return out.toString();
    }

    private static String line(int width, String vendor, Counts c) {
        return String.format(Locale.ROOT, "%-" + width + "s %9d %9d %9d %9d %9d %7d %9d %8d %9d%n", vendor, c.messages(), c.readings(), c.receipts(),
                c.accepted(), c.duplicate(), c.parked(), c.rejected(), c.partialMessages(), c.awaiting());
    }
}
