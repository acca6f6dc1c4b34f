package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import no.knutepunkt.ingest.Rejection.Reason;

/** The payload rules every message meets before a mapping sees it. */
class EnvelopeTest {

    private static final IngestConfig LIMITS = new IngestConfig() {
        public int maxPayloadBytes() {
            return 65536;
        }

        public int maxNestingDepth() {
            return 32;
        }

        public int batchSize() {
            return 1;
        }

        public Duration batchLinger() {
            return Duration.ZERO;
        }

        public int writers() {
            return 1;
        }

        public int queueCapacity() {
            return 1;
        }
    };

    private final Envelope envelope = new Envelope(null, Clock.systemUTC(), LIMITS);

    private Reason refusal(byte[] payload) {
        return catchThrowableOfType(Rejection.class, () -> envelope.parse(payload)).code();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    @Test
    void aJsonObjectPasses() {
        assertThat(envelope.parse(utf8("{\"messageId\": \"æøå\", \"v\": 1.10}")).get("v").decimalValue().toPlainString())
                .isEqualTo("1.10");
    }

    @Test
    void largerThan64KiBIsRefused() {
        String filler = "x".repeat(65536 - 10);
        assertThat(envelope.parse(utf8("{\"a\":\"" + filler.substring(0, 65536 - 10) + "\"}"))).isNotNull();
        assertThat(refusal(utf8("{\"a\":\"" + filler + "xxxxxxx\"}"))).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void notUtf8IsRefused() {
        assertThat(refusal(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' })).isEqualTo(Reason.NOT_UTF8);
        assertThat(refusal("{\"a\":\"ø\"}".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(Reason.NOT_UTF8);
    }

    @Test
    void notJsonIsRefused() {
        assertThat(refusal(utf8("hello"))).isEqualTo(Reason.NOT_JSON);
        assertThat(refusal(utf8("{\"a\": 1"))).isEqualTo(Reason.NOT_JSON);
        assertThat(refusal(utf8("[1, 2]"))).isEqualTo(Reason.NOT_JSON);
        assertThat(refusal(utf8("{} {}"))).isEqualTo(Reason.NOT_JSON);
        assertThat(refusal(utf8(""))).isEqualTo(Reason.NOT_JSON);
        assertThat(refusal(utf8("{\"a\": NaN}"))).isEqualTo(Reason.NOT_JSON);
    }

    @Test
    void duplicateFieldsAreAmbiguousAndRefused() {
        assertThat(refusal(utf8("{\"value\": 1, \"value\": 2}"))).isEqualTo(Reason.NOT_JSON);
    }

    @Test
    void nestingDeeperThan32IsRefused() {
        assertThat(envelope.parse(utf8(nested(32)))).isNotNull();
        assertThat(refusal(utf8(nested(33)))).isEqualTo(Reason.TOO_DEEP);
    }
}
