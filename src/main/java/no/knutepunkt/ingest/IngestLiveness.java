package no.knutepunkt.ingest;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down when an ingest writer died or nothing has been committed for two minutes while messages
 * wait: the messages are unacknowledged and safe, but only a restart frees them.
 */
@Liveness
@ApplicationScoped
public class IngestLiveness implements HealthCheck {

    private static final Duration STALLED_AFTER = Duration.ofMinutes(2);

    private final IntakeCommitter committer;

    public IngestLiveness(IntakeCommitter committer) {
        this.committer = committer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("ingest-writers").status(committer.isHealthy(STALLED_AFTER)).build();
    }
}
