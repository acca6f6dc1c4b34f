package no.knutepunkt.status;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The status page's settings (knutepunkt.status.*). */
@ConfigMapping(prefix = "knutepunkt.status")
public interface StatusConfig {

    /**
     * How far back "recent" reaches for each vendor's counts and rate. It starts on a minute
     * boundary, so it covers up to a minute more; at most a day (the per-minute sums kept).
     */
    Duration rateWindow();

    /** Patients per page of the latest readings, unless the request asks for fewer. */
    int patientsPerPage();

    /** Most patients a request may ask for at once: each costs one index probe per kind. */
    @WithDefault("200")
    int maxPatientsPerPage();
}
