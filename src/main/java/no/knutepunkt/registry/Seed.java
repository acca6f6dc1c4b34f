package no.knutepunkt.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;
import no.knutepunkt.registry.DeviceAssignments.DeviceAssignment;
import no.knutepunkt.registry.DeviceAssignments.NewAssignment;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.Devices.NewDevice;
import no.knutepunkt.registry.Enrollments.CareTeamMember;
import no.knutepunkt.registry.Enrollments.Enrollment;
import no.knutepunkt.registry.Enrollments.NewEnrollment;
import no.knutepunkt.registry.Organisations.NewOrganisation;
import no.knutepunkt.registry.Organisations.Organisation;
import no.knutepunkt.registry.Patients.NewPatient;
import no.knutepunkt.registry.Patients.Patient;
import no.knutepunkt.registry.VendorRegister.NewVendor;

/**
 * Loads a seed file (knutepunkt.seed.file) at start-up: a pilot's organisations, patients,
 * vendors, devices, enrollments and assignments, referring to each other by their natural keys
 * (organisation number, fødselsnummer, vendor id + serial). Whatever is registered already is left
 * as it is, so every start with the same file ends in the same registry, and the file can grow.
 * The whole file is one transaction, under a lock, so instances starting together seed once.
 */
@ApplicationScoped
class Seed {

    private static final Logger LOG = Logger.getLogger(Seed.class);

    record SeedFile(String description, List<NewOrganisation> organisations, List<NewPatient> patients, List<SeedVendor> vendors,
            List<NewDevice> devices, List<SeedEnrollment> enrollments) {
    }

    /** A vendor, by its organisation number the organisation behind it, and the OAuth client of its HTTPS intake. */
    record SeedVendor(String id, String name, String format, String orgNumber, String oauthClientId) {
    }

    /** An enrollment of the patient with this fødselsnummer or D-nummer; organisations by organisation number. */
    record SeedEnrollment(String patient, String programme, String responsible, List<SeedCareTeamMember> careTeam,
            OffsetDateTime startedAt, OffsetDateTime endedAt, Consents.NewConsent consent, List<SeedAssignment> assignments) {
    }

    record SeedCareTeamMember(String orgNumber, String role) {
    }

    record SeedAssignment(String vendorId, String serial, OffsetDateTime validFrom, OffsetDateTime validTo) {
    }

    /** How many of each were created by this load (0 everywhere: it was all there). */
    record Loaded(int organisations, int patients, int vendors, int devices, int enrollments, int assignments) {

        boolean nothing() {
            return organisations + patients + vendors + devices + enrollments + assignments == 0;
        }
    }

    private final SeedConfig config;
    private final ObjectMapper json;
    private final Transactions tx;
    private final Organisations organisations;
    private final Patients patients;
    private final VendorRegister vendors;
    private final Devices devices;
    private final Enrollments enrollments;
    private final DeviceAssignments assignments;
    private final Consents consents;

    Seed(SeedConfig config, ObjectMapper json, Transactions tx, Organisations organisations, Patients patients,
            VendorRegister vendors, Devices devices, Enrollments enrollments, DeviceAssignments assignments, Consents consents) {
        this.config = config;
        this.json = json;
        this.tx = tx;
        this.organisations = organisations;
        this.patients = patients;
        this.vendors = vendors;
        this.devices = devices;
        this.enrollments = enrollments;
        this.assignments = assignments;
        this.consents = consents;
    }

    /** Flyway has migrated by now: Quarkus runs migrate-at-start before start-up observers. */
    void onStart(@Observes StartupEvent start) {
        config.file().ifPresent(file -> load(Path.of(file)));
    }

    Loaded load(Path file) {
        SeedFile seed;
        try {
            // A typo in a seed file must stop the start, not silently leave something out.
            seed = json.readerFor(SeedFile.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(Files.readAllBytes(file));
        } catch (JsonMappingException e) {
            // Jackson's message can quote the file's content (a fødselsnummer); the path and place are enough.
            throw new IllegalStateException("seed file " + file + " not loaded: " + e.getClass().getSimpleName() + " at "
                    + e.getPathReference() + location(e));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read seed file " + file + ": " + e.getClass().getSimpleName() + location(e));
        }
        Set<DeviceKey> assigned = new LinkedHashSet<>();
        Loaded loaded;
        try {
            loaded = tx.write(c -> load(c, seed, assigned));
        } catch (Problem p) {
            throw new IllegalStateException("seed file " + file + " not loaded: " + p.field() + ": " + p.getMessage());
        }
        assignments.announce(assigned);
        if (loaded.nothing()) {
            LOG.infof("seed %s: everything in it is registered already", file);
        } else {
            LOG.infof("seed %s: created %s", file, loaded);
        }
        return loaded;
    }

    private Loaded load(Connection c, SeedFile seed, Set<DeviceKey> assigned) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended('knutepunkt-registry-seed', 0))")) {
            ps.executeQuery().close();
        }
        int orgs = each("organisations", seed.organisations(), o -> {
            Organisations.check(o);
            if (organisations.findByNumber(c, o.orgNumber()).isPresent()) {
                return 0;
            }
            organisations.create(c, o);
            return 1;
        });
        int pats = each("patients", seed.patients(), p -> {
            if (patients.findByIdentifier(c, patients.check(p)).isPresent()) {
                return 0;
            }
            patients.create(c, p);
            return 1;
        });
        int vends = each("vendors", seed.vendors(), v -> {
            Fields.required("id", v.id());
            var found = vendors.find(c, v.id());
            if (found.isPresent()) {
                // A data dir made before vendors had OAuth clients gets the seed's.
                if (found.get().oauthClientId() == null && v.oauthClientId() != null) {
                    vendors.setClient(c, v.id(), v.oauthClientId());
                }
                return 0;
            }
            UUID organisation = v.orgNumber() == null ? null : organisation(c, "orgNumber", v.orgNumber());
            vendors.create(c, new NewVendor(v.id(), v.name(), v.format(), organisation, v.oauthClientId()));
            return 1;
        });
        int devs = each("devices", seed.devices(), d -> {
            Devices.check(d);
            if (devices.find(c, d.vendorId(), d.serial()).isPresent()) {
                return 0;
            }
            devices.create(c, d);
            return 1;
        });
        int[] asgs = { 0 };
        int enrs = each("enrollments", seed.enrollments(), e -> {
            Fields.required("patient", e.patient());
            Fields.required("startedAt", e.startedAt());
            Fields.required("responsible", e.responsible());
            NationalId id;
            try {
                id = patients.nationalId(e.patient());
            } catch (Problem p) {
                throw Problem.invalid("patient", p.getMessage());
            }
            Patient patient = patients.findByIdentifier(c, id)
                    .orElseThrow(() -> Problem.invalid("patient", "the patient is not in the seed's patients"));
            List<CareTeamMember> team = new ArrayList<>();
            for (SeedCareTeamMember m : e.careTeam() == null ? List.<SeedCareTeamMember>of() : e.careTeam()) {
                Fields.oneOf("careTeam.role", m.role(), Enrollments.ROLES);
                team.add(new CareTeamMember(organisation(c, "careTeam.orgNumber", m.orgNumber()), m.role()));
            }
            // The enrollment an earlier load created: same patient, programme and start.
            List<Enrollment> same = enrollments.findSame(c, patient.id(), e.programme(), e.startedAt());
            Enrollment enrollment;
            int created = 0;
            if (same.isEmpty()) {
                enrollment = enrollments.create(c, new NewEnrollment(patient.id(), e.programme(),
                        organisation(c, "responsible", e.responsible()), team, e.startedAt(), e.endedAt(), e.consent()));
                if (e.consent() != null) {
                    consents.create(c, enrollment.id(), patient.id(), e.consent(), "seed " + config.file().orElse(""));
                }
                created = 1;
            } else {
                enrollment = same.get(0);
                enrollments.addToCareTeam(c, enrollment.id(), team);
            }
            List<DeviceAssignment> existing = assignments.list(c, enrollment.id());
            asgs[0] += each("assignments", e.assignments(), a -> {
                boolean there = existing.stream().anyMatch(x -> x.vendorId().equals(a.vendorId()) && x.serial().equals(a.serial())
                        && a.validFrom() != null && x.validFrom().isEqual(a.validFrom()));
                if (there) {
                    return 0;
                }
                DeviceAssignment made = assignments.create(c, enrollment.id(),
                        new NewAssignment(null, a.vendorId(), a.serial(), a.validFrom(), a.validTo()));
                assigned.add(made.key());
                return 1;
            });
            return created;
        });
        return new Loaded(orgs, pats, vends, devs, enrs, asgs[0]);
    }

    private static String location(IOException e) {
        return e instanceof JsonProcessingException j && j.getLocation() != null
                ? " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")"
                : "";
    }

    private UUID organisation(Connection c, String field, String orgNumber) throws SQLException {
        Fields.required(field, orgNumber);
        return organisations.findByNumber(c, orgNumber).map(Organisation::id)
                .orElseThrow(() -> Problem.invalid(field, "organisation number " + orgNumber + " is not in the seed's organisations"));
    }

    interface Entry<T> {
        /** 1 if the entry was created, 0 if it was there. */
        int load(T entry) throws SQLException;
    }

    /** Loads each entry of a list; a problem names the entry, e.g. "enrollments[2].assignments[0].validFrom". */
    private static <T> int each(String list, List<T> entries, Entry<T> entry) throws SQLException {
        int created = 0;
        for (int i = 0; entries != null && i < entries.size(); i++) {
            String where = list + "[" + i + "]";
            try {
                if (entries.get(i) == null) {
                    throw Problem.malformed(null, "empty entry");
                }
                created += entry.load(entries.get(i));
            } catch (Problem p) {
                throw Problem.invalid(p.field() == null ? where : where + "." + p.field(), p.getMessage());
            }
        }
        return created;
    }
}
