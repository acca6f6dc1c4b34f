package no.knutepunkt.registry;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The registry content loaded at start-up, for a demo or a pilot's first day. */
@ConfigMapping(prefix = "knutepunkt.seed")
interface SeedConfig {

    /** JSON seed file (see deploy/seed/demo-pilot.json); none loads nothing. */
    Optional<String> file();
}
