package no.knutepunkt.simulator;

import java.io.IOException;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Registers what the simulator needs through the hub's registry API, as a pilot municipality
 * would: the care organisations, the three vendors (and their companies), then per patient the
 * patient, their devices, an enrollment with a care team, and the device assignments. Idempotent:
 * whatever is registered already is found and left as it is (409 from a create is not an error),
 * so a second run against the same hub creates nothing and succeeds.
 * <p>
 * An enrollment is recognised by patient, programme and start ({@link SimulatedPilot#STARTED_AT}),
 * as the hub's seed does; assignments start with it, so every reading of the simulation is covered.
 * Each enrollment records the (synthetic) patient's consent to home follow-up, given when it starts.
 * <p>
 * Each step is taken by the caller the hub's access policy lets take it ({@link Callers}): the
 * operator registers organisations, vendors and devices; an admin of the pilot's municipality
 * ({@link SimulatedPilot#MUNICIPALITY}, responsible for every enrollment) its patients, enrollments
 * and assignments.
 */
public final class Provisioning {

    /**
     * Bearer tokens of the hub operator and of a municipality admin of {@link SimulatedPilot#MUNICIPALITY}
     * (HelseID's in production; the local issuer's /demo/token users "operator" and "admin" in the demo).
     */
    public record Callers(String operator, String municipalityAdmin) {

        public Callers {
            if (operator == null || operator.isBlank() || municipalityAdmin == null || municipalityAdmin.isBlank()) {
                throw new IllegalArgumentException("provisioning needs the operator's and a municipality admin's bearer token");
            }
        }

        /** Never the tokens themselves. */
        @Override
        public String toString() {
            return "Callers[operator, municipality admin]";
        }
    }

    /**
     * What a run created and what it found registered already, and the registry's id of each
     * patient by fødselsnummer (for links such as /fhir/Observation?patient={id}).
     */
    public record Result(Map<String, Integer> created, Map<String, Integer> existing, Map<String, String> patientIds) {

        public int createdTotal() {
            return created.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public String toString() {
            return "created " + describe(created) + "; registered already " + describe(existing);
        }

        private static String describe(Map<String, Integer> counts) {
            List<String> parts = new ArrayList<>();
            counts.forEach((k, v) -> {
                if (v > 0) {
                    parts.add(v + " " + k);
                }
            });
            return parts.isEmpty() ? "nothing" : String.join(", ", parts);
        }
    }

    private static final String[] KINDS_OF_ENTRY = { "organisations", "vendors", "patients", "devices", "enrollments", "assignments" };
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    /** Where a pilot would keep the signed consent; the simulated patients' consent is as synthetic as they are. */
    private static final String CONSENT_REFERENCE = "Knutepunkt device simulator: synthetic consent of a simulated patient";

    private final RegistryClient registry;
    private final String operator;
    private final String admin;
    private final Map<String, AtomicInteger> created = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> existing = new LinkedHashMap<>();

    public Provisioning(URI hub, Callers callers) {
        this.registry = new RegistryClient(hub);
        this.operator = callers.operator();
        this.admin = callers.municipalityAdmin();
        for (String k : KINDS_OF_ENTRY) {
            created.put(k, new AtomicInteger());
            existing.put(k, new AtomicInteger());
        }
    }

    /** Registers the pilot's organisations, vendors and kits; throws with the hub's answer when it refuses something. */
    public Result provision(List<PatientKit> kits) throws IOException, InterruptedException {
        Map<String, String> organisations = organisations();
        vendors(organisations);
        Map<String, String> patients = new ConcurrentHashMap<>();
        for (JsonNode p : registry.get(admin, "patients")) {
            patients.put(p.path("identifier").asText(), p.path("id").asText());
        }
        Set<String> devices = ConcurrentHashMap.newKeySet();
        for (SimulatedVendor v : SimulatedVendor.values()) {
            for (JsonNode d : registry.get(operator, "devices?vendorId=" + RegistryClient.query(v.id()))) {
                devices.add(v.id() + "/" + d.path("serial").asText());
            }
        }
        Map<String, List<JsonNode>> enrollments = new HashMap<>();
        for (JsonNode e : registry.get(admin, "enrollments")) {
            enrollments.computeIfAbsent(e.path("patientId").asText(), k -> new ArrayList<>()).add(e);
        }
        // A few at a time: thousands of load-test patients would take minutes one by one.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> work = new ArrayList<>();
            for (PatientKit kit : kits) {
                work.add(pool.submit(() -> {
                    kit(kit, organisations, patients, devices, enrollments);
                    return null;
                }));
            }
            for (Future<Void> w : work) {
                w.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> c = new LinkedHashMap<>();
        Map<String, Integer> x = new LinkedHashMap<>();
        created.forEach((k, v) -> c.put(k, v.get()));
        existing.forEach((k, v) -> x.put(k, v.get()));
        Map<String, String> ids = new HashMap<>();
        for (PatientKit kit : kits) {
            ids.put(kit.fodselsnummer(), patients.get(kit.fodselsnummer()));
        }
        return new Result(c, x, ids);
    }

    private Map<String, String> organisations() throws IOException, InterruptedException {
        List<SimulatedPilot.Organisation> all = new ArrayList<>(List.of(SimulatedPilot.MUNICIPALITY, SimulatedPilot.GP_PRACTICE,
                SimulatedPilot.HOSPITAL));
        for (SimulatedVendor v : SimulatedVendor.values()) {
            all.add(new SimulatedPilot.Organisation(v.orgNumber(), v.companyName(), "vendor"));
        }
        Map<String, String> ids = organisationIds();
        for (SimulatedPilot.Organisation o : all) {
            if (ids.containsKey(o.orgNumber())) {
                existing.get("organisations").incrementAndGet();
                continue;
            }
            RegistryClient.Answer a = registry.post(operator, "organisations",
                    Map.of("orgNumber", o.orgNumber(), "name", o.name(), "kind", o.kind()));
            count("organisations", a, "organisation " + o.orgNumber());
        }
        return organisationIds();
    }

    private Map<String, String> organisationIds() throws IOException, InterruptedException {
        Map<String, String> ids = new HashMap<>();
        for (JsonNode o : registry.get(operator, "organisations")) {
            ids.put(o.path("orgNumber").asText(), o.path("id").asText());
        }
        return ids;
    }

    private void vendors(Map<String, String> organisations) throws IOException, InterruptedException {
        for (SimulatedVendor v : SimulatedVendor.values()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", v.id());
            body.put("name", v.displayName());
            body.put("format", v.format());
            body.put("organisationId", organisations.get(v.orgNumber()));
            RegistryClient.Answer a = registry.post(operator, "vendors", body);
            count("vendors", a, "vendor " + v.id());
            if (a.conflict()) {
                String format = registry.get(operator, "vendors/" + RegistryClient.query(v.id())).path("format").asText();
                if (!format.equals(v.format())) {
                    throw new IOException("vendor " + v.id() + " is registered with format '" + format + "', but the simulator sends it '"
                            + v.format() + "'");
                }
            }
        }
    }

    private void kit(PatientKit kit, Map<String, String> organisations, Map<String, String> patients, Set<String> devices,
            Map<String, List<JsonNode>> enrollments) throws IOException, InterruptedException {
        String patient = patients.get(kit.fodselsnummer());
        if (patient == null) {
            // The admin lists only the patients its municipality has enrolled; one registered but not
            // enrolled yet (a run that stopped half-way) is found by registering it again: 200, the same patient.
            RegistryClient.Answer a = registry.post(admin, "patients",
                    Map.of("identifier", kit.fodselsnummer(), "givenName", kit.givenName(), "familyName", kit.familyName()));
            if (a.created()) {
                created.get("patients").incrementAndGet();
            } else if (a.status() == 200) {
                existing.get("patients").incrementAndGet();
            } else {
                // Never the number itself in a message: the name is enough. A 409 here is the number under other names.
                throw refused("patient " + kit.givenName() + " " + kit.familyName(), a);
            }
            patient = a.body().path("id").asText();
            patients.put(kit.fodselsnummer(), patient);
        } else {
            existing.get("patients").incrementAndGet();
        }
        for (PatientKit.Device d : kit.devices()) {
            if (devices.contains(d.vendorId() + "/" + d.serial())) {
                existing.get("devices").incrementAndGet();
                continue;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("vendorId", d.vendorId());
            body.put("serial", d.serial());
            body.put("model", d.model());
            body.put("kinds", d.kinds());
            body.put("gateway", d.gateway());
            count("devices", registry.post(operator, "devices", body), "device " + d.vendorId() + "/" + d.serial());
        }
        String enrollment = enrollment(kit, patient, organisations, enrollments);
        Set<String> assigned = new HashSet<>();
        for (JsonNode a : registry.get(admin, "enrollments/" + enrollment + "/assignments")) {
            assigned.add(a.path("vendorId").asText() + "/" + a.path("serial").asText());
        }
        for (PatientKit.Device d : kit.devices()) {
            if (assigned.contains(d.vendorId() + "/" + d.serial())) {
                existing.get("assignments").incrementAndGet();
                continue;
            }
            RegistryClient.Answer a = registry.post(admin, "enrollments/" + enrollment + "/assignments",
                    Map.of("vendorId", d.vendorId(), "serial", d.serial(), "validFrom", SECONDS.format(SimulatedPilot.STARTED_AT)));
            if (!a.created()) {
                // A 409 here is no "registered already": the device is assigned to someone else.
                throw refused("assignment of " + d.vendorId() + "/" + d.serial(), a);
            }
            created.get("assignments").incrementAndGet();
        }
    }

    private String enrollment(PatientKit kit, String patient, Map<String, String> organisations, Map<String, List<JsonNode>> enrollments)
            throws IOException, InterruptedException {
        // Read only, by several threads: filled before they start.
        for (JsonNode e : enrollments.getOrDefault(patient, List.of())) {
            if (e.path("programme").asText().equals(kit.programme())
                    && OffsetDateTime.parse(e.path("startedAt").asText()).isEqual(SimulatedPilot.STARTED_AT)) {
                existing.get("enrollments").incrementAndGet();
                return e.path("id").asText();
            }
        }
        List<Map<String, String>> team = new ArrayList<>();
        team.add(Map.of("organisationId", organisations.get(SimulatedPilot.MUNICIPALITY.orgNumber()), "role", "follow-up-service"));
        team.add(Map.of("organisationId", organisations.get(SimulatedPilot.GP_PRACTICE.orgNumber()), "role", "gp"));
        if (kit.programme().equals(Programme.COPD.wireName()) || kit.programme().equals(Programme.HEART_FAILURE.wireName())) {
            team.add(Map.of("organisationId", organisations.get(SimulatedPilot.HOSPITAL.orgNumber()), "role", "hospital"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("patientId", patient);
        body.put("programme", kit.programme());
        body.put("responsibleOrganisationId", organisations.get(SimulatedPilot.MUNICIPALITY.orgNumber()));
        body.put("careTeam", team);
        body.put("startedAt", SECONDS.format(SimulatedPilot.STARTED_AT));
        body.put("consent", Map.of("scope", "home-follow-up", "givenBy", "patient", "form", "digital",
                "givenAt", SECONDS.format(SimulatedPilot.STARTED_AT), "documentReference", CONSENT_REFERENCE));
        RegistryClient.Answer a = registry.post(admin, "enrollments", body);
        if (!a.created()) {
            throw refused("enrollment of " + kit.givenName() + " " + kit.familyName(), a);
        }
        created.get("enrollments").incrementAndGet();
        return a.body().path("id").asText();
    }

    /** Created, or registered already (409); anything else stops provisioning with the hub's reason. */
    private void count(String kind, RegistryClient.Answer a, String what) throws IOException {
        if (a.created()) {
            created.get(kind).incrementAndGet();
        } else if (a.conflict()) {
            existing.get(kind).incrementAndGet();
        } else {
            throw refused(what, a);
        }
    }

    private IOException refused(String what, RegistryClient.Answer a) {
        return new IOException("the hub refused the " + what + ": " + a.status() + " " + a.body().path("error").asText(a.body().toString())
                + (a.body().hasNonNull("field") ? " (" + a.body().get("field").asText() + ")" : ""));
    }
}
