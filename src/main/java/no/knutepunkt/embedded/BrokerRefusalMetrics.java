package no.knutepunkt.embedded;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The embedded broker's refusals as the counter {@code knutepunkt.broker.refusals{reason, vendor}}
 * (Prometheus: {@code knutepunkt_broker_refusals_total}). {@code vendor} is a registered vendor id,
 * the hub's own account, or {@code unknown}: never whatever user name a stranger tried.
 */
@ApplicationScoped
class BrokerRefusalMetrics {

    /** Held here: a function counter keeps only a weak reference to what it reads. */
    private final Set<BrokerRefusals.Key> counted = ConcurrentHashMap.newKeySet();
    private volatile AutoCloseable listening;

    void register(@Observes StartupEvent start, MeterRegistry metrics) {
        listening = BrokerRefusals.eachKey(key -> {
            counted.add(key);
            FunctionCounter.builder("knutepunkt.broker.refusals", key, k -> BrokerRefusals.count(k.reason(), k.account()))
                    .description("What the embedded MQTT broker refused: connect-refused, publish-denied, subscribe-denied")
                    .tag("reason", key.reason())
                    .tag("vendor", key.account())
                    .register(metrics);
        });
    }

    void stop(@Observes ShutdownEvent stop) throws Exception {
        AutoCloseable l = listening;
        if (l != null) {
            l.close();
        }
    }
}
