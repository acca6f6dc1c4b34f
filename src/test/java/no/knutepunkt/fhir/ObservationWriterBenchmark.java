package no.knutepunkt.fhir;

import java.util.List;
import java.util.UUID;

import org.hl7.fhir.r4.model.Observation;

import ca.uhn.fhir.parser.IParser;
import no.knutepunkt.common.Reading;

/**
 * Prints what writing one Observation costs, ObservationWriter against HAPI's JSON encoder of the same
 * Observation, on this machine. A rough loop, not a JMH benchmark: run it by hand (see the report or
 * README), never as a test, since a timing is not something a unit test can assert.
 */
public final class ObservationWriterBenchmark {

    private ObservationWriterBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ObservationWriter writer = new ObservationWriter();
        IParser parser = FhirValidation.context().newJsonParser();
        List<Reading> readings = List.of(ObservationWriterTest.BP, ObservationWriterTest.SPO2, ObservationWriterTest.WEIGHT,
                ObservationWriterTest.GLUCOSE_HI, ObservationWriterTest.TEMPERATURE, ObservationWriterTest.PULSE);
        UUID id = UUID.randomUUID();
        List<Observation> parsed = readings.stream()
                .map(r -> parser.parseResource(Observation.class, write(writer, id, r))).toList();

        long sink = 0;
        for (int pass = 0; pass < 6; pass++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                sink += write(writer, id, readings.get(i % readings.size())).length();
            }
            long t1 = System.nanoTime();
            int hapiRounds = rounds / 10;
            for (int i = 0; i < hapiRounds; i++) {
                sink += parser.encodeResourceToString(parsed.get(i % parsed.size())).length();
            }
            long t2 = System.nanoTime();
            System.out.printf("pass %d: ObservationWriter %.2f µs/Observation, HAPI encodeResourceToString %.2f µs/Observation%n",
                    pass, (t1 - t0) / 1000.0 / rounds, (t2 - t1) / 1000.0 / hapiRounds);
        }
        System.out.println("(checksum " + sink + ")");
    }

    private static String write(ObservationWriter writer, UUID id, Reading r) {
        return writer.write(id, "nordic-telecare", r, ObservationWriterTest.FNR_SUBJECT, null, ObservationWriterTest.ISSUED, false);
    }
}
