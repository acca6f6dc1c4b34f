package no.knutepunkt.fhir;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * The half-open interval [from, to) of effective instants a {@code date} search asks for. Each
 * search value stands for the interval its precision implies (2026-11 is the whole month), and the
 * prefixes follow FHIR's rules for a point in time: {@code gt} starts after that interval ends,
 * {@code le} ends with it. Values without an offset are read in the configured zone.
 *
 * @param from inclusive, or null for unbounded
 * @param to   exclusive, or null for unbounded
 */
record EffectiveRange(Instant from, Instant to) {

    static final EffectiveRange ALL = new EffectiveRange(null, null);

    private static final Pattern VALUE = Pattern.compile(
            "(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?(Z|[+-]\\d{2}:\\d{2})?)?)?)?");

    static EffectiveRange of(DateRangeParam range, ZoneId zone) {
        if (range == null) {
            return ALL;
        }
        Instant from = null;
        Instant to = null;
        for (DateParam p : range.getValuesAsQueryTokens()) {
            Instant[] interval = interval(p.getValueAsString(), zone);
            ParamPrefixEnum prefix = p.getPrefix() == null ? ParamPrefixEnum.EQUAL : p.getPrefix();
            switch (prefix) {
                case EQUAL -> {
                    from = later(from, interval[0]);
                    to = earlier(to, interval[1]);
                }
                case GREATERTHAN, STARTS_AFTER -> from = later(from, interval[1]);
                case GREATERTHAN_OR_EQUALS -> from = later(from, interval[0]);
                case LESSTHAN, ENDS_BEFORE -> to = earlier(to, interval[0]);
                case LESSTHAN_OR_EQUALS -> to = earlier(to, interval[1]);
                default -> throw new InvalidRequestException("date prefix " + prefix.getValue() + " is not supported");
            }
        }
        return new EffectiveRange(from, to);
    }

    /** [start, end) of what a search value stands for. */
    static Instant[] interval(String value, ZoneId zone) {
        Matcher m = value == null ? null : VALUE.matcher(value);
        if (m == null || !m.matches()) {
            throw new InvalidRequestException("not a FHIR date or dateTime: " + value);
        }
        try {
            int year = Integer.parseInt(m.group(1));
            int month = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            int day = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
            int hour = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
            int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
            int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            String fraction = m.group(7);
            int nano = fraction == null ? 0 : Integer.parseInt((fraction + "000000000").substring(0, 9));
            LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nano);
            ZonedDateTime start = m.group(8) == null ? local.atZone(zone) : local.atOffset(ZoneOffset.of(m.group(8))).toZonedDateTime();
            ZonedDateTime end;
            if (fraction != null) {
                end = start.plusNanos((long) Math.pow(10, 9 - fraction.length()));
            } else if (m.group(6) != null) {
                end = start.plus(1, ChronoUnit.SECONDS);
            } else if (m.group(5) != null) {
                end = start.plus(1, ChronoUnit.MINUTES);
            } else if (m.group(3) != null) {
                end = start.plusDays(1);
            } else if (m.group(2) != null) {
                end = start.plusMonths(1);
            } else {
                end = start.plusYears(1);
            }
            return new Instant[] {start.toInstant(), end.toInstant()};
        } catch (java.time.DateTimeException e) {
            throw new InvalidRequestException("not a FHIR date or dateTime: " + value);
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
