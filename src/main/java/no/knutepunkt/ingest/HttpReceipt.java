package no.knutepunkt.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;


/**
 * Answers an HTTPS intake with the receipt (device-contract.md): 200 accepted / duplicate /
 * partial, 202 parked, 422 rejected, 400 not JSON, 413 too large.
 */
@ApplicationScoped
@Named("httpReceipt")
public class HttpReceipt {

    public void respond(Exchange exchange) {
        Intake intake = exchange.getVariable(Intake.VARIABLE, Intake.class);
        Receipt receipt = intake.receipt();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status(receipt, intake.rejection()));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(intake.receiptJson());
    }

    static int status(Receipt receipt, Rejection rejection) {
        return switch (receipt.status()) {
            case ACCEPTED, DUPLICATE, PARTIAL -> 200;
            case PARKED -> 202;
            case REJECTED -> rejection == null ? 422 : switch (rejection.code()) {
                case TOO_LARGE -> 413;
                case NOT_JSON, NOT_UTF8 -> 400;
                default -> 422;
            };
        };
    }
}
