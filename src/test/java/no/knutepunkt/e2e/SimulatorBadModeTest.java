package no.knutepunkt.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import no.knutepunkt.simulator.BadInputs;
import no.knutepunkt.simulator.BadInputs.Outcome;
import no.knutepunkt.simulator.BrokerAccess;
import no.knutepunkt.simulator.HubLogins;
import no.knutepunkt.simulator.PatientKit;
import no.knutepunkt.simulator.PilotPlan;
import no.knutepunkt.simulator.Provisioning;
import no.knutepunkt.simulator.ReceiptTally;
import no.knutepunkt.simulator.SimulatedPilot;
import no.knutepunkt.simulator.SimulatorMain;
import no.knutepunkt.simulator.VendorLink;
import no.knutepunkt.testing.HubTestResource;
import no.knutepunkt.testing.Ledger;
import no.knutepunkt.testing.Ledger.Inbound;
import no.knutepunkt.testing.Ledger.Tally;
import no.knutepunkt.testing.Tokens;

/**
 * The simulator's bad mode against a running hub: every row of device-contract.md's bad-input
 * table gets exactly the receipt the contract promises, the receipts the simulator reports are the
 * ones the hub recorded, and the hub's counts move by exactly what the contract says.
 */
@QuarkusTest
@QuarkusTestResource(HubTestResource.class)
class SimulatorBadModeTest {

    /** A seed of this test's own: its pilot's devices are no other test's. */
    private static final long SEED = 31;
    private static final List<String> VENDORS = List.of("nordic-telecare", "acme-medical", "medgw");

    @Test
    void everyBadInputGetsTheReceiptTheContractPromises() throws Exception {
        SimulatedPilot pilot = PilotPlan.generate(SEED, 3, Instant.now());
        new Provisioning(hub(), logins()).provision(PatientKit.of(pilot));
        Map<String, Tally> before = new HashMap<>();
        VENDORS.forEach(v -> before.put(v, Ledger.status(v)));
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 8);

        List<Outcome> outcomes;
        try (VendorLink link = new VendorLink(BrokerAccess.of(HubTestResource.mqttUrl()), "test-bad-" + run, new ReceiptTally(), null)) {
            outcomes = BadInputs.check(link, BadInputs.cases(pilot, run, Instant.now()), Duration.ofSeconds(30));
        }

        // Written from device-contract.md, not from the simulator's own expectations.
        assertThat(outcomes).extracting(o -> o.c().name(), Outcome::status).containsExactly(
                tuple("not JSON", "rejected"),
                tuple("not UTF-8 (a Latin-1 'ø')", "rejected"),
                tuple("larger than 64 KiB", "rejected"),
                tuple("nested deeper than 32", "rejected"),
                tuple("unknown kind (canonical)", "rejected"),
                tuple("unknown metric (acme-flat)", "rejected"),
                tuple("unknown MDC code beside a good reading (medgw)", "partial"),
                tuple("unit not convertible (weight in mm[Hg])", "rejected"),
                tuple("physically impossible (SpO2 120 %)", "rejected"),
                tuple("NaN", "rejected"),
                tuple("Infinity (1e999)", "rejected"),
                tuple("measuredAt without time zone", "rejected"),
                tuple("time 10 minutes in the future", "rejected"),
                tuple("time before 2000-01-02 (canonical)", "rejected"),
                tuple("acme-flat ts in seconds (lands in 1970)", "rejected"),
                tuple("payload device is not the topic's", "rejected"),
                tuple("another vendor's device (acme's, as nordic-telecare)", "rejected"),
                tuple("unregistered vendor", "rejected"),
                tuple("device id longer than 64 characters", "rejected"),
                tuple("unknown device", "parked"),
                tuple("measured before the device's assignment", "parked"),
                tuple("a good reading (first copy)", "accepted"),
                tuple("the same message again", "duplicate"),
                tuple("the same reading under a new message id", "duplicate"),
                tuple("device clock at 1970 behind a gateway", "accepted"));
        assertThat(outcomes).allSatisfy(o -> assertThat(o.problem()).as(o.c().name()).isNull());

        // What the simulator reports is what the hub recorded: the receipt stored with each message.
        try (Ledger ledger = new Ledger()) {
            for (Outcome o : outcomes) {
                List<Inbound> rows = ledger.inbound(o.c().message().vendor(), o.c().message().topicDevice());
                assertThat(rows).as(o.c().name()).anySatisfy(row -> {
                    assertThat(row.payload()).isEqualTo(o.c().message().payload());
                    assertThat(row.receipt()).isEqualTo(o.receipt());
                });
            }
        }
        // Per reading: 15 nordic-telecare readings dead-lettered, 2 parked, 1 stored, 2 duplicates; acme's 2
        // dead-lettered; medgw's good reading and the bad clock's stored, the unknown code dead-lettered.
        assertThat(Ledger.status("nordic-telecare").minus(before.get("nordic-telecare"))).isEqualTo(new Tally(20, 1, 2, 2, 15));
        assertThat(Ledger.status("acme-medical").minus(before.get("acme-medical"))).isEqualTo(Tally.deadLettered(2));
        assertThat(Ledger.status("medgw").minus(before.get("medgw"))).isEqualTo(new Tally(3, 2, 0, 0, 1));
        assertThat(Ledger.status("no-such-vendor-" + run)).isEqualTo(Tally.deadLettered(1));
    }

    @Test
    void theCommandLineChecksTheSameAndExitsZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int status = SimulatorMain.run(List.of("bad", "--provision", "--seed", Long.toString(SEED), "--patients", "3", "--mqtt-url",
                HubTestResource.mqttUrl(), "--hub-url", hub().toString()), Map.of("HUB_OPERATOR_TOKEN", Tokens.operator(),
                "HUB_ADMIN_TOKEN", Tokens.admin(SimulatedPilot.MUNICIPALITY.orgNumber())), print, print);

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(report).isZero();
        assertThat(report).contains("25 of 25 receipts as device-contract.md promises").doesNotContain("FAIL");
        assertThat(report).containsPattern("nordic-telecare\\s+20\\s+20\\s+20\\s+1\\s+2\\s+2\\s+15");
    }

    private static URI hub() {
        return URI.create(ConfigProvider.getConfig().getValue("test.url", String.class));
    }

    /** Provisioning signs in as the hub's operator and as an admin of the simulated pilot's municipality. */
    private static HubLogins logins() {
        return new HubLogins(Tokens.operator(), Tokens.admin(SimulatedPilot.MUNICIPALITY.orgNumber()));
    }
}
