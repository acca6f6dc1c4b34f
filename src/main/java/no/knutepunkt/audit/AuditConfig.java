package no.knutepunkt.audit;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit log's writer and verification (knutepunkt.audit.*). */
@ConfigMapping(prefix = "knutepunkt.audit")
public interface AuditConfig {

    /** Entries waiting for the writer before requests are refused (503): the log must keep up with the reads it records. */
    @WithDefault("10000")
    int queueCapacity();

    /** Entries per transaction at most. */
    @WithDefault("500")
    int batchSize();

    /** How long a request waits for its entry to commit before it is refused. */
    @WithDefault("PT10S")
    Duration commitWait();
}
