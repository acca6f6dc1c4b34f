package no.knutepunkt.fhir;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.instance.model.api.IBaseResource;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import no.knutepunkt.audit.AuditTrail;
import no.knutepunkt.common.FhirTime;

/**
 * Everything of one patient as a FHIR Bundle of type collection: the Patient, the EpisodeOfCare and
 * CareTeam of each enrollment, the consents, every Observation and every AuditEvent of their access
 * log. All of it is read in one transaction (a snapshot: the counts the audit entry states are what
 * the Bundle holds), and written as it is read: the Observations come from a cursor, each stored
 * JSON copied into the Bundle as it is, and the audit rows likewise, so years of readings never sit
 * in memory at once. The small parts (enrollments, consents) are read first, for the counts.
 */
final class ExportBundle {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String OBSERVATIONS = """
            SELECT id, observation FROM reading WHERE patient_id = ? AND state = 'stored' ORDER BY kind, effective DESC, id""";

    private final Connection c;
    private final UUID id = UUID.randomUUID();
    private final PatientLookup.PatientRow patient;
    private final List<CareRecords.Enrollment> enrollments;
    private final List<CareRecords.Consent> consents;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Instant at;

    /**
     * Reads what the Bundle will hold, in the connection's transaction, which the caller has made a
     * read-only snapshot (repeatable read) and keeps open until {@link #write} is done.
     */
    ExportBundle(Connection c, PatientLookup.PatientRow patient, Instant at) throws SQLException {
        this.c = c;
        this.patient = patient;
        this.at = at;
        this.enrollments = CareRecords.enrollmentsOf(c, patient.id());
        this.consents = CareRecords.consentsOf(c, patient.id());
        counts.put("Patient", 1L);
        counts.put("EpisodeOfCare", (long) enrollments.size());
        counts.put("CareTeam", (long) enrollments.size());
        counts.put("Consent", (long) consents.size());
        counts.put("Observation", observationCount());
        counts.put("AuditEvent", AuditTrail.countOfPatient(c, patient.id()));
    }

    UUID id() {
        return id;
    }

    /** How many resources of each type the Bundle holds. */
    Map<String, Long> counts() {
        return counts;
    }

    /** @param base the FHIR base URL the entries' fullUrls start with, without a trailing slash */
    void write(OutputStream out, String base) throws IOException, SQLException {
        FhirContext fhir = FhirContext.forR4Cached();
        IParser parser = fhir.newJsonParser();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("resourceType", "Bundle");
            g.writeStringField("id", id.toString());
            g.writeStringField("type", "collection");
            g.writeStringField("timestamp", FhirTime.format(OffsetDateTime.ofInstant(at, ZoneOffset.UTC)));
            g.writeArrayFieldStart("entry");
            entry(g, base, parser, PatientProvider.patient(patient));
            for (CareRecords.Enrollment e : enrollments) {
                entry(g, base, parser, EnrollmentView.episode(e, patient, at));
                entry(g, base, parser, EnrollmentView.careTeam(e, patient, at));
            }
            for (CareRecords.Consent k : consents) {
                entry(g, base, parser, ConsentView.consent(k, patient, at));
            }
            try (PreparedStatement ps = c.prepareStatement(OBSERVATIONS)) {
                ps.setFetchSize(500);
                ps.setObject(1, patient.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // Stored as ingest wrote it (and the API serves it): copied, not parsed and written again.
                        entry(g, base + "/Observation/" + rs.getObject(1, UUID.class), rs.getString(2));
                    }
                }
            }
            AuditTrail.eachOfPatient(c, patient.id(), row -> entry(g, base, parser, AuditEventView.of(row, AuditEventView.Audience.PATIENT)));
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private long observationCount() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM reading WHERE patient_id = ? AND state = 'stored'")) {
            ps.setObject(1, patient.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void entry(JsonGenerator g, String base, IParser parser, IBaseResource r) throws IOException {
        entry(g, base + "/" + r.fhirType() + "/" + r.getIdElement().getIdPart(), parser.encodeResourceToString(r));
    }

    private static void entry(JsonGenerator g, String fullUrl, String json) throws IOException {
        g.writeStartObject();
        g.writeStringField("fullUrl", fullUrl);
        g.writeFieldName("resource");
        g.writeRawValue(json);
        g.writeEndObject();
    }
}
