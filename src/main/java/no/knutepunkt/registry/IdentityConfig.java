package no.knutepunkt.registry;

import io.smallrye.config.ConfigMapping;

/** Which identities the registry accepts. */
@ConfigMapping(prefix = "knutepunkt.identity")
public interface IdentityConfig {

    /** Accept synthetic fødselsnumre (month + 80)? Only test and demo profiles turn this on. */
    boolean syntheticAllowed();
}
