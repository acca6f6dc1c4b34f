package no.knutepunkt.common;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Writes times as clinical-coding.md asks: yyyy-MM-ddTHH:mm:ss[.SSS]±hh:mm, the sender's offset kept. */
public final class FhirTime {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private FhirTime() {
    }

    public static String format(OffsetDateTime t) {
        OffsetDateTime ms = t.truncatedTo(ChronoUnit.MILLIS);
        if (ms.getOffset().getTotalSeconds() % 60 != 0) {
            // FHIR offsets are hours and minutes; an offset with seconds keeps its instant in UTC instead.
            ms = ms.withOffsetSameInstant(java.time.ZoneOffset.UTC);
        }
        return ms.getNano() == 0 ? SECONDS.format(ms) : MILLIS.format(ms);
    }

    /** Whether FHIR's dateTime can hold it: years 0001 to 9999 (a broken device clock can say anything). */
    public static boolean representable(OffsetDateTime t) {
        int year = t.withOffsetSameInstant(java.time.ZoneOffset.UTC).getYear();
        return year >= 1 && year <= 9999 && t.getYear() >= 1 && t.getYear() <= 9999;
    }
}
