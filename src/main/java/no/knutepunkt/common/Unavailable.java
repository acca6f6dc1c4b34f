package no.knutepunkt.common;

/**
 * Something the hub depends on (the database, the broker) cannot be reached now. Work that fails
 * with this is retried — for a message: left unacknowledged, so the broker delivers it again —
 * never refused: a reading is only ever rejected for what it is, not for the hub's trouble.
 */
public class Unavailable extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public Unavailable(String what, Throwable cause) {
        super(what, cause);
    }
}
