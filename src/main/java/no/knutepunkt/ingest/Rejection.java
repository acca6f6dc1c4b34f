package no.knutepunkt.ingest;

/**
 * A message or reading the contract says must be refused: it is dead-lettered with this reason and
 * the vendor gets {@code rejected}. The reason is for the vendor; it names fields and units, never a
 * patient. The code is stable, for counting and for tests.
 */
public class Rejection extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final int MAX_REASON = 300;

    private final Reason code;

    public Rejection(Reason code, String reason) {
        super(clean(reason), null, false, false);
        this.code = code;
    }

    /**
     * Reasons quote what the vendor sent (a kind, a unit), and go to the receipt, the database and
     * EPJ-facing tools: no control characters, and a length a person reads.
     */
    private static String clean(String reason) {
        String s = reason.codePoints().map(c -> Character.isISOControl(c) ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return s.length() > MAX_REASON ? s.substring(0, MAX_REASON) + "…" : s;
    }

    public Reason code() {
        return code;
    }

    public String reason() {
        return getMessage();
    }

    /** Why something was refused. {@link #security()} reasons also go to the security log. */
    public enum Reason {
        TOO_LARGE, NOT_UTF8, NOT_JSON, TOO_DEEP, BAD_TOPIC, UNKNOWN_VENDOR, NO_MAPPING, MAPPING_FAILED,
        BAD_MESSAGE, UNKNOWN_KIND, UNIT_NOT_CONVERTIBLE, NOT_A_NUMBER, IMPLAUSIBLE_VALUE, INCOMPLETE_PANEL,
        MISSING_TIME_ZONE, BAD_TIME, TIME_IN_FUTURE, TIME_TOO_EARLY, DEVICE_MISMATCH, FOREIGN_DEVICE,
        /** The database refused to store it (not a transient failure); kept as a dead letter for an operator. */
        STORE_REFUSED;

        public boolean security() {
            return this == DEVICE_MISMATCH || this == FOREIGN_DEVICE || this == BAD_TOPIC || this == UNKNOWN_VENDOR;
        }

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
