package no.knutepunkt.ingest;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The error policy's one step (camel-routes/ingest.yaml): turns whatever went wrong while reading
 * a message into its refusal, so the message is dead-lettered — committed like any other
 * outcome — never just logged and dropped.
 */
@ApplicationScoped
@Named("refusals")
public class Refusals {

    public void refuse(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Intake intake = exchange.getVariable(Intake.VARIABLE, Intake.class);
        if (intake == null) {
            throw new IllegalStateException("a message failed before it was recorded", cause);
        }
        if (intake.rejection() == null) {
            Rejection why;
            if (cause instanceof Rejection r) {
                why = r;
            } else if (cause instanceof org.apache.camel.component.direct.DirectConsumerNotAvailableException) {
                why = new Rejection(Rejection.Reason.NO_MAPPING, "no mapping is loaded for the vendor's format '" + intake.format() + "'");
            } else {
                why = new Rejection(Rejection.Reason.MAPPING_FAILED, "the " + intake.format() + " mapping could not read the message: "
                        + brief(cause));
            }
            JsonNode body = exchange.getMessage().getBody() instanceof JsonNode n ? n : null;
            List<String> keys = intake.messageId() == null ? List.of() : ReadingNormaliser.keys(body, intake.messageId());
            intake.reject(why, keys);
        }
    }

    private static String brief(Exception e) {
        String m = e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
