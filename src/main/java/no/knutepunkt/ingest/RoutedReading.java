package no.knutepunkt.ingest;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import no.knutepunkt.common.Reading;
import no.knutepunkt.common.Value;
import no.knutepunkt.fhir.ObservationWriter;
import no.knutepunkt.registry.DeviceRouting.Route;
import no.knutepunkt.store.MeasurementRow;
import no.knutepunkt.store.ReadingRow;

/**
 * A reading that has found its patient, as the rows that store it: the reading with its
 * Observation, and one time-series row per value. Built the same way when a message arrives and
 * when a parked reading is routed later.
 */
record RoutedReading(ReadingRow row, List<MeasurementRow> measurements) {

    static RoutedReading of(UUID id, String vendorId, Reading reading, Route route, String gatewayId, OffsetDateTime receivedAt,
            UUID inboundMessageId, ObservationWriter observations) {
        Reading filled = withMeterLimits(reading, route);
        byte[] observation = observations.writeUtf8(id, vendorId, filled, route.assignment().subject(), gatewayId, receivedAt,
                route.paused());
        ReadingRow row = new ReadingRow(id, vendorId, reading.key(), reading.device(), reading.kind().primaryLoinc(),
                reading.effective(), reading.contentKey(), reading.kind().key(), receivedAt, inboundMessageId, route.device().id(),
                route.assignment().subject().patientId(), route.assignment().enrollmentId(), observation, null, null, route.paused());
        List<MeasurementRow> measurements = filled.values().stream()
                .map(v -> new MeasurementRow(filled.effective(), row.patientId(), route.device().id(), v.kind().loinc(), v.value(),
                        v.comparator(), v.kind().unit(), id))
                .toList();
        return new RoutedReading(row, measurements);
    }

    /** A glucose meter's HI / LO stands for the limit of its measuring range, which its registration knows. */
    private static Reading withMeterLimits(Reading r, Route route) {
        if (r.values().stream().noneMatch(Value::outOfMeterRange)) {
            return r;
        }
        return r.withValues(r.values().stream()
                .map(v -> !v.outOfMeterRange() ? v
                        : v.withLimit(">".equals(v.comparator()) ? route.device().glucoseHigh() : route.device().glucoseLow()))
                .toList());
    }
}
