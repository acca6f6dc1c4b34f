package no.knutepunkt.ingest;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** Limits and batching of the ingest pipeline. */
@ConfigMapping(prefix = "knutepunkt.ingest")
public interface IngestConfig {

    /** Larger payloads are dead-lettered (device-contract.md: 64 KiB). */
    int maxPayloadBytes();

    /** Deeper JSON is dead-lettered (device-contract.md: 32). */
    int maxNestingDepth();

    /** Most messages committed in one transaction. */
    int batchSize();

    /** How long a writer waits for more messages once it has one, to fill a batch. */
    Duration batchLinger();

    /** Writer threads, each with its own connection, committing batches concurrently. */
    int writers();

    /**
     * Most messages waiting for a commit. MQTT consumers hold far fewer (their windows); HTTP has no
     * window, so past this a POST is answered as not committed, to be sent again.
     */
    @io.smallrye.config.WithDefault("20000")
    int queueCapacity();
}
