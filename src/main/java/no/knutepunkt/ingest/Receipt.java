package no.knutepunkt.ingest;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What the vendor gets back for one message (device-contract.md, "Receipts"): one status for the
 * message and one result per reading.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Receipt(String messageId, Status status, String reason, List<Result> results) {

    public enum Status {
        ACCEPTED, DUPLICATE, PARKED, REJECTED, PARTIAL;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Result(String key, Status status, String reason, List<String> observationIds) {
    }

    /** The message's status: its readings' common status, or partial when they differ. */
    public static Receipt of(String messageId, List<Result> results, Rejection rejection) {
        if (rejection != null) {
            return new Receipt(messageId, Status.REJECTED, rejection.reason(), results);
        }
        Status common = results.stream().map(Result::status).distinct().count() == 1 ? results.get(0).status() : Status.PARTIAL;
        String reason = switch (common) {
            case ACCEPTED -> null;
            case DUPLICATE -> "already received; nothing new stored";
            case PARKED -> results.get(0).reason();
            case REJECTED -> results.get(0).reason();
            case PARTIAL -> summary(results);
        };
        return new Receipt(messageId, common, reason, results);
    }

    private static String summary(List<Result> results) {
        StringBuilder s = new StringBuilder();
        for (Status st : Status.values()) {
            long n = results.stream().filter(r -> r.status() == st).count();
            if (n > 0) {
                s.append(s.isEmpty() ? "" : ", ").append(n).append(' ').append(st.wire());
            }
        }
        return s.append(" of ").append(results.size()).append(" readings").toString();
    }
}
