package no.knutepunkt.fhir;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;

import org.eclipse.microprofile.config.ConfigProvider;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;

/**
 * The FHIR R4 read API at /fhir: HAPI's plain server over the hub's database. Not loaded on start-up:
 * Undertow deploys during Quarkus's static init, before the runtime configuration its providers need
 * exists, so the servlet is created and initialised on its first request.
 */
@WebServlet(urlPatterns = "/fhir/*")
public class FhirServlet extends RestfulServer {

    @Inject
    ObservationProvider observations;
    @Inject
    PatientProvider patients;
    @Inject
    DeviceProvider devices;
    @Inject
    EpisodeOfCareProvider episodes;
    @Inject
    CareTeamProvider careTeams;
    @Inject
    ConsentProvider consents;
    @Inject
    AuditEventProvider auditEvents;
    @Inject
    KeysetPagingProvider paging;

    public FhirServlet() {
        super(FhirContext.forR4Cached());
    }

    @Override
    protected void initialize() {
        setResourceProviders(observations, patients, devices, episodes, careTeams, consents, auditEvents);
        setPagingProvider(paging);
        registerInterceptor(new FhirRefusals());
        registerInterceptor(new SearchBundleIds());
        setDefaultResponseEncoding(EncodingEnum.JSON);
        setServerName("Knutepunkt");
        setServerVersion(ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown"));
        setImplementationDescription("Knutepunkt welfare-technology hub: home measurements as FHIR R4 Observations, the care record (EpisodeOfCare, CareTeam, Consent) and the audit log (AuditEvent); read only");
    }
}
