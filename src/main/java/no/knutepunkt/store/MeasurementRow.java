package no.knutepunkt.store;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One value in the time series (a blood-pressure panel gives two or three). */
public record MeasurementRow(OffsetDateTime time, UUID patientId, long deviceId, String loinc, BigDecimal value,
        String comparator, String unit, UUID observationId) {
}
