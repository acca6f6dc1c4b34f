package no.knutepunkt.web;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Days as the pages' date fields send them (yyyy-MM-dd): the start of that day in Norway, which is
 * when an enrollment starts, a consent was given or a device is assigned from when staff give a day.
 */
final class FormDates {

    private static final ZoneId NORWAY = ZoneId.of("Europe/Oslo");

    /** A field that is not a date; its message is for the page. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private FormDates() {
    }

    /** The start of the day, or null for an empty field. */
    static OffsetDateTime startOf(String value, String label) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip()).atStartOfDay(NORWAY).toOffsetDateTime();
        } catch (DateTimeParseException e) {
            throw new Invalid(label + " må være en dato (åååå-mm-dd).");
        }
    }

    /** Today in Norway, as a date field shows it. */
    static String today(java.time.Clock clock) {
        return LocalDate.now(clock.withZone(NORWAY)).toString();
    }
}
