package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import no.knutepunkt.ingest.Receipt.Result;
import no.knutepunkt.ingest.Receipt.Status;

class ReceiptTest {

    private static Result r(Status s) {
        return new Result("k-" + s, s, s == Status.ACCEPTED ? null : "why", null);
    }

    @Test
    void messageStatusIsTheCommonStatusOrPartial() {
        assertThat(Receipt.of("m", List.of(r(Status.ACCEPTED), r(Status.ACCEPTED)), null).status()).isEqualTo(Status.ACCEPTED);
        assertThat(Receipt.of("m", List.of(r(Status.PARKED)), null).status()).isEqualTo(Status.PARKED);
        Receipt mixed = Receipt.of("m", List.of(r(Status.ACCEPTED), r(Status.REJECTED), r(Status.REJECTED)), null);
        assertThat(mixed.status()).isEqualTo(Status.PARTIAL);
        assertThat(mixed.reason()).isEqualTo("1 accepted, 2 rejected of 3 readings");
    }

    @Test
    void refusedMessageIsRejectedWithItsReason() {
        Rejection why = new Rejection(Rejection.Reason.NOT_JSON, "payload is not valid JSON");
        Receipt receipt = Receipt.of(null, List.of(new Result(null, Status.REJECTED, why.reason(), null)), why);
        assertThat(receipt.status()).isEqualTo(Status.REJECTED);
        assertThat(receipt.reason()).isEqualTo("payload is not valid JSON");
    }

    @Test
    void httpStatusFollowsTheContract() {
        Rejection tooLarge = new Rejection(Rejection.Reason.TOO_LARGE, "x");
        Rejection notJson = new Rejection(Rejection.Reason.NOT_JSON, "x");
        Rejection range = new Rejection(Rejection.Reason.IMPLAUSIBLE_VALUE, "x");
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.ACCEPTED)), null), null)).isEqualTo(200);
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.DUPLICATE)), null), null)).isEqualTo(200);
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.ACCEPTED), r(Status.REJECTED)), null), null)).isEqualTo(200);
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.PARKED)), null), null)).isEqualTo(202);
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.REJECTED)), range), range)).isEqualTo(422);
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.REJECTED)), notJson), notJson)).isEqualTo(400);
        assertThat(HttpReceipt.status(Receipt.of("m", List.of(r(Status.REJECTED)), tooLarge), tooLarge)).isEqualTo(413);
    }
}
