package no.knutepunkt.simulator;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A recorded run, as JSON Lines: a header (how the run was made), then every message in the order
 * it was published — topic, message id, readings, and the payload as text, or as base64 when it is
 * not UTF-8 (bad-input runs send such on purpose). A vendor can read it, edit it and replay it.
 */
public final class Recording implements AutoCloseable {

    public static final String FORMAT = "knutepunkt-device-simulator";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the recorded run was made: enough to provision the same pilot again. */
    public record Header(String mode, long seed, int patients, Instant recordedAt) {
    }

    /** A recording read back. */
    public record Contents(Header header, List<OutgoingMessage> messages) {
    }

    private final BufferedWriter out;

    private Recording(BufferedWriter out) {
        this.out = out;
    }

    public static Recording create(Path file, Header header) {
        try {
            Recording r = new Recording(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
            ObjectNode h = JSON.createObjectNode().put("recording", FORMAT).put("version", 1).put("mode", header.mode())
                    .put("seed", header.seed()).put("patients", header.patients()).put("recordedAt", header.recordedAt().toString());
            r.line(h);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public synchronized void write(OutgoingMessage m) {
        ObjectNode line = JSON.createObjectNode().put("topic", m.topic());
        if (m.messageId() != null) {
            line.put("messageId", m.messageId());
        }
        line.put("readings", m.readings());
        String text = utf8(m.payload());
        if (text != null) {
            line.put("text", text);
        } else {
            line.put("base64", Base64.getEncoder().encodeToString(m.payload()));
        }
        try {
            line(line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording", e);
        }
    }

    private void line(ObjectNode node) throws IOException {
        out.write(JSON.writeValueAsString(node));
        out.newLine();
        // Flushed per message, so a run stopped by Ctrl-C leaves a complete file.
        out.flush();
    }

    public static Contents read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            JsonNode h = first == null ? null : JSON.readTree(first);
            if (h == null || !FORMAT.equals(h.path("recording").asText())) {
                throw new IllegalArgumentException(file + " is not a recording of the device simulator");
            }
            Header header = new Header(h.path("mode").asText(), h.path("seed").asLong(), h.path("patients").asInt(),
                    Instant.parse(h.path("recordedAt").asText()));
            List<OutgoingMessage> messages = new ArrayList<>();
            String line;
            int n = 1;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode m = JSON.readTree(line);
                String[] topic = m.path("topic").asText().split("/", -1);
                if (topic.length != 5 || !topic[0].equals("knutepunkt") || !topic[1].equals("v1") || !topic[4].equals("measurements")) {
                    throw new IllegalArgumentException(file + " line " + n + ": topic is not knutepunkt/v1/{vendor}/{device}/measurements");
                }
                byte[] payload = m.has("base64") ? Base64.getDecoder().decode(m.get("base64").asText())
                        : m.path("text").asText().getBytes(StandardCharsets.UTF_8);
                messages.add(new OutgoingMessage(topic[2], topic[3], m.hasNonNull("messageId") ? m.get("messageId").asText() : null,
                        m.path("readings").asInt(1), payload, null));
            }
            return new Contents(header, messages);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the recording", e);
        }
    }
}
