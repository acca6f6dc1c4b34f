package no.knutepunkt.fhir;

import java.time.ZoneId;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The FHIR read API's settings (knutepunkt.fhir.*). */
@ConfigMapping(prefix = "knutepunkt.fhir")
public interface FhirApiConfig {

    /** Page size of an Observation search without {@code _count}. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page a client can ask for with {@code _count}; more is capped to this. */
    @WithDefault("1000")
    int maxPageSize();

    /** Largest {@code max} of {@code $lastn}, per code. */
    @WithDefault("100")
    int lastnMax();

    /**
     * The zone a search date without an offset is read in ({@code date=2026-11-22} is that day in
     * Norway for a Norwegian clinician, not in UTC).
     */
    @WithDefault("Europe/Oslo")
    ZoneId timeZone();
}
