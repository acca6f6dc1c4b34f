package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionsTest {

    @Test
    void defaultsRunTheRealisticModeAgainstTheDemosBroker() throws Exception {
        Options o = Options.parse(List.of(), Map.of());
        assertThat(o.mode()).isEqualTo("realistic");
        assertThat(o.broker().url()).isEqualTo("tcp://127.0.0.1:18830");
        assertThat(o.hubUrl()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(o.patients()).isEqualTo(50);
        assertThat(o.seed()).isEqualTo(1);
        assertThat(o.daysBack()).isEqualTo(Duration.ofDays(7));
        assertThat(o.duration()).as("until Ctrl-C").isZero();
        assertThat(o.provision()).isFalse();
    }

    @Test
    void brokerSettingsComeFromTheHubsVariablesUnlessGiven() throws Exception {
        Map<String, String> env = Map.of("MQTT_URL", "ssl://broker:8883", "MQTT_USERNAME", "acme", "MQTT_PASSWORD", "secret",
                "MQTT_TLS_TRUST_STORE", "/etc/ca.p12");
        Options o = Options.parse(List.of("load", "--mqtt-username=nordic", "--rate", "0", "--duration", "2m"), env);
        assertThat(o.broker()).isEqualTo(new BrokerAccess("ssl://broker:8883", "nordic", "secret", "/etc/ca.p12", null, null, null));
        assertThat(o.broker().toString()).doesNotContain("secret");
        assertThat(o.rate()).isZero();
        assertThat(o.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(Options.parse(List.of("load"), Map.of()).duration()).isEqualTo(Duration.ofSeconds(60));
    }

    /** The registry API takes bearer tokens: --provision needs the operator's and the municipality admin's, never shown. */
    @Test
    void provisioningTakesItsCallersTokensBetterFromTheEnvironment() throws Exception {
        Options o = Options.parse(List.of("--provision", "--admin-token", "admin-token-value"),
                Map.of("HUB_OPERATOR_TOKEN", "operator-token-value"));
        assertThat(o.hubTokens().logins()).isEqualTo(new HubLogins("operator-token-value", "admin-token-value"));
        assertThat(o.toString()).doesNotContain("operator-token-value").doesNotContain("admin-token-value");
        assertThat(Options.parse(List.of("--provision", "--demo-issuer", "http://127.0.0.1:18081"), Map.of()).hubTokens().demoIssuer())
                .hasToString("http://127.0.0.1:18081");
        assertThat(run("--provision")).startsWith("2 ").contains("--demo-issuer", "HUB_OPERATOR_TOKEN", "HUB_ADMIN_TOKEN");
        assertThat(run("--provision", "--operator-token", "x")).startsWith("2 ").contains("HUB_ADMIN_TOKEN");
    }

    @Test
    void perVendorLoginsComeFromTheCredentialsFileAndTheSharedOneServesTheRest(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("creds.json"), "{\"nordic-telecare\": \"s3cret-nt\", \"medgw\": \"s3cret-gw\"}");
        Map<String, String> env = Map.of("MQTT_URL", "ssl://broker:8883", "MQTT_USERNAME", "shared", "MQTT_PASSWORD", "shared-pw",
                "MQTT_TLS_TRUST_STORE", "/etc/ca.p12");

        Options o = Options.parse(List.of("--mqtt-credentials", file.toString()), env);

        assertThat(o.logins().perVendor()).isTrue();
        assertThat(o.logins().forVendor("nordic-telecare"))
                .isEqualTo(new BrokerAccess("ssl://broker:8883", "nordic-telecare", "s3cret-nt", "/etc/ca.p12", null, null, null));
        assertThat(o.logins().forVendor("medgw").username()).isEqualTo("medgw");
        assertThat(o.logins().forVendor("acme-medical")).as("no own login: the shared one").isEqualTo(o.broker());
        assertThat(o.broker().username()).isEqualTo("shared");
        assertThat(o.toString()).as("never a secret").doesNotContain("s3cret").doesNotContain("shared-pw")
                .contains("medgw, nordic-telecare each logged in as itself");
        assertThat(Options.parse(List.of(), env).logins().perVendor()).as("without the option, one shared login").isFalse();
    }

    @Test
    void aCredentialsFileThatCannotBeUsedIsAUsageErrorThatShowsNoSecret(@TempDir Path tmp) throws Exception {
        assertThat(run("--mqtt-credentials", tmp.resolve("missing.json").toString())).startsWith("2 ").contains("cannot read");
        assertThat(run("--mqtt-credentials", Files.writeString(tmp.resolve("a.json"), "[\"s3cret\"]").toString())).startsWith("2 ")
                .contains("JSON object").doesNotContain("s3cret");
        assertThat(run("--mqtt-credentials", Files.writeString(tmp.resolve("b.json"), "{\"bad/id\": \"s3cret\"}").toString()))
                .startsWith("2 ").contains("'bad/id'", "not a vendor id").doesNotContain("s3cret");
        assertThat(run("--mqtt-credentials", Files.writeString(tmp.resolve("c.json"), "{\"medgw\": 42}").toString())).startsWith("2 ")
                .contains("secret of medgw");
        assertThat(run("--mqtt-credentials", Files.writeString(tmp.resolve("d.json"), "{\"medgw\": \"s3cret\"").toString()))
                .startsWith("2 ").contains("cannot read").doesNotContain("s3cret");
        assertThat(run("--mqtt-credentials", Files.writeString(tmp.resolve("e.json"), "{}").toString())).startsWith("2 ").contains("no vendor");
        assertThat(run("--help")).contains("--mqtt-credentials FILE");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(Options.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Options.duration("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Options.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Options.duration("PT10M")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Options.duration("30")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void helpAndMistakesAnswerWithTheirExitStatus() {
        assertThat(run("--help")).startsWith("0 Usage: ").contains("realistic", "load", "bad", "replay FILE", "--provision", "--record",
                "--operator-token", "--admin-token");
        assertThat(run("--bogus")).startsWith("2 ").contains("unknown option --bogus");
        assertThat(run("fast")).startsWith("2 ").contains("unknown mode 'fast'");
        assertThat(run("replay")).startsWith("2 ").contains("replay needs the recorded file");
        assertThat(run("load", "--record", "x.jsonl")).startsWith("2 ").contains("--record is for realistic, bad and replay");
        assertThat(run("--patients", "many")).startsWith("2 ").contains("--patients: cannot read 'many'");
        assertThat(run("bad", "--patients", "2")).startsWith("2 ").contains("at least 3");
        assertThat(run("--factor", "0.5")).startsWith("2 ");
    }

    @Test
    void aBrokerThatIsNotThereIsReportedNotThrown() {
        // Port 1 on loopback: nothing listens there.
        assertThat(run("realistic", "--mqtt-url", "tcp://127.0.0.1:1", "--patients", "3", "--duration", "1s")).startsWith("3 ")
                .contains("tcp://127.0.0.1:1");
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = SimulatorMain.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return status + " " + out.toString(StandardCharsets.UTF_8);
    }
}
