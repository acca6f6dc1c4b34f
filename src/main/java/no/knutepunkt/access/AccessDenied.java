package no.knutepunkt.access;

/**
 * The access policy said no (403). The client is told only that it may not; the audit log keeps
 * why. An unknown patient and one the caller may not see get the same answer, so that asking
 * cannot tell the two apart.
 */
public final class AccessDenied extends RuntimeException {

    public static final String MESSAGE = "no access: the caller may not see or change this";

    private final String reason;

    AccessDenied(String reason) {
        super(MESSAGE, null, false, false);
        this.reason = reason;
    }

    /** Why, for the audit log and tests; never sent to the client. */
    public String reason() {
        return reason;
    }
}
