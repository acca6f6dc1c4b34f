package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import no.knutepunkt.access.AccessDenied;
import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.Consents.Consent;
import no.knutepunkt.registry.Consents.NewConsent;
import no.knutepunkt.registry.DeviceAssignments.DeviceAssignment;
import no.knutepunkt.registry.DeviceAssignments.NewAssignment;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.Devices.Device;
import no.knutepunkt.registry.Enrollments.CareTeamMember;
import no.knutepunkt.registry.Enrollments.Enrollment;
import no.knutepunkt.registry.Enrollments.NewEnrollment;
import no.knutepunkt.registry.Organisations.Organisation;
import no.knutepunkt.registry.Patients.NewPatient;
import no.knutepunkt.registry.Patients.Patient;

/**
 * Bulk onboarding from a municipality's CSV file ({@link OnboardingCsv}): patients, their
 * enrollments with consent and care team, and device assignments, all for the caller's own
 * municipality — the file names no responsible organisation, so it cannot name another one.
 * <p>
 * All or nothing. The whole file is checked before anything is written, then written in one
 * transaction; if any row is refused, nothing is. A municipality then fixes the refused rows and
 * uploads the same file again, and because a row already registered exactly so is
 * {@code unchanged} (not created twice, not an error), uploading a file again is always safe: a
 * file that was written changes nothing the second time. No patient is ever half onboarded — a
 * patient without the consent, an enrollment without its devices — and nobody has to work out
 * which half of a file got in. Each row gets a result: {@code created} (with what it creates),
 * {@code unchanged}, or {@code refused} with every reason found.
 * <p>
 * The rules are the registry's own: numbers and names by {@link Patients}, programme, start and
 * care team by {@link Enrollments#check}, consent by {@link Consents#check}, assignments by
 * {@link DeviceAssignments}; the writes are the same methods the enrollment API uses, which check
 * again, and are audited (one entry per patient) in the same transaction. What only a file can get
 * wrong — columns, rows that disagree about one patient, a device twice — is checked here.
 */
@ApplicationScoped
public class BulkOnboarding {

    static final String TYPE = "EpisodeOfCare";

    /**
     * One row's result. {@code row} is the row as a spreadsheet numbers it (the header is 1);
     * {@code name} is the name the row gives; {@code creates} what it creates (patient, enrollment,
     * consent, assignment); {@code reasons} why it is refused, each starting with its column. The
     * ids are given for what was written.
     */
    public record RowResult(int row, String result, String name, List<String> creates, List<String> reasons, UUID patientId,
            UUID enrollmentId) {
    }

    public record Counts(int created, int unchanged, int refused) {
    }

    /**
     * The answer: {@code outcome} written (something was created), unchanged (everything was
     * registered already) or refused (nothing was written: see {@code problem} when the whole file
     * is refused, else the refused rows).
     */
    public record Report(String outcome, String problemCode, String problem, Counts counts, List<RowResult> rows) {

        public boolean written() {
            return "written".equals(outcome);
        }

        /** 200 written or unchanged, 413 too large, 422 refused. */
        public int httpStatus() {
            if (!"refused".equals(outcome)) {
                return 200;
            }
            return "too-large".equals(problemCode) || "too-many-rows".equals(problemCode) ? 413 : 422;
        }

        static Report fileRefused(String code, String message) {
            return new Report("refused", code, message, new Counts(0, 0, 0), List.of());
        }
    }

    /** Which column a registry problem's field is in the file. */
    private static final Map<String, String> COLUMNS = Map.ofEntries(Map.entry("identifier", OnboardingCsv.FODSELSNUMMER),
            Map.entry("givenName", OnboardingCsv.FORNAVN), Map.entry("familyName", OnboardingCsv.ETTERNAVN),
            Map.entry("programme", OnboardingCsv.PROGRAM), Map.entry("startedAt", OnboardingCsv.START),
            Map.entry("consent.givenBy", OnboardingCsv.SAMTYKKE_AV), Map.entry("consent.representativeName", OnboardingCsv.REPRESENTANT),
            Map.entry("consent.form", OnboardingCsv.SAMTYKKE_FORM), Map.entry("consent.givenAt", OnboardingCsv.SAMTYKKE_GITT),
            Map.entry("consent.documentReference", OnboardingCsv.SAMTYKKE_DOKUMENT), Map.entry("vendorId", OnboardingCsv.LEVERANDOR),
            Map.entry("serial", OnboardingCsv.SERIENUMMER), Map.entry("deviceId", OnboardingCsv.SERIENUMMER),
            Map.entry("validFrom", OnboardingCsv.TILDELT_FRA), Map.entry("validTo", OnboardingCsv.TILDELT_TIL));

    /** Enrollments.check wants a patient; a patient registered by this file has no id before it is written. */
    private static final UUID NOT_YET_REGISTERED = new UUID(0, 0);

    private final Transactions tx;
    private final Patients patients;
    private final Enrollments enrollments;
    private final Consents consents;
    private final DeviceAssignments assignments;
    private final Devices devices;
    private final Organisations organisations;
    private final RegistryAccess access;
    private final OnboardingConfig config;
    private final Clock clock;

    BulkOnboarding(Transactions tx, Patients patients, Enrollments enrollments, Consents consents, DeviceAssignments assignments,
            Devices devices, Organisations organisations, RegistryAccess access, OnboardingConfig config, Clock clock) {
        this.tx = tx;
        this.patients = patients;
        this.enrollments = enrollments;
        this.consents = consents;
        this.assignments = assignments;
        this.devices = devices;
        this.organisations = organisations;
        this.access = access;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Onboards the file for the caller's municipality (refused, 403 and audited, unless the caller
     * is a municipality admin), and announces the new device assignments after the commit so that
     * parked readings are routed.
     */
    Report onboard(byte[] file) {
        Caller caller = access.caller();
        UUID municipality = caller.is(Role.MUNICIPALITY_ADMIN) && caller.organisation() != null ? caller.organisation().id() : null;
        AccessPolicy.Granted registering = access.administer(null, municipality, "create", TYPE);
        OnboardingCsv.Table table;
        try {
            table = OnboardingCsv.read(file, config.maxRows());
        } catch (OnboardingCsv.Refused r) {
            return Report.fileRefused(r.code(), r.getMessage());
        }
        if (table.rows().isEmpty()) {
            return Report.fileRefused("no-rows", "the file has a header but no rows");
        }
        Run run = new Run(caller, municipality, registering, table);
        Set<DeviceKey> assigned = new LinkedHashSet<>();
        Report report;
        try {
            report = tx.write(c -> run.checkAndWrite(c, assigned));
        } catch (Rollback r) {
            return r.report;
        } catch (Problem p) {
            // The registry refused a write after the file had passed its checks: another change came between.
            return Report.fileRefused("conflict", "nothing was written: " + p.getMessage() + " (the registry changed while the file "
                    + "was written; upload it again)");
        }
        assignments.announce(assigned);
        return report;
    }

    /** Thrown inside the transaction to roll it back with the answer to give. */
    private static final class Rollback extends RuntimeException {
        final transient Report report;

        Rollback(Report report) {
            super("refused", null, false, false);
            this.report = report;
        }
    }

    /** One data row as it is checked. */
    private static final class Line {
        final OnboardingCsv.Row row;
        final List<String> reasons = new ArrayList<>();
        final List<String> creates = new ArrayList<>();
        NewPatient patient;
        boolean patientValid;
        String programme;
        OffsetDateTime start;
        NewConsent consent;
        boolean consentValid;
        String vendor;
        String serial;
        OffsetDateTime from;
        OffsetDateTime to;
        boolean deviceValid;
        Device device;
        boolean duplicate;
        UUID patientId;
        UUID enrollmentId;

        Line(OnboardingCsv.Row row) {
            this.row = row;
        }

        boolean hasDevice() {
            return !row.get(OnboardingCsv.LEVERANDOR).isEmpty() || !row.get(OnboardingCsv.SERIENUMMER).isEmpty();
        }

        /** Patient, programme, start and consent are each right on their own. */
        boolean enrollmentValid() {
            return patientValid && programme != null && start != null && consentValid;
        }

        void refuse(String column, String message) {
            refuse(column == null ? message : column + ": " + message);
        }

        /** A registry problem, said in the file's terms: the column it concerns instead of the API's field. */
        void refuseFor(Problem p, String column) {
            refuse(said(p, column));
        }

        void refuse(String reason) {
            if (!reasons.contains(reason)) {
                reasons.add(reason);
            }
        }

        String deviceName() {
            return vendor + "/" + serial;
        }
    }

    /** A registry problem, said in the file's terms: the column it concerns instead of the API's field. */
    static String said(Problem p, String column) {
        String field = p.field();
        String named = field == null ? column : COLUMNS.getOrDefault(field, column);
        String message = p.getMessage();
        if (field == null || named == null) {
            return named == null ? message : named + ": " + message;
        }
        message = message.replace(field, named);
        return message.startsWith(named + " ") ? message : named + ": " + message;
    }

    /** The rows of one patient: one patient, one enrollment. */
    private static final class Group {
        final List<Line> lines = new ArrayList<>();
        /** What is wrong with the patient or the enrollment: every row of the patient is refused for it. */
        final List<String> reasons = new ArrayList<>();
        boolean inconsistent;
        Patient patient;
        /** The policy's grant to change a registered patient's follow-up (null for a patient the file registers). */
        AccessPolicy.Granted granted;
        Enrollment enrollment;
        List<CareTeamMember> team;
        List<DeviceAssignment> assigned = List.of();

        Line first() {
            return lines.get(0);
        }
    }

    /** One file's checking and writing, for one caller. */
    private final class Run {
        final Caller caller;
        final UUID municipality;
        /** The policy's grant to register patients for the municipality; it names each new patient once registered. */
        final AccessPolicy.Granted registering;
        final OnboardingCsv.Table table;
        final List<Line> lines = new ArrayList<>();
        final Map<String, Group> groups = new LinkedHashMap<>();
        final Map<String, Optional<Organisation>> organisationsByNumber = new HashMap<>();
        final Map<DeviceKey, Optional<Device>> devicesByKey = new HashMap<>();

        Run(Caller caller, UUID municipality, AccessPolicy.Granted registering, OnboardingCsv.Table table) {
            this.caller = caller;
            this.municipality = municipality;
            this.registering = registering;
            this.table = table;
        }

        Report checkAndWrite(Connection c, Set<DeviceKey> assigned) throws SQLException {
            for (OnboardingCsv.Row r : table.rows()) {
                Line l = new Line(r);
                lines.add(l);
                read(l);
            }
            refuseDuplicates();
            group();
            refuseOverlapsInFile();
            for (Group g : groups.values()) {
                check(c, g);
            }
            for (Group g : groups.values()) {
                for (Line l : g.lines) {
                    l.reasons.addAll(0, g.reasons.stream().filter(x -> !l.reasons.contains(x)).toList());
                }
            }
            if (lines.stream().anyMatch(l -> !l.reasons.isEmpty())) {
                throw new Rollback(report("refused"));
            }
            if (lines.stream().allMatch(l -> l.creates.isEmpty())) {
                return report("unchanged");
            }
            write(c, assigned);
            return report("written");
        }

        // --- each row on its own

        private void read(Line l) {
            OnboardingCsv.Row r = l.row;
            if (r.fields() != table.headerFields()) {
                l.refuse(null, "the row has " + r.fields() + " fields where the header has " + table.headerFields()
                        + " (a separator too many or too few)");
                return;
            }
            l.patient = new NewPatient(r.get(OnboardingCsv.FODSELSNUMMER), r.get(OnboardingCsv.FORNAVN), r.get(OnboardingCsv.ETTERNAVN));
            try {
                patients.check(l.patient);
                l.patientValid = true;
            } catch (Problem p) {
                l.refuseFor(p, OnboardingCsv.FODSELSNUMMER);
            }
            String programme = r.get(OnboardingCsv.PROGRAM);
            if (programme.isEmpty()) {
                l.refuse(OnboardingCsv.PROGRAM, "program is required (" + OnboardingCsv.PROGRAMME_WORDS + ")");
            } else if (OnboardingCsv.programme(programme) == null) {
                l.refuse(OnboardingCsv.PROGRAM, "unknown programme \"" + programme + "\"; use " + OnboardingCsv.PROGRAMME_WORDS);
            } else {
                l.programme = OnboardingCsv.programme(programme);
            }
            l.start = time(l, OnboardingCsv.START);
            if (l.start == null && r.get(OnboardingCsv.START).isEmpty()) {
                l.refuse(OnboardingCsv.START, "start is required (" + OnboardingCsv.DATE_FORMATS + ")");
            }
            readConsent(l);
            readDevice(l);
        }

        private void readConsent(Line l) {
            OnboardingCsv.Row r = l.row;
            String givenBy = OnboardingCsv.givenBy(r.get(OnboardingCsv.SAMTYKKE_AV));
            String form = OnboardingCsv.form(r.get(OnboardingCsv.SAMTYKKE_FORM));
            if (givenBy == null && !r.get(OnboardingCsv.SAMTYKKE_AV).isEmpty()) {
                l.refuse(OnboardingCsv.SAMTYKKE_AV, "use pasient or representant");
            }
            if (form == null) {
                l.refuse(OnboardingCsv.SAMTYKKE_FORM, "use skriftlig, muntlig or digitalt");
            }
            String givenAt = r.get(OnboardingCsv.SAMTYKKE_GITT);
            OffsetDateTime given = time(l, OnboardingCsv.SAMTYKKE_GITT);
            if (given == null && !givenAt.isEmpty()) {
                return;
            }
            l.consent = new NewConsent("home-follow-up", givenBy, r.get(OnboardingCsv.REPRESENTANT), form, given,
                    r.get(OnboardingCsv.SAMTYKKE_DOKUMENT));
            if ((givenBy == null && !r.get(OnboardingCsv.SAMTYKKE_AV).isEmpty()) || form == null) {
                return;
            }
            try {
                Consents.check("consent", l.consent, clock);
                l.consentValid = true;
            } catch (Problem p) {
                l.refuseFor(p, OnboardingCsv.SAMTYKKE_GITT);
            }
        }

        private void readDevice(Line l) {
            OnboardingCsv.Row r = l.row;
            if (!l.hasDevice()) {
                return;
            }
            l.vendor = r.get(OnboardingCsv.LEVERANDOR);
            l.serial = r.get(OnboardingCsv.SERIENUMMER);
            if (l.vendor.isEmpty() || l.serial.isEmpty()) {
                l.refuse(l.vendor.isEmpty() ? OnboardingCsv.LEVERANDOR : OnboardingCsv.SERIENUMMER,
                        "give both leverandor and serienummer, or neither for a patient without a device");
                return;
            }
            boolean fromGiven = !r.get(OnboardingCsv.TILDELT_FRA).isEmpty();
            l.from = fromGiven ? time(l, OnboardingCsv.TILDELT_FRA) : l.start;
            l.to = time(l, OnboardingCsv.TILDELT_TIL);
            if (l.from == null || (l.to == null && !r.get(OnboardingCsv.TILDELT_TIL).isEmpty())) {
                return;
            }
            try {
                DeviceAssignments.check(new NewAssignment(null, l.vendor, l.serial, l.from, l.to));
                l.deviceValid = true;
            } catch (Problem p) {
                l.refuseFor(p, OnboardingCsv.TILDELT_FRA);
            }
        }

        private OffsetDateTime time(Line l, String column) {
            try {
                return OnboardingCsv.time(l.row.get(column));
            } catch (DateTimeParseException e) {
                l.refuse(column, "\"" + l.row.get(column) + "\" is not " + OnboardingCsv.DATE_FORMATS);
                return null;
            }
        }

        // --- the rows together

        /** A row twice is a mistake in the file (pasted twice): the later one is refused. */
        private void refuseDuplicates() {
            Map<List<String>, Integer> seen = new HashMap<>();
            List<String> columns = new ArrayList<>(OnboardingCsv.REQUIRED);
            columns.addAll(OnboardingCsv.OPTIONAL);
            for (Line l : lines) {
                List<String> values = columns.stream().map(l.row::get).toList();
                Integer first = seen.putIfAbsent(values, l.row.number());
                if (first != null) {
                    l.refuse(null, "the same as row " + first);
                    l.duplicate = true;
                }
            }
        }

        /** The rows of each patient, by number; every one must say the same of the patient and the enrollment. */
        private void group() {
            for (Line l : lines) {
                if (l.patientValid && !l.duplicate) {
                    groups.computeIfAbsent(l.patient.identifier(), k -> new Group()).lines.add(l);
                }
            }
            for (Group g : groups.values()) {
                Line first = g.first();
                List<String> differing = new ArrayList<>();
                for (Line l : g.lines.subList(1, g.lines.size())) {
                    List<String> columns = new ArrayList<>();
                    for (int i = 0; i < OnboardingCsv.PATIENT_AND_ENROLLMENT.size(); i++) {
                        if (!l.row.patientAndEnrollment().get(i).equals(first.row.patientAndEnrollment().get(i))) {
                            columns.add(OnboardingCsv.PATIENT_AND_ENROLLMENT.get(i));
                        }
                    }
                    if (!columns.isEmpty()) {
                        l.refuse(null, "the patient's rows must agree on the patient and the enrollment, but this one differs from row "
                                + first.row.number() + " in " + String.join(", ", columns));
                        differing.add(Integer.toString(l.row.number()));
                    }
                    if (!l.hasDevice()) {
                        l.refuse(null, "a row without a device for a patient with devices (row " + first.row.number()
                                + " and on); leave this row out");
                    }
                }
                if (!differing.isEmpty()) {
                    first.refuse(null, "rows " + String.join(", ", differing) + " of this patient differ from this row");
                    g.inconsistent = true;
                }
                if (g.lines.size() > 1 && !first.hasDevice()) {
                    first.refuse(null, "a row without a device for a patient with devices in other rows; leave this row out");
                }
            }
        }

        /** One device, two rows, periods that overlap: the file gives it to two people (or one, twice) at once. */
        private void refuseOverlapsInFile() {
            Map<DeviceKey, List<Line>> byDevice = new LinkedHashMap<>();
            for (Line l : lines) {
                if (l.deviceValid && !l.duplicate) {
                    byDevice.computeIfAbsent(new DeviceKey(l.vendor, l.serial), k -> new ArrayList<>()).add(l);
                }
            }
            for (List<Line> same : byDevice.values()) {
                for (int i = 0; i < same.size(); i++) {
                    for (int j = i + 1; j < same.size(); j++) {
                        Line a = same.get(i);
                        Line b = same.get(j);
                        if (overlap(a.from, a.to, b.from, b.to)) {
                            a.refuse(OnboardingCsv.SERIENUMMER, "device " + a.deviceName() + " is also in row " + b.row.number()
                                    + " for an overlapping period; a device has one user at a time");
                            b.refuse(OnboardingCsv.SERIENUMMER, "device " + b.deviceName() + " is also in row " + a.row.number()
                                    + " for an overlapping period; a device has one user at a time");
                        }
                    }
                }
            }
        }

        // --- against the registry

        private void check(Connection c, Group g) throws SQLException {
            Line first = g.first();
            if (!first.enrollmentValid() || g.inconsistent) {
                // Said in the rows already: what is wrong there is the same in every row of the patient.
                return;
            }
            Organisation gp = careTeamMember(c, g, OnboardingCsv.FASTLEGE, "gp-practice", "GP practice");
            Organisation hospital = careTeamMember(c, g, OnboardingCsv.SYKEHUS, "hospital", "hospital");
            if (!g.reasons.isEmpty()) {
                return;
            }
            List<CareTeamMember> team = new ArrayList<>();
            team.add(new CareTeamMember(municipality, "follow-up-service"));
            if (gp != null) {
                team.add(new CareTeamMember(gp.id(), "gp"));
            }
            if (hospital != null) {
                team.add(new CareTeamMember(hospital.id(), "hospital"));
            }
            g.team = List.copyOf(team);
            try {
                Enrollments.check(new NewEnrollment(NOT_YET_REGISTERED, first.programme, municipality, g.team, first.start, null, first.consent));
            } catch (Problem p) {
                g.reasons.add(said(p, OnboardingCsv.START));
                return;
            }
            try {
                g.patient = patients.findSame(c, first.patient).orElse(null);
            } catch (Problem p) {
                g.reasons.add(said(p, OnboardingCsv.FODSELSNUMMER));
                return;
            }
            if (g.patient != null && !sameOrNoEnrollment(c, g)) {
                return;
            }
            if (g.patient == null) {
                first.creates.add("patient");
            }
            if (g.enrollment == null) {
                first.creates.add("enrollment");
                first.creates.add("consent");
            } else {
                g.assigned = assignments.list(c, g.enrollment.id());
            }
            for (Line l : g.lines) {
                if (l.deviceValid && l.reasons.isEmpty()) {
                    checkAssignment(c, g, l);
                }
            }
        }

        /** The GP practice or hospital the patient's rows name, registered as such; null (and the patient refused) if it is not. */
        private Organisation careTeamMember(Connection c, Group g, String column, String kind, String what) throws SQLException {
            String number = g.first().row.get(column);
            if (number.isEmpty()) {
                return null;
            }
            try {
                new OrganisationNumber(number);
            } catch (IllegalArgumentException e) {
                g.reasons.add(column + ": " + e.getMessage());
                return null;
            }
            Optional<Organisation> found = organisationsByNumber.get(number);
            if (found == null) {
                found = organisations.findByNumber(c, number);
                organisationsByNumber.put(number, found);
            }
            if (found.isEmpty() || !kind.equals(found.get().kind())) {
                g.reasons.add(column + ": no " + what + " with organisation number " + number + " is registered");
                return null;
            }
            return found.get();
        }

        /**
         * For a registered patient: may the caller change their follow-up (the access policy: a
         * person the patient blocked may not), and is the enrollment registered exactly so already
         * (then it is this one) or not at all (then it is new)? False, with the group refused, if
         * neither.
         */
        private boolean sameOrNoEnrollment(Connection c, Group g) throws SQLException {
            Line first = g.first();
            try {
                g.granted = access.administer(g.patient.id(), municipality, "create", TYPE);
            } catch (AccessDenied denied) {
                g.reasons.add(OnboardingCsv.FODSELSNUMMER + ": you may not change this patient's follow-up (refused by the access "
                        + "policy; the attempt is recorded)");
                return false;
            }
            for (Enrollment e : enrollments.ofResponsible(c, municipality, g.patient.id(), AccessPolicy.Visible.ALL)) {
                if (!e.programme().equals(first.programme)) {
                    continue;
                }
                if (e.startedAt().isEqual(first.start)) {
                    if (!new HashSet<>(e.careTeam()).equals(new HashSet<>(g.team))) {
                        g.reasons.add(OnboardingCsv.START + ": the patient's enrollment in this programme from this start is registered "
                                + "with another care team (fastlege_orgnr, sykehus_orgnr); change it on the enrollment's page");
                        return false;
                    }
                    if (consents.ofEnrollment(c, e.id()).stream().noneMatch(x -> same(x, first.consent))) {
                        g.reasons.add(OnboardingCsv.SAMTYKKE_GITT + ": the patient's enrollment in this programme from this start is "
                                + "registered with another consent; record a further one on the enrollment's page");
                        return false;
                    }
                    g.enrollment = e;
                    return true;
                }
                if (e.endedAt() == null || e.endedAt().isAfter(first.start)) {
                    g.reasons.add(OnboardingCsv.START + ": the patient is enrolled in this programme by your municipality from "
                            + e.startedAt().atZoneSameInstant(OnboardingCsv.NORWAY).toLocalDate() + " already; give that start, or end "
                            + "that enrollment first");
                    return false;
                }
            }
            return true;
        }

        private void checkAssignment(Connection c, Group g, Line l) throws SQLException {
            Optional<Device> device = devicesByKey.get(new DeviceKey(l.vendor, l.serial));
            if (device == null) {
                device = devices.find(c, l.vendor, l.serial);
                devicesByKey.put(new DeviceKey(l.vendor, l.serial), device);
            }
            if (device.isEmpty()) {
                l.refuse(OnboardingCsv.SERIENUMMER, "no device " + l.deviceName() + " is registered (the operator, or your "
                        + "municipality, registers a device before it is assigned)");
                return;
            }
            l.device = device.get();
            for (DeviceAssignment a : g.assigned) {
                if (a.deviceId() == l.device.id() && a.validFrom().isEqual(l.from) && sameEnd(a.validTo(), l.to)) {
                    return;
                }
            }
            Enrollment within = g.enrollment != null ? g.enrollment
                    : new Enrollment(null, null, g.first().programme, municipality, g.team, g.first().start, null);
            try {
                DeviceAssignments.checkWithin(within, l.from, l.to);
            } catch (Problem p) {
                l.refuseFor(p, OnboardingCsv.TILDELT_FRA);
                return;
            }
            Optional<DeviceAssignment> other = assignments.overlapping(c, l.device.id(), null, l.from, l.to);
            if (other.isPresent()) {
                DeviceAssignment o = other.get();
                String period = "from " + o.validFrom().atZoneSameInstant(OnboardingCsv.NORWAY).toLocalDate()
                        + (o.validTo() == null ? " (open-ended)" : " to " + o.validTo().atZoneSameInstant(OnboardingCsv.NORWAY).toLocalDate());
                boolean self = g.enrollment != null && o.enrollmentId().equals(g.enrollment.id());
                l.refuse(OnboardingCsv.SERIENUMMER, "device " + l.deviceName() + " is assigned " + (self ? "to this patient " : "to another patient ")
                        + period + "; periods of one device must not overlap");
                return;
            }
            l.creates.add("assignment");
        }

        // --- writing

        private void write(Connection c, Set<DeviceKey> assigned) throws SQLException {
            List<AccessPolicy.Change> changes = new ArrayList<>();
            String recordedBy = EnrollmentResource.recordedBy(caller);
            for (Group g : groups.values()) {
                if (g.lines.stream().allMatch(l -> l.creates.isEmpty())) {
                    continue;
                }
                Line at = g.first();
                try {
                    Line first = g.first();
                    Patient patient = g.patient != null ? g.patient : patients.findOrCreate(c, first.patient).patient();
                    Enrollment enrollment = g.enrollment;
                    List<String> ids = new ArrayList<>();
                    String action = "assign";
                    if (enrollment == null) {
                        enrollment = enrollments.create(c, new NewEnrollment(patient.id(), first.programme, municipality, g.team, first.start,
                                null, first.consent));
                        consents.create(c, enrollment.id(), patient.id(), first.consent, recordedBy);
                        action = "create";
                    }
                    ids.add(enrollment.id().toString());
                    for (Line l : g.lines) {
                        at = l;
                        if (l.creates.contains("assignment")) {
                            DeviceAssignment a = assignments.create(c, enrollment.id(), new NewAssignment(null, l.vendor, l.serial, l.from, l.to));
                            assigned.add(a.key());
                            ids.add(a.id().toString());
                        }
                        l.patientId = patient.id();
                        l.enrollmentId = enrollment.id();
                    }
                    AccessPolicy.Granted granted = g.granted != null ? g.granted : registering.forNewPatient(patient.id());
                    changes.add(new AccessPolicy.Change(granted, action, TYPE, List.copyOf(ids)));
                } catch (Problem p) {
                    at.refuseFor(p, null);
                    throw new Rollback(report("refused"));
                }
            }
            // Audited last and in one append, so that the audit chain's lock (which every audited
            // request waits for) is held only from here to the commit, not while the file is written.
            access.recordAllIn(c, changes);
        }

        private Report report(String outcome) {
            List<RowResult> rows = new ArrayList<>(lines.size());
            int created = 0;
            int unchanged = 0;
            int refused = 0;
            boolean wrote = "written".equals(outcome);
            for (Line l : lines) {
                String result;
                if (!l.reasons.isEmpty()) {
                    result = "refused";
                    refused++;
                } else if (!l.creates.isEmpty()) {
                    result = "created";
                    created++;
                } else {
                    result = "unchanged";
                    unchanged++;
                }
                String name = (l.row.get(OnboardingCsv.FORNAVN) + " " + l.row.get(OnboardingCsv.ETTERNAVN)).strip();
                rows.add(new RowResult(l.row.number(), result, name, List.copyOf(l.creates), List.copyOf(l.reasons),
                        wrote ? l.patientId : null, wrote ? l.enrollmentId : null));
            }
            String problem = refused == 0 ? null
                    : refused + " of " + lines.size() + " rows are refused; nothing was written. Fix them and upload the whole file again: "
                            + "rows registered already are left as they are.";
            return new Report(outcome, refused == 0 ? null : "rows-refused", problem, new Counts(created, unchanged, refused), rows);
        }
    }

    private static boolean same(Consent registered, NewConsent file) {
        return registered.withdrawnAt() == null && "home-follow-up".equals(registered.scope()) && registered.givenBy().equals(file.givenBy())
                && Objects.equals(registered.representativeName(), Fields.blankToNull(file.representativeName()))
                && registered.form().equals(file.form()) && registered.givenAt().isEqual(file.givenAt())
                && registered.documentReference().equals(file.documentReference().strip());
    }

    private static boolean sameEnd(OffsetDateTime a, OffsetDateTime b) {
        return a == null ? b == null : b != null && a.isEqual(b);
    }

    /** [aFrom, aTo) and [bFrom, bTo) overlap; a null end is open. */
    static boolean overlap(OffsetDateTime aFrom, OffsetDateTime aTo, OffsetDateTime bFrom, OffsetDateTime bTo) {
        return (bTo == null || aFrom.isBefore(bTo)) && (aTo == null || bFrom.isBefore(aTo));
    }
}
