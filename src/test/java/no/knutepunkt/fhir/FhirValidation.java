package no.knutepunkt.fhir;

import java.util.List;

import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;

/**
 * Offline FHIR R4 validation against the core profiles (HAPI's FhirInstanceValidator), for any test
 * that holds produced resources to clinical-coding.md's bar: zero errors. LOINC, SNOMED CT and NPU
 * cannot be checked offline, so unknown code systems are warnings, not errors.
 *
 * <p>The validator is built once per test JVM (it takes seconds) and is thread-safe.
 */
public final class FhirValidation {

    private static volatile FhirValidator validator;

    private FhirValidation() {
    }

    /** The one FhirContext every test shares. */
    public static FhirContext context() {
        return FhirContext.forR4Cached();
    }

    /** Every message, any severity, as "SEVERITY location: message". */
    public static List<String> messages(String json) {
        return validate(json).stream().map(FhirValidation::describe).toList();
    }

    /** The ERROR and FATAL messages only: empty means the resource meets the bar. */
    public static List<String> errors(String json) {
        return validate(json).stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(FhirValidation::describe)
                .toList();
    }

    /** As {@link #errors(String)}, for a resource already parsed or built. */
    public static List<String> errors(IBaseResource resource) {
        return errors(context().newJsonParser().encodeResourceToString(resource));
    }

    private static List<SingleValidationMessage> validate(String json) {
        return validator().validateWithResult(json).getMessages();
    }

    private static String describe(SingleValidationMessage m) {
        return m.getSeverity() + " " + m.getLocationString() + ": " + m.getMessage();
    }

    private static FhirValidator validator() {
        FhirValidator v = validator;
        if (v == null) {
            synchronized (FhirValidation.class) {
                v = validator;
                if (v == null) {
                    validator = v = build();
                }
            }
        }
        return v;
    }

    private static FhirValidator build() {
        FhirContext ctx = context();
        UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(ctx);
        unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
        // HAPI 8 caches inside ValidationSupportChain; its CachingValidationSupport wrapper is deprecated.
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx),
                new InMemoryTerminologyServerValidationSupport(ctx),
                new SnapshotGeneratingValidationSupport(ctx),
                unknownCodeSystems);
        FhirValidator v = ctx.newValidator();
        v.registerValidatorModule(new FhirInstanceValidator(chain));
        return v;
    }
}
