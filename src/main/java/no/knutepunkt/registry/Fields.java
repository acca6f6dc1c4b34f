package no.knutepunkt.registry;

import java.util.Collection;
import java.util.UUID;

/** Checks of request fields that every registry entity shares; each failure is a 400 naming the field. */
final class Fields {

    private Fields() {
    }

    /**
     * A time as PostgreSQL will keep it (microseconds), so that checks made before storing compare
     * what is stored: a period starting "with" its enrollment must not start a nanosecond earlier.
     */
    static java.time.OffsetDateTime stored(java.time.OffsetDateTime t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    static void required(String field, Object value) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw Problem.malformed(field, field + " is required");
        }
    }

    /** Required text of at most max characters, without control characters (they end up in EPJ displays). */
    static void text(String field, String value, int max) {
        required(field, value);
        optionalText(field, value, max);
    }

    static void optionalText(String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            throw Problem.malformed(field, field + " is longer than " + max + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw Problem.malformed(field, field + " contains control characters");
        }
    }

    static void oneOf(String field, String value, Collection<String> allowed) {
        required(field, value);
        if (!allowed.contains(value)) {
            throw Problem.malformed(field, field + " must be one of " + String.join(", ", allowed.stream().sorted().toList()),
                    allowed.stream().sorted().toList());
        }
    }

    /** An id in a path or query: not a UUID means nothing can have it. */
    static UUID uuid(String field, String value) {
        required(field, value);
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw Problem.malformed(field, field + " is not a UUID");
        }
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
