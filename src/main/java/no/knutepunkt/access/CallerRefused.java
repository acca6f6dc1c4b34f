package no.knutepunkt.access;

/**
 * A token that is genuine but does not say enough about its bearer to act on (no HPR number for
 * a clinician, an organisation the registry does not know, too low an assurance level): answered
 * 401 like a token that is not genuine ({@link CallerResolution} wraps it in Quarkus's
 * AuthenticationFailedException), with the reason code in the audit log.
 */
public final class CallerRefused extends RuntimeException {

    private final String code;

    CallerRefused(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** A short, stable reason code, e.g. {@code missing-hpr}. */
    public String code() {
        return code;
    }
}
