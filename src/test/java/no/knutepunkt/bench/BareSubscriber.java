package no.knutepunkt.bench;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import no.knutepunkt.testing.MqttListener;

/**
 * The benchmark's baseline: the least a subscriber can do with the same load and the same
 * durability — the same shared subscription, persistent sessions, in-flight window and ack after
 * commit — but no mapping, validation, unit conversion, routing, FHIR, identity or receipts. It
 * takes the values out of each format as they are and batch-inserts one row per value into a
 * table shaped like the hub's time series.
 */
final class BareSubscriber implements AutoCloseable {

    static final String TABLE = """
            CREATE TABLE IF NOT EXISTS baseline_measurement (
                time timestamptz NOT NULL, device text NOT NULL, code text NOT NULL, value numeric NOT NULL,
                unit text, message_id text NOT NULL)
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinkedBlockingQueue<Arrived> queue = new LinkedBlockingQueue<>();
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private final Thread writer;
    private final Consumer<String> committed;
    private final java.util.function.ToIntFunction<String> readingsOfTopic;
    private final java.util.concurrent.atomic.LongAdder committedReadings = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean running = true;

    /**
     * @param committed       told each committed message's id (for latency)
     * @param readingsOfTopic readings a message on a topic carries, to count throughput as the hub's is counted
     */
    BareSubscriber(String mqttUrl, String jdbcUrl, String user, String password, int consumers, int receiveMaximum, String group,
            Consumer<String> committed, java.util.function.ToIntFunction<String> readingsOfTopic) throws Exception {
        no.knutepunkt.simulator.PahoLogging.quiet();
        this.committed = committed;
        this.readingsOfTopic = readingsOfTopic;
        Connection db = DriverManager.getConnection(jdbcUrl, user, password);
        try (var s = db.createStatement()) {
            s.execute(TABLE);
        }
        db.setAutoCommit(false);
        writer = new Thread(() -> writeLoop(db), "baseline-writer");
        writer.start();
        for (int i = 0; i < consumers; i++) {
            MqttAsyncClient c = new MqttAsyncClient(mqttUrl, group + "-" + i, new MemoryPersistence());
            c.setManualAcks(true);
            c.setCallback(new Callback(c));
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(3600L);
            o.setReceiveMaximum(receiveMaximum);
            c.connect(o).waitForCompletion(10_000);
            c.subscribe("$share/" + group + "/knutepunkt/v1/+/+/measurements", 1).waitForCompletion(10_000);
            clients.add(c);
        }
    }

    private void writeLoop(Connection db) {
        List<Arrived> batch = new ArrayList<>();
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO baseline_measurement (time, device, code, value, unit, message_id)
                SELECT * FROM unnest(?::timestamptz[], ?::text[], ?::text[], ?::numeric[], ?::text[], ?::text[])
                """)) {
            while (running || !queue.isEmpty()) {
                Arrived first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 999);
                List<Object[]> rows = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (Arrived a : batch) {
                    ids.add(rows(a.topic(), a.payload(), rows));
                }
                insert.setArray(1, db.createArrayOf("text", rows.stream().map(r -> r[0]).toArray()));
                insert.setArray(2, db.createArrayOf("text", rows.stream().map(r -> r[1]).toArray()));
                insert.setArray(3, db.createArrayOf("text", rows.stream().map(r -> r[2]).toArray()));
                insert.setArray(4, db.createArrayOf("numeric", rows.stream().map(r -> r[3]).toArray()));
                insert.setArray(5, db.createArrayOf("text", rows.stream().map(r -> r[4]).toArray()));
                insert.setArray(6, db.createArrayOf("text", rows.stream().map(r -> r[5]).toArray()));
                insert.executeUpdate();
                db.commit();
                for (int i = 0; i < batch.size(); i++) {
                    Arrived a = batch.get(i);
                    a.client().messageArrivedComplete(a.id(), 1);
                    committedReadings.add(readingsOfTopic.applyAsInt(a.topic()));
                    committed.accept(ids.get(i));
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | MqttException | RuntimeException e) {
            e.printStackTrace();
        }
    }

    /** Adds the message's values as rows; returns its message id. */
    private static String rows(String topic, byte[] payload, List<Object[]> rows) {
        try {
            JsonNode m = JSON.readTree(payload);
            if (m.has("readings")) {
                String id = m.get("messageId").asText();
                String time = m.get("measuredAt").asText();
                for (JsonNode r : m.get("readings")) {
                    rows.add(new Object[] { time, m.get("deviceId").asText(), r.get("kind").asText(), r.get("value").decimalValue(),
                            r.get("unit").asText(), id });
                }
                return id;
            }
            if (m.has("metric")) {
                String id = m.get("id").asText();
                String time = OffsetDateTime.ofInstant(Instant.ofEpochMilli(m.get("ts").asLong()), java.time.ZoneOffset.UTC).toString();
                JsonNode val = m.get("val");
                if (val.isTextual()) {
                    for (String part : val.asText().split("/")) {
                        rows.add(new Object[] { time, m.get("sn").asText(), m.get("metric").asText(), new BigDecimal(part),
                                m.get("uom").asText(), id });
                    }
                } else {
                    rows.add(new Object[] { time, m.get("sn").asText(), m.get("metric").asText(), val.decimalValue(), m.get("uom").asText(), id });
                }
                return id;
            }
            String gateway = m.get("gateway").asText();
            for (JsonNode o : m.get("observations")) {
                String serial = o.get("device").get("serial").asText();
                if (o.has("compound")) {
                    for (JsonNode c : o.get("compound")) {
                        rows.add(new Object[] { o.get("time").asText(), serial, c.get("mdc").asText(), c.get("value").decimalValue(),
                                o.get("unitCode").asText(), gateway });
                    }
                } else {
                    rows.add(new Object[] { o.get("time").asText(), serial, o.get("mdc").asText(), o.get("value").decimalValue(),
                            o.get("unitCode").asText(), gateway });
                }
            }
            return gateway + ":" + m.get("sent").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Readings of the messages committed so far. */
    long committedReadings() {
        return committedReadings.sum();
    }

    @Override
    public void close() throws MqttException {
        for (MqttAsyncClient c : clients) {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Arrived(MqttAsyncClient client, int id, String topic, byte[] payload) {
    }

    private final class Callback implements MqttListener {
        private final MqttAsyncClient client;

        Callback(MqttAsyncClient client) {
            this.client = client;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            queue.add(new Arrived(client, message.getId(), topic, message.getPayload()));
        }
    }
}
