package no.knutepunkt.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault campaign's command line, as README "Fault campaign" documents it. */
class CampaignOptionsTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        CampaignOptions o = CampaignOptions.parse();
        assertThat(o.load()).isEqualTo(Duration.ofMinutes(5));
        assertThat(o.rate()).isEqualTo(3000);
        assertThat(o.devices()).isEqualTo(3000);
        assertThat(o.hubs()).isEqualTo(2);
        assertThat(o.faults()).isZero();
        assertThat(o.kinds()).containsExactly(Fault.values());
        assertThat(o.dir().toString()).startsWith(Path.of("target", "faults", "campaign-" + o.seed() + "-").toString());
    }

    @Test
    void optionsAreRead() {
        CampaignOptions o = CampaignOptions.parse("--seed", "42", "--seconds", "45", "--rate", "1500", "--faults", "5", "--gap", "2-6",
                "--down", "0.5-3", "--kinds", "db-crash,hub-kill");
        assertThat(o.seed()).isEqualTo(42);
        assertThat(o.load()).isEqualTo(Duration.ofSeconds(45));
        assertThat(o.faults()).isEqualTo(5);
        assertThat(o.gap()).isEqualTo(new CampaignOptions.Range(Duration.ofSeconds(2), Duration.ofSeconds(6)));
        assertThat(o.down().min()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.kinds()).isEqualTo(List.of(Fault.DB_CRASH, Fault.HUB_KILL));
    }

    @Test
    void aRangeDrawsWithinItsBounds() {
        CampaignOptions.Range r = CampaignOptions.Range.parse("1-5");
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(r.draw(random)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
        }
    }

    @Test
    void mistakesAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> CampaignOptions.parse("--kinds", "hub-reboot")).hasMessageContaining("no fault 'hub-reboot'");
        assertThatThrownBy(() -> CampaignOptions.parse("--gap", "5")).hasMessageContaining("MIN-MAX");
        assertThatThrownBy(() -> CampaignOptions.parse("--gap", "6-2")).hasMessageContaining("MIN <= MAX");
        assertThatThrownBy(() -> CampaignOptions.parse("--rate", "0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> CampaignOptions.parse("--rate")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> CampaignOptions.parse("--colour", "blue")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> CampaignOptions.parse("--help")).isInstanceOf(CampaignOptions.HelpRequested.class);
    }

    @Test
    void anExistingDirectoryIsRefusedRatherThanMixedWithAnEarlierRun(@TempDir Path tmp) throws Exception {
        Path used = Files.createDirectories(tmp.resolve("campaign"));
        assertThatThrownBy(() -> CampaignOptions.parse("--dir", used.toString())).hasMessageContaining("exists already");
        assertThat(CampaignOptions.parse("--dir", tmp.resolve("fresh").toString()).dir()).isEqualTo(tmp.resolve("fresh"));
    }
}
