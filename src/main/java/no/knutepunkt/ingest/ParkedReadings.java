package no.knutepunkt.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.quarkus.scheduler.Scheduled;

import no.knutepunkt.common.Reading;
import no.knutepunkt.fhir.ObservationWriter;
import no.knutepunkt.registry.AssignmentsChanged;
import no.knutepunkt.registry.DeviceRouting;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.DeviceRouting.Route;
import no.knutepunkt.store.MeasurementRow;
import no.knutepunkt.store.ReadingRow;
import no.knutepunkt.store.ReadingStore;
import no.knutepunkt.store.TallyDelta;

/**
 * Readings that are valid but not yet routable (unknown device, or no assignment covering their
 * time). They are kept with everything needed to build their Observation and routed again, by
 * the same rule, whenever assignments change — and by a periodic sweep, in case the hub stopped
 * between an assignment's commit and its replay. A reading from before an assignment's start
 * stays parked: it may be the previous user's, or a warehouse test.
 */
@ApplicationScoped
public class ParkedReadings {

    private static final Logger LOG = Logger.getLogger(ParkedReadings.class);
    private static final int CHUNK = 500;

    private final DataSource db;
    private final DeviceRouting routing;
    private final ObservationWriter observations;
    private final ReadingStore store;
    /** Offsets must survive the round trip: effectiveDateTime keeps the sender's. */
    private final ObjectMapper json = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // The records' components only: helper methods such as Value.isOutOfMeterRange() are not state.
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.GETTER, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.IS_GETTER, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            // A reading parked by an older hub may carry a field this one no longer knows.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public ParkedReadings(DataSource db, DeviceRouting routing, ObservationWriter observations, ReadingStore store) {
        this.db = db;
        this.routing = routing;
        this.observations = observations;
        this.store = store;
    }

    /** The row that parks a reading. */
    ReadingRow row(UUID id, String vendorId, Reading r, DeviceRouting.Status status, String gatewayId, OffsetDateTime receivedAt,
            UUID inboundMessageId) {
        String reason = status == DeviceRouting.Status.UNKNOWN
                ? "device '" + r.device() + "' is not registered yet"
                : "no device assignment covers the reading's time";
        return new ReadingRow(id, vendorId, r.key(), r.device(), r.kind().primaryLoinc(), r.effective(), r.contentKey(), r.kind().key(),
                receivedAt, inboundMessageId, null, null, null, null, serialise(new Parked(r, gatewayId)), reason, false);
    }

    void onAssignmentsChanged(@Observes AssignmentsChanged changed) {
        for (DeviceKey device : changed.devices()) {
            try {
                routeAgain(device);
            } catch (SQLException e) {
                LOG.warnf("parked readings of a %s device could not be routed now (%s); the sweep will retry",
                        device.vendorId(), e.getSQLState());
            }
        }
    }

    @Scheduled(every = "${knutepunkt.ingest.parked-sweep-every:60s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() throws SQLException {
        List<String[]> devices;
        try (Connection c = db.getConnection()) {
            devices = store.devicesWithRoutableParkedReadings(c, 100);
        }
        for (String[] d : devices) {
            try {
                routeAgain(new DeviceKey(d[0], d[1]));
            } catch (SQLException | RuntimeException e) {
                // One device's trouble must not keep the others' readings parked.
                LOG.warnf("parked readings of a %s device could not be routed (%s); next sweep retries", d[0], e.getMessage());
            }
        }
    }

    /**
     * Routes a device's parked readings again, a chunk per transaction, under the device's
     * exclusive lock (so no ingest batch parks one of its readings concurrently).
     *
     * @return how many were stored
     */
    public int routeAgain(DeviceKey device) throws SQLException {
        int total = 0;
        while (true) {
            int storedNow;
            boolean more;
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    routing.lockExclusively(c, List.of(device));
                    List<ReadingStore.ParkedRow> parked = store.routableParked(c, device.vendorId(), device.serial(), CHUNK);
                    List<Parked> readings = new ArrayList<>();
                    List<DeviceRouting.Query> queries = new ArrayList<>();
                    for (ReadingStore.ParkedRow p : parked) {
                        Parked r = deserialise(p.parkedReading());
                        readings.add(r);
                        queries.add(new DeviceRouting.Query(device.vendorId(), device.serial(), r.reading().effective()));
                    }
                    List<Route> routes = routing.route(c, queries);
                    List<ReadingRow> rows = new ArrayList<>();
                    List<MeasurementRow> measurements = new ArrayList<>();
                    for (int i = 0; i < parked.size(); i++) {
                        if (routes.get(i).status() == DeviceRouting.Status.ROUTED) {
                            ReadingStore.ParkedRow p = parked.get(i);
                            RoutedReading routed = RoutedReading.of(p.id(), device.vendorId(), readings.get(i).reading(), routes.get(i),
                                    readings.get(i).gatewayId(), p.receivedAt(), p.inboundMessageId(), observations);
                            rows.add(routed.row());
                            measurements.addAll(routed.measurements());
                        }
                    }
                    storedNow = store.unpark(c, rows);
                    store.measurements(c, measurements);
                    store.tally(c, Map.of(device.vendorId(), new TallyDelta(0, storedNow, 0, -storedNow, 0)));
                    c.commit();
                    more = parked.size() == CHUNK && storedNow > 0;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            total += storedNow;
            if (!more) {
                if (total > 0) {
                    LOG.infof("routed %d parked readings of a %s device", total, device.vendorId());
                }
                return total;
            }
        }
    }

    String serialise(Parked p) {
        try {
            return json.writeValueAsString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Parked deserialise(String text) {
        try {
            return json.readValue(text, Parked.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a parked reading keeps: the validated reading, and the gateway it came through. */
    record Parked(Reading reading, String gatewayId) {
    }
}
