package no.knutepunkt.registry;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How large a bulk onboarding file may be. The whole file is checked in memory before anything is
 * written, so it has limits; a pilot municipality's file is a few hundred rows, and the defaults
 * take a large municipality's whole roll-out at once.
 */
@ConfigMapping(prefix = "knutepunkt.onboarding")
public interface OnboardingConfig {

    /** The file's size at most (ONBOARDING_MAX_FILE_SIZE); larger ones are refused with 413 before they are read. */
    @WithDefault("5M")
    MemorySize maxFileSize();

    /** Data rows at most (ONBOARDING_MAX_ROWS). */
    @WithDefault("20000")
    int maxRows();
}
