package no.knutepunkt.access;

import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.common.Unavailable;
import no.knutepunkt.registry.Directory;
import no.knutepunkt.registry.IdentityConfig;
import no.knutepunkt.registry.InvalidNationalIdException;
import no.knutepunkt.registry.NationalId;
import no.knutepunkt.registry.OrganisationNumber;

/**
 * The one mapping from a verified token to a {@link Caller} (README, "Sign-in and tokens"): which
 * claims name the person, the HPR number, the organisation, the roles and the assurance level, as
 * {@link AuthConfig} configures them. A token that does not say enough is refused here with a
 * reason ({@link CallerRefused}), before any data is touched.
 */
@ApplicationScoped
class CallerMapping {

    private final AuthConfig config;
    private final Directory directory;
    private final IdentityConfig identity;

    CallerMapping(AuthConfig config, Directory directory, IdentityConfig identity) {
        this.config = config;
        this.directory = directory;
        this.identity = identity;
    }

    /** Whether this OIDC tenant is one whose tokens this mapping reads. */
    boolean covers(String tenant) {
        return config.personnelTenants().contains(tenant) || config.citizenTenants().contains(tenant);
    }

    /** Blocking: looks the caller's organisation, vendor or patient up in the registry. */
    Caller map(String tenant, TokenClaims token, String clientId) {
        if (config.citizenTenants().contains(tenant)) {
            return citizen(token, clientId);
        }
        if (config.personnelTenants().contains(tenant)) {
            return personnel(token, clientId);
        }
        throw new CallerRefused("unknown-tenant", "tokens of OIDC tenant '" + tenant + "' are not mapped to callers");
    }

    private Caller citizen(TokenClaims token, String clientId) {
        AuthConfig.Citizen c = config.citizen();
        String pid = nationalId(token.text(c.personClaim()), c.personClaim());
        String assurance = token.text(c.assuranceClaim());
        if (assurance == null || !c.acceptedAssurance().contains(assurance)) {
            throw new CallerRefused("low-assurance", "the token's assurance level (" + c.assuranceClaim() + ") is not one of "
                    + c.acceptedAssurance());
        }
        Directory.CallerFacts facts = facts(null, null, null, pid);
        return new Caller(EnumSet.of(Role.PATIENT), token.subject(), token.issuer(), clientId, token.text(c.nameClaim()), null, null,
                assurance, pid, facts.patientId(), null);
    }

    private Caller personnel(TokenClaims token, String clientId) {
        AuthConfig.Personnel p = config.personnel();
        Set<Role> roles = roles(token.values(p.roleClaim()), p.roles());
        if (roles.isEmpty()) {
            throw new CallerRefused("no-role", "the token gives no Knutepunkt role (" + p.roleClaim() + ")");
        }
        String person = token.text(p.personClaim());
        if (roles.contains(Role.VENDOR_CLIENT)) {
            // A vendor's system is not a person, and a person is not a vendor's system: a token
            // claiming both would let a person post readings as a vendor, or a vendor read data.
            if (roles.size() > 1 || person != null) {
                throw new CallerRefused("mixed-roles", "a vendor client token must not also speak for a person or another role");
            }
            if (clientId == null) {
                throw new CallerRefused("missing-client", "a vendor client token names no client (client_id)");
            }
            String vendor = facts(null, null, clientId, null).vendorId();
            if (vendor == null) {
                throw new CallerRefused("unknown-vendor-client", "no registered vendor has the token's OAuth client");
            }
            return new Caller(roles, clientId, token.issuer(), clientId, null, null, null, null, null, null, vendor);
        }
        String pid = nationalId(person, p.personClaim());
        String assurance = token.text(p.assuranceClaim());
        if (assurance == null || !p.acceptedAssurance().contains(assurance)) {
            throw new CallerRefused("low-assurance", "the token's assurance level (" + p.assuranceClaim() + ") is not one of "
                    + p.acceptedAssurance());
        }
        String hpr = token.text(p.hprClaim());
        if (roles.contains(Role.CLINICIAN)) {
            if (hpr == null) {
                throw new CallerRefused("missing-hpr", "a clinician's token must carry an HPR number (" + p.hprClaim() + ")");
            }
            if (!hpr.matches("[0-9]{1,9}")) {
                throw new CallerRefused("invalid-hpr", "the HPR number is not 1–9 digits");
            }
        }
        String parent = token.text(p.organisationClaim());
        String child = token.text(p.childOrganisationClaim());
        if (parent == null) {
            throw new CallerRefused("missing-organisation", "the token names no organisation (" + p.organisationClaim() + ")");
        }
        if (!validOrganisationNumber(parent) || child != null && !validOrganisationNumber(child)) {
            throw new CallerRefused("invalid-organisation", "the token's organisation number is not a valid organisasjonsnummer");
        }
        Directory.OrganisationRef org = facts(child, parent, null, null).organisation();
        if (org == null) {
            throw new CallerRefused("unknown-organisation", "the token's organisation is not registered in the hub");
        }
        if (roles.contains(Role.MUNICIPALITY_ADMIN) && !"municipality".equals(org.kind())) {
            throw new CallerRefused("not-a-municipality", "a municipality admin must act for a registered municipality");
        }
        return new Caller(roles, token.subject(), token.issuer(), clientId, token.text(p.nameClaim()), hpr,
                new Caller.Organisation(org.id(), org.number(), org.name(), org.kind()), assurance, pid, null, null);
    }

    private String nationalId(String value, String claim) {
        if (value == null) {
            throw new CallerRefused("missing-person", "the token names no person (" + claim + ")");
        }
        try {
            return NationalId.parse(value, identity.syntheticAllowed()).value();
        } catch (InvalidNationalIdException e) {
            throw new CallerRefused("invalid-person", "the token's person identifier is not a valid fødselsnummer or D-nummer");
        }
    }

    private static boolean validOrganisationNumber(String number) {
        try {
            new OrganisationNumber(number);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Set<Role> roles(List<String> values, AuthConfig.Roles names) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String v : values) {
            if (v.equals(names.clinician())) {
                roles.add(Role.CLINICIAN);
            } else if (v.equals(names.municipalityAdmin())) {
                roles.add(Role.MUNICIPALITY_ADMIN);
            } else if (v.equals(names.operator())) {
                roles.add(Role.OPERATOR);
            } else if (v.equals(names.vendorClient())) {
                roles.add(Role.VENDOR_CLIENT);
            }
        }
        return roles;
    }

    private Directory.CallerFacts facts(String child, String parent, String clientId, String nationalId) {
        try {
            return directory.facts(child, parent, clientId, nationalId);
        } catch (SQLException e) {
            throw new Unavailable("caller lookup: the database is not reachable", e);
        }
    }
}
