package no.knutepunkt.ingest;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code vendor-mqtt:measurements}: the vendors' measurements from the broker, one exchange per
 * message, acknowledged to the broker only when the exchange completes — that is, after the
 * commit. (camel-paho acknowledges when its consumer returns, which would allow one message in
 * flight per connection and no batching across messages.)
 */
@ApplicationScoped
@Named("vendor-mqtt")
public class MqttIntakeComponent extends DefaultComponent {

    private final MqttConfig config;
    private final MqttConnections connections;

    public MqttIntakeComponent(MqttConfig config, MqttConnections connections) {
        this.config = config;
        this.connections = connections;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        return new IntakeEndpoint(uri, this);
    }

    private final class IntakeEndpoint extends DefaultEndpoint {

        IntakeEndpoint(String uri, MqttIntakeComponent component) {
            super(uri, component);
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException("vendor-mqtt only consumes; receipts are published by the receipts bean");
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            Consumer consumer = new MqttIntakeConsumer(this, processor, config, connections);
            configureConsumer(consumer);
            return consumer;
        }
    }
}
