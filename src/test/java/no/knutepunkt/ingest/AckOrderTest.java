package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AckOrderTest {

    @Test
    void acknowledgesInArrivalOrderWhateverTheCompletionOrder() throws InterruptedException {
        List<Integer> acked = new ArrayList<>();
        AckOrder order = new AckOrder(acked::add, 10);
        Object a = order.arrived(7);
        Object b = order.arrived(3);
        Object c = order.arrived(9);
        order.completed(c);
        order.completed(b);
        assertThat(acked).isEmpty();
        assertThat(order.size()).isEqualTo(3);
        order.completed(a);
        assertThat(acked).containsExactly(7, 3, 9);
        assertThat(order.size()).isZero();
    }

    @Test
    void anUncompletedMessageHoldsBackOnlyWhatCameAfterIt() throws InterruptedException {
        List<Integer> acked = new ArrayList<>();
        AckOrder order = new AckOrder(acked::add, 10);
        Object a = order.arrived(1);
        order.arrived(2);
        Object c = order.arrived(3);
        order.completed(a);
        order.completed(c);
        assertThat(acked).containsExactly(1);
    }

    @Test
    void aFullWindowWaitsUntilTheOldestIsAcknowledged() throws Exception {
        List<Integer> acked = new java.util.concurrent.CopyOnWriteArrayList<>();
        AckOrder order = new AckOrder(acked::add, 2);
        Object a = order.arrived(1);
        order.arrived(2);
        java.util.concurrent.CompletableFuture<Object> third = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return order.arrived(3);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300)).until(() -> !third.isDone());
        order.completed(a);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(third::isDone);
        assertThat(acked).containsExactly(1);
        assertThat(order.size()).isEqualTo(2);
    }

    /** Review S7: after its connection dropped, an order acknowledges nothing, even what completes later. */
    @Test
    void anAbandonedOrderNeverAcknowledges() throws Exception {
        List<Integer> acked = new ArrayList<>();
        AckOrder order = new AckOrder(acked::add, 1);
        Object a = order.arrived(1);
        java.util.concurrent.CompletableFuture<Object> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return order.arrived(2);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        order.abandon();
        Object b = waiting.get(5, java.util.concurrent.TimeUnit.SECONDS);
        order.completed(a);
        order.completed(b);
        assertThat(acked).isEmpty();
        assertThat(order.size()).isZero();
    }

    @Test
    void drainingWaitsForTheLastAcknowledgement() throws Exception {
        List<Integer> acked = new java.util.concurrent.CopyOnWriteArrayList<>();
        AckOrder order = new AckOrder(acked::add, 10);
        Object a = order.arrived(1);
        assertThat(order.awaitEmpty(50)).isFalse();
        java.util.concurrent.CompletableFuture.runAsync(() -> order.completed(a));
        assertThat(order.awaitEmpty(5_000)).isTrue();
        assertThat(acked).containsExactly(1);
    }
}
