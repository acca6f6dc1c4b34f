/**
 * The signed-in caller's own page data ({@code /api/me}): who they are, and for a patient the
 * access log of their data (innsyn i logg). The patient's export of everything is a FHIR Bundle,
 * built by the fhir capability ({@code no.knutepunkt.fhir.PatientExport}).
 */
package no.knutepunkt.me;
