package no.knutepunkt.access;

import java.time.Duration;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How a token's claims say who the caller is (knutepunkt.auth.*; README, "Sign-in and tokens").
 * The defaults are HelseID's claim names for health personnel and ID-porten's for citizens, so a
 * deployment against those needs none of this; another issuer is mapped here.
 */
@ConfigMapping(prefix = "knutepunkt.auth")
public interface AuthConfig {

    /**
     * The OIDC tenants (quarkus.oidc.{tenant}) whose tokens speak for health personnel, municipality
     * staff, operators and vendor systems. "Default" is Quarkus's default tenant, which checks
     * against HelseID what no issuer claimed (application.properties).
     */
    @WithDefault("Default,helseid,helseid-web")
    Set<String> personnelTenants();

    /** The OIDC tenants whose tokens speak for citizens (patients). */
    @WithDefault("idporten,idporten-web")
    Set<String> citizenTenants();

    Personnel personnel();

    Citizen citizen();

    /**
     * Longer bearer tokens are refused (401) even when genuine: no issuer here mints them. What caps
     * the cost of parsing a huge one is the HTTP header limit (quarkus.http.limits.max-header-size:
     * beyond it, 431 before any code of ours runs); this check comes after verification.
     */
    @WithDefault("8192")
    int maxTokenLength();

    /** How long a break-the-glass access lasts. */
    @WithDefault("PT4H")
    Duration emergencyAccess();

    interface Personnel {

        /** The person's national identity number (HelseID: pid). */
        @WithDefault("helseid://claims/identity/pid")
        String personClaim();

        @WithDefault("helseid://claims/hpr/hpr_number")
        String hprClaim();

        /** The legal entity (virksomhet) the person or system acts for. */
        @WithDefault("helseid://claims/client/claims/orgnr_parent")
        String organisationClaim();

        /** A sub-unit (underenhet) of it; when registered, it is the organisation that counts. */
        @WithDefault("helseid://claims/client/claims/orgnr_child")
        String childOrganisationClaim();

        @WithDefault("helseid://claims/identity/assurance_level")
        String assuranceClaim();

        /** The JOSE header typ a bearer access token must have (RFC 9068); an ID token (typ JWT) presented as one is refused. */
        @WithDefault("at+jwt")
        String accessTokenType();

        /** Person tokens below this assurance are refused. */
        @WithDefault("high")
        Set<String> acceptedAssurance();

        @WithDefault("name")
        String nameClaim();

        /** The claim whose values name the roles (a space-separated string such as OAuth's scope, or an array). */
        @WithDefault("scope")
        String roleClaim();

        Roles roles();
    }

    /** The role claim's value for each role. */
    interface Roles {

        @WithDefault("nhn:knutepunkt/clinician")
        String clinician();

        @WithDefault("nhn:knutepunkt/municipality-admin")
        String municipalityAdmin();

        @WithDefault("nhn:knutepunkt/operator")
        String operator();

        @WithDefault("nhn:knutepunkt/ingest")
        String vendorClient();
    }

    interface Citizen {

        @WithDefault("pid")
        String personClaim();

        @WithDefault("acr")
        String assuranceClaim();

        /** The JOSE header typ a bearer access token must have (RFC 9068); an ID token (typ JWT) presented as one is refused. */
        @WithDefault("at+jwt")
        String accessTokenType();

        /** ID-porten's levels; health data needs the highest (Normen). */
        @WithDefault("idporten-loa-high")
        Set<String> acceptedAssurance();

        @WithDefault("name")
        String nameClaim();
    }
}
