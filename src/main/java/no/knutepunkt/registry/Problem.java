package no.knutepunkt.registry;

import java.util.List;

/**
 * Why a registry request cannot be done, as the client gets it: the HTTP status, a message for a
 * person, the field it concerns. Messages never contain a fødselsnummer.
 */
public final class Problem extends RuntimeException {

    private final int status;
    private final String field;
    private final List<String> allowed;

    private Problem(int status, String field, String message, List<String> allowed) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
        this.allowed = allowed;
    }

    /** 400: not the shape the API expects (missing, wrong type, bad syntax). */
    public static Problem malformed(String field, String message) {
        return new Problem(400, field, message, null);
    }

    /** 400 with the values that would have been accepted. */
    public static Problem malformed(String field, String message, List<String> allowed) {
        return new Problem(400, field, message, List.copyOf(allowed));
    }

    /** 404: no such resource. */
    public static Problem notFound(String message) {
        return new Problem(404, null, message, null);
    }

    /** 409: clashes with what is registered already. */
    public static Problem conflict(String field, String message) {
        return new Problem(409, field, message, null);
    }

    /** 422: well-formed, but not acceptable (check digits, unknown references, inconsistent periods). */
    public static Problem invalid(String field, String message) {
        return new Problem(422, field, message, null);
    }

    /** 422 with the values that would have been accepted. */
    public static Problem invalid(String field, String message, List<String> allowed) {
        return new Problem(422, field, message, List.copyOf(allowed));
    }

    int status() {
        return status;
    }

    String field() {
        return field;
    }

    List<String> allowed() {
        return allowed;
    }
}
