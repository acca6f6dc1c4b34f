package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingTest {

    @Test
    void whatWasSentComesBackByteForByteEvenWhenItIsNotUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.jsonl");
        byte[] latin1 = "{\"deviceId\": \"Bjørnstad\"}".getBytes(StandardCharsets.ISO_8859_1);
        List<OutgoingMessage> sent = List.of(
                new OutgoingMessage("nordic-telecare", "NT-OX-1", "m-1", 2, "{\"messageId\": \"m-1\"}".getBytes(StandardCharsets.UTF_8), null),
                new OutgoingMessage("acme-medical", "AC-SC-1", null, 1, latin1, null));
        Instant at = Instant.parse("2026-11-22T10:00:00Z");
        try (Recording r = Recording.create(file, new Recording.Header("bad", 7, 12, at))) {
            sent.forEach(r::write);
        }

        Recording.Contents back = Recording.read(file);
        assertThat(back.header()).isEqualTo(new Recording.Header("bad", 7, 12, at));
        assertThat(back.messages()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            OutgoingMessage m = back.messages().get(i);
            assertThat(m.topic()).isEqualTo(sent.get(i).topic());
            assertThat(m.messageId()).isEqualTo(sent.get(i).messageId());
            assertThat(m.readings()).isEqualTo(sent.get(i).readings());
            assertThat(m.payload()).isEqualTo(sent.get(i).payload());
        }
        // Readable by a person: UTF-8 payloads stay text.
        assertThat(Files.readAllLines(file).get(1)).contains("\"text\":\"{\\\"messageId\\\": \\\"m-1\\\"}\"");
        assertThat(Files.readAllLines(file).get(2)).contains("\"base64\"");
    }
}
