package no.knutepunkt.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AckOrderTest {

    @Test
    void acknowledgesInArrivalOrderWhateverTheCompletionOrder() {
        List<Integer> acked = new ArrayList<>();
        AckOrder order = new AckOrder(acked::add);
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
    void anUncompletedMessageHoldsBackOnlyWhatCameAfterIt() {
        List<Integer> acked = new ArrayList<>();
        AckOrder order = new AckOrder(acked::add);
        Object a = order.arrived(1);
        order.arrived(2);
        Object c = order.arrived(3);
        order.completed(a);
        order.completed(c);
        assertThat(acked).containsExactly(1);
    }
}
