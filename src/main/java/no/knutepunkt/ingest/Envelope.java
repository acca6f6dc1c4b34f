package no.knutepunkt.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import no.knutepunkt.ingest.Rejection.Reason;
import no.knutepunkt.registry.Vendor;
import no.knutepunkt.registry.Vendors;

/**
 * The first step for every message, whatever the transport: records what arrived (so that even
 * an unreadable message can be dead-lettered with its bytes), then checks what the contract
 * says about any payload before a vendor mapping sees it — size, UTF-8, JSON, nesting, topic ids,
 * a registered vendor — and names the vendor's format for the mapping step.
 */
@ApplicationScoped
@Named("envelope")
public class Envelope {

    /** Headers an intake route sets before calling direct:ingest. */
    public static final String VENDOR = "vendorId";
    public static final String DEVICE = "deviceId";
    /** "MQTT" or "HTTP", as text: routes compare it, and text needs no type conversion per message. */
    public static final String TRANSPORT = "KnutepunktTransport";
    /** Set here: the vendor's format, which names the mapping route. */
    public static final String FORMAT = "KnutepunktFormat";

    private static final Pattern TOPIC_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Vendors vendors;
    private final Clock clock;
    private final IngestConfig config;
    private final ObjectMapper json;

    public Envelope(Vendors vendors, Clock clock, IngestConfig config) {
        this.vendors = vendors;
        this.clock = clock;
        this.config = config;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(config.maxNestingDepth()).build())
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.json = JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // A vendor's 80.0 stays 80.0: the raw value is evidence, whatever the rounding later.
                .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }

    /**
     * Opens a message: the exchange gets the {@link Intake} variable, the parsed payload as body
     * and the {@link #FORMAT} header.
     */
    public void open(Exchange exchange) {
        byte[] payload = exchange.getMessage().getBody(byte[].class);
        String vendorId = exchange.getMessage().getHeader(VENDOR, String.class);
        String deviceId = exchange.getMessage().getHeader(DEVICE, String.class);
        // Never throws: the intake must be recorded before anything about the message can fail.
        Intake.Transport transport = "HTTP".equals(exchange.getMessage().getHeader(TRANSPORT, String.class)) ? Intake.Transport.HTTP
                : Intake.Transport.MQTT;
        Intake intake = new Intake(newId(), transport, vendorId == null ? "" : vendorId, deviceId == null ? "" : deviceId,
                OffsetDateTime.now(clock), payload == null ? new byte[0] : payload);
        exchange.setVariable(Intake.VARIABLE, intake);

        if (vendorId == null || deviceId == null || !TOPIC_ID.matcher(vendorId).matches() || !TOPIC_ID.matcher(deviceId).matches()) {
            throw new Rejection(Reason.BAD_TOPIC, "vendor and device ids must match [A-Za-z0-9._-]{1,64}");
        }
        exchange.getMessage().setBody(parse(intake.payload()));
        Vendor vendor = vendors.find(vendorId)
                .orElseThrow(() -> new Rejection(Reason.UNKNOWN_VENDOR, "vendor '" + vendorId + "' is not registered"));
        intake.format(vendor.format());
        exchange.getMessage().setHeader(FORMAT, vendor.format());
    }

    JsonNode parse(byte[] payload) {
        if (payload.length > config.maxPayloadBytes()) {
            throw new Rejection(Reason.TOO_LARGE, "payload of " + payload.length + " bytes is larger than " + config.maxPayloadBytes());
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload));
        } catch (CharacterCodingException e) {
            throw new Rejection(Reason.NOT_UTF8, "payload is not valid UTF-8");
        }
        try (JsonParser parser = json.createParser(payload)) {
            JsonNode node = json.readTree(parser);
            if (node == null || !node.isObject()) {
                throw new Rejection(Reason.NOT_JSON, "payload is not a JSON object");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new Rejection(Reason.TOO_DEEP, "JSON is nested deeper than " + config.maxNestingDepth() + " levels");
        } catch (IOException e) {
            throw new Rejection(Reason.NOT_JSON, "payload is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Time-ordered, so inbound messages of a period sit together in their partition's index. */
    private UUID newId() {
        long millis = clock.millis();
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long msb = (millis << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
