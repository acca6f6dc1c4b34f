package no.knutepunkt.ingest;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The time rules of device-contract.md: times carry an offset, are not more than five minutes
 * ahead of the hub's receipt, and not before 2000-01-02; a gateway's device clocks are judged by
 * the gateway's send time instead of being rejected.
 */
final class ReadingTimes {

    static final Duration TOLERANCE = Duration.ofMinutes(5);
    static final OffsetDateTime EARLIEST = OffsetDateTime.of(2000, 1, 2, 0, 0, 0, 0, ZoneOffset.UTC);

    private ReadingTimes() {
    }

    static OffsetDateTime parse(String text, String field) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            if (isLocal(text)) {
                throw new Rejection(Rejection.Reason.MISSING_TIME_ZONE, field + " '" + text + "' has no time zone offset");
            }
            throw new Rejection(Rejection.Reason.BAD_TIME, field + " '" + text + "' is not an ISO-8601 date-time with offset");
        }
    }

    private static boolean isLocal(String text) {
        try {
            LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** For a reading whose device clock is trusted: refuse what is in the future or impossibly old. */
    static void check(OffsetDateTime time, OffsetDateTime receivedAt) {
        if (time.isAfter(receivedAt.plus(TOLERANCE))) {
            throw new Rejection(Rejection.Reason.TIME_IN_FUTURE,
                    "measurement time " + time + " is more than 5 minutes after the hub received it");
        }
        if (time.isBefore(EARLIEST)) {
            throw new Rejection(Rejection.Reason.TIME_TOO_EARLY, "measurement time " + time + " is before 2000-01-02");
        }
    }

    /**
     * A gateway's send time, if it can be trusted to place its readings; otherwise the hub's receipt time.
     */
    static OffsetDateTime assignmentTime(OffsetDateTime sent, OffsetDateTime receivedAt) {
        boolean sentBad = sent.isAfter(receivedAt.plus(TOLERANCE)) || sent.isBefore(EARLIEST);
        return sentBad ? receivedAt : sent;
    }

    /**
     * PHD's coincident time stamp rule: a device time more than 5 minutes after the gateway's send
     * time, before 2000-01-02, or (since the send time may be wrong too) ahead of the hub's receipt.
     */
    static boolean isBadDeviceClock(OffsetDateTime time, OffsetDateTime sent, OffsetDateTime receivedAt) {
        return time.isAfter(sent.plus(TOLERANCE)) || time.isBefore(EARLIEST) || time.isAfter(receivedAt.plus(TOLERANCE));
    }
}
