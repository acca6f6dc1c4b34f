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
        return ms.getNano() == 0 ? SECONDS.format(ms) : MILLIS.format(ms);
    }
}
