package no.knutepunkt.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

/**
 * The fault campaign in short, for every build: about a minute of load on two hub instances while
 * each kind of fault strikes once (hub kill -9, broker restart and crash, PostgreSQL restart and
 * crash), in the order a fixed seed gives. Broker crashes may lose what Mosquitto acknowledged
 * after its last save; that is reported apart and not held against the hub. No speed is asserted:
 * CI machines are slow and shared.
 */
class FaultCampaignIT {

    @Test
    void theHubLosesDuplicatesAndInventsNothingThroughEveryKindOfFault() throws Exception {
        long seed = Long.getLong("faults.seed", 20261122L);
        CampaignReport report = FaultCampaign.run(CampaignOptions.parse("--seed", Long.toString(seed), "--seconds", "45", "--rate", "1500",
                "--devices", "600", "--faults", Integer.toString(Fault.values().length), "--gap", "2-6", "--down", "1-3",
                "--dir", "target/faults/campaign-it-" + seed + "-" + System.currentTimeMillis()));
        report.print(System.out);

        assertThat(report.faultsByKind().keySet()).as("each kind of fault struck").isEqualTo(EnumSet.allOf(Fault.class));
        assertThat(report.publisher().acknowledgedMessages()).as("the broker acknowledged messages").isPositive();
        assertThat(report.verdict().lost()).as("acknowledged readings the hub lost, e.g. %s", report.verdict().lostExamples()).isZero();
        assertThat(report.verdict().duplicated()).as("readings stored twice, e.g. %s", report.verdict().duplicatedExamples()).isZero();
        assertThat(report.verdict().unexpected()).as("readings stored that no one sent, e.g. %s", report.verdict().unexpectedExamples())
                .isZero();
        assertThat(report.verdict().storedWithoutValues()).as("stored readings without their time-series values").isZero();
        assertThat(report.counts().balanced()).as("received = stored + duplicate + parked + dead-lettered").isTrue();
        assertThat(report.counts().consistent()).as("the counts match the rows they count").isTrue();
        assertThat(report.counts().stored()).as("the stored count against the stored rows").isEqualTo(report.verdict().stored());
        assertThat(report.counts().parked() + report.counts().deadLettered()).as("valid readings refused or parked").isZero();
    }
}
