package no.knutepunkt.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Registry;

/** On plain PostgreSQL the time series is partitioned by month, with a default partition for the rest. */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class TimeSeriesStorageTest {

    private static List<String> partitions(Registry db, String table) throws Exception {
        List<String> names = new java.util.ArrayList<>();
        try (var ps = db.connection().prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?::regclass ORDER BY 1")) {
            ps.setString(1, table);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    @Test
    void measurementsAndRawMessagesArePartitionedByMonth() throws Exception {
        try (Registry db = new Registry()) {
            YearMonth now = YearMonth.now(ZoneOffset.UTC);
            for (String table : List.of("measurement", "inbound_message")) {
                assertThat(db.text("SELECT relkind::text FROM pg_class WHERE relname = ?", table)).isEqualTo("p");
                assertThat(partitions(db, table)).contains(table + "_default",
                        table + "_p" + now.minusMonths(12).toString().replace('-', '_'),
                        table + "_p" + now.toString().replace('-', '_'),
                        table + "_p" + now.plusMonths(3).toString().replace('-', '_'));
            }
        }
    }

    @Test
    void aMonthWithRowsInTheDefaultPartitionIsLeftThere() throws Exception {
        try (Registry db = new Registry()) {
            // 2019: before any month partition, so the row lands in the default partition.
            try (var ps = db.connection().prepareStatement("INSERT INTO measurement (time, patient_id, device_id, loinc, value, unit, "
                    + "observation_id) VALUES ('2019-03-10T10:00:00Z', ?, 1, '8867-4', 71, '/min', ?)")) {
                ps.setObject(1, UUID.randomUUID());
                ps.setObject(2, UUID.randomUUID());
                ps.executeUpdate();
            }
            assertThat(db.count("SELECT count(*) FROM measurement_default WHERE time < '2019-04-01'")).isGreaterThanOrEqualTo(1);
            // Creating March 2019 would fail on that row: the function skips it; April 2019 is created.
            assertThat(db.count("SELECT knutepunkt_ensure_month_partitions('measurement', 'time', '2019-03-01', 2)")).isEqualTo(1);
            assertThat(partitions(db, "measurement")).contains("measurement_p2019_04").doesNotContain("measurement_p2019_03");
            assertThat(db.count("SELECT count(*) FROM measurement WHERE time = '2019-03-10T10:00:00Z'")).isGreaterThanOrEqualTo(1);
        }
    }
}
