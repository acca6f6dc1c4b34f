package no.knutepunkt.ingest;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the hub connects to the broker to consume measurements and publish receipts. */
@ConfigMapping(prefix = "knutepunkt.mqtt")
public interface MqttConfig {

    /** Broker URL: tcp://host:port, or ssl://host:port with {@link #tls()}. */
    String url();

    Optional<String> username();

    Optional<String> password();

    /**
     * Stable per hub instance: the broker keeps each consumer's session (and its unacknowledged
     * messages) under {clientId}-{n}. Two instances must not share it.
     */
    String clientId();

    String shareGroup();

    String topicFilter();

    /** Subscribe as $share/{shareGroup}/{topicFilter} so several instances split the load. */
    boolean shared();

    /** Consumer connections per instance; each holds up to {@link #receiveMaximum()} unacknowledged messages. */
    int consumers();

    /** MQTT 5 Receive Maximum: the in-flight window per consumer connection, and so the largest batch it feeds. */
    int receiveMaximum();

    /** How long the broker keeps a disconnected consumer's session and queued messages. */
    Duration sessionExpiry();

    Tls tls();

    interface Tls {
        Optional<String> trustStore();

        Optional<String> trustStorePassword();

        Optional<String> keyStore();

        Optional<String> keyStorePassword();

        @WithDefault("TLSv1.3")
        String protocol();
    }
}
