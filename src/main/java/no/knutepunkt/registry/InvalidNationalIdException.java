package no.knutepunkt.registry;

/** A number that is not a valid fødselsnummer or D-nummer here. Its message never contains the number. */
public final class InvalidNationalIdException extends IllegalArgumentException {

    public enum Reason {
        NOT_ELEVEN_DIGITS, NO_SUCH_DATE, CHECK_DIGITS, SYNTHETIC_NOT_ALLOWED
    }

    private final Reason reason;

    InvalidNationalIdException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
