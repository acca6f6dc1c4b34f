package no.knutepunkt.simulator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The command line of the device simulator, parsed by hand (it has few options, and a parser
 * library would be one more dependency for the hub's jar). Broker settings fall back to the
 * environment variables the hub itself reads (MQTT_URL, MQTT_USERNAME, ...), so a simulator started
 * beside a hub finds the same broker, and a password need not appear on the command line. Per-vendor
 * broker logins come from a file ({@code --mqtt-credentials}), never from the command line.
 */
public record Options(String mode, Path replayFile, BrokerLogins logins, URI hubUrl, HubTokens hubTokens, long seed, int patients,
        boolean provision,
        double factor, Duration daysBack, Duration duration, double rate, int devices, int connections, Path recordFile,
        Duration reportEvery, Duration receiptTimeout, boolean help) {

    public static final String USAGE = """
            Usage: java -jar target/quarkus-app/quarkus-run.jar simulate [MODE] [OPTIONS]

            Behaves like a pilot's worth of home-measurement devices of three vendors (nordic-telecare:
            canonical, acme-medical: acme-flat, medgw: gateway batches), publishing over MQTT as
            device-contract.md says, and reports what it sent and what receipts the hub sent back.

            Modes:
              realistic        patients measure when people do, with daily rhythm, noise and scripted
                               episodes; simulated time starts --days-back ago and runs --factor times
                               faster until it reaches now, then at real pace (the default mode)
              load             as fast as asked, many devices (--rate, --devices, --duration)
              bad              every bad input of the contract once; checks each receipt against the
                               contract, exits 1 on any mismatch
              replay FILE      sends a recorded file (--record) again

            Broker and hub:
              --mqtt-url URL                  tcp://host:port or ssl://host:port     [MQTT_URL, default tcp://127.0.0.1:18830]
              --mqtt-username NAME                                                   [MQTT_USERNAME]
              --mqtt-password SECRET          better from the environment            [MQTT_PASSWORD]
              --mqtt-credentials FILE         per-vendor broker logins: a JSON object of vendor id to
                                              secret ({"nordic-telecare": "..."}); each of those
                                              vendors publishes over its own connection, logged in as
                                              itself; other vendors use --mqtt-username, if any
              --tls-trust-store FILE          PKCS#12 or JKS with the broker's CA    [MQTT_TLS_TRUST_STORE]
              --tls-trust-store-password S                                           [MQTT_TLS_TRUST_STORE_PASSWORD]
              --tls-key-store FILE            client certificate, if the broker asks [MQTT_TLS_KEY_STORE]
              --tls-key-store-password S                                             [MQTT_TLS_KEY_STORE_PASSWORD]
              --hub-url URL                   the hub's HTTP API, for --provision    [HUB_URL, default http://127.0.0.1:8080]
              --demo-issuer URL               --provision signs in as the demo's operator and
                                              municipality admin at this local issuer (the demo's:
                                              http://127.0.0.1:18081)                [DEMO_ISSUER]
              --operator-token, --admin-token or their bearer tokens, better from the environment
                                                                          [HUB_OPERATOR_TOKEN, HUB_ADMIN_TOKEN]

            Pilot:
              --seed N                        same seed, same patients, devices and readings (default 1)
              --patients N                    patients, each with their programme's devices (default 50)
              --provision                     first register organisations, vendors, patients, devices,
                                              enrollments and assignments through the hub's registry API
                                              (idempotent: a second run finds them and creates nothing)

            Realistic:
              --factor F                      time compression while catching up (default 1440: a day a minute)
              --days-back DURATION            how far back simulated time starts (default 7d)
              --duration DURATION             stop after this long (default: until Ctrl-C)

            Load:
              --rate R                        readings per second, 0 = as fast as possible (default 1000)
              --devices N                     devices, a third per vendor (default 300)
              --connections N                 publishing MQTT connections (default 2)
              --duration DURATION             (default 60s)

            All modes:
              --record FILE                   write every message sent as JSON Lines, for replay
                                              (realistic, bad and replay; not load)
              --report-every DURATION         report interval, 0 = only at the end (default 10s)
              --receipt-timeout DURATION      wait this long for outstanding receipts at the end (default 30s)
              --help                          this text

            DURATION: 90s, 10m, 2h, 7d or ISO-8601 (PT10M). Exit status: 0 done, 1 a receipt not as the
            contract says (bad mode), 2 wrong usage, 3 could not run (broker, hub or file).
            """;

    /** A command line the simulator cannot run. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    public static Options parse(List<String> args, Map<String, String> env) throws UsageException {
        String mode = null;
        Path replay = null;
        Map<String, String> given = new java.util.HashMap<>();
        boolean provision = false;
        boolean help = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> help = true;
                case "--provision" -> provision = true;
                default -> {
                    if (a.startsWith("--")) {
                        String name = a.substring(2);
                        String value;
                        int eq = name.indexOf('=');
                        if (eq >= 0) {
                            value = name.substring(eq + 1);
                            name = name.substring(0, eq);
                        } else {
                            if (!KNOWN.contains(name)) {
                                throw new UsageException("unknown option --" + name);
                            }
                            if (i + 1 >= args.size()) {
                                throw new UsageException("--" + name + " needs a value");
                            }
                            value = args.get(++i);
                        }
                        if (!KNOWN.contains(name)) {
                            // --name=value
                            throw new UsageException("unknown option --" + name);
                        }
                        given.put(name, value);
                    } else {
                        positional.add(a);
                    }
                }
            }
        }
        if (!positional.isEmpty()) {
            mode = positional.get(0);
            if (!List.of("realistic", "load", "bad", "replay").contains(mode)) {
                throw new UsageException("unknown mode '" + mode + "': realistic, load, bad or replay");
            }
            if (mode.equals("replay")) {
                if (positional.size() != 2) {
                    throw new UsageException("replay needs the recorded file: simulate replay FILE");
                }
                replay = Path.of(positional.get(1));
            } else if (positional.size() > 1) {
                throw new UsageException("unexpected argument '" + positional.get(1) + "'");
            }
        }
        mode = mode == null ? "realistic" : mode;
        boolean load = mode.equals("load");
        Path record = path(given.get("record"));
        if (record != null && load) {
            throw new UsageException("--record is for realistic, bad and replay: at load rates it would measure the disk, not the hub");
        }
        BrokerAccess shared = new BrokerAccess(setting(given, env, "mqtt-url", "MQTT_URL", "tcp://127.0.0.1:18830"),
                setting(given, env, "mqtt-username", "MQTT_USERNAME", null), setting(given, env, "mqtt-password", "MQTT_PASSWORD", null),
                setting(given, env, "tls-trust-store", "MQTT_TLS_TRUST_STORE", null),
                setting(given, env, "tls-trust-store-password", "MQTT_TLS_TRUST_STORE_PASSWORD", null),
                setting(given, env, "tls-key-store", "MQTT_TLS_KEY_STORE", null),
                setting(given, env, "tls-key-store-password", "MQTT_TLS_KEY_STORE_PASSWORD", null));
        Path credentials = path(given.get("mqtt-credentials"));
        BrokerLogins broker = new BrokerLogins(shared, credentials == null ? Map.of() : vendorSecrets(credentials));
        URI hub = value(given, "hub-url", setting(given, env, "hub-url", "HUB_URL", "http://127.0.0.1:8080"), URI::create);
        String issuer = setting(given, env, "demo-issuer", "DEMO_ISSUER", null);
        HubTokens tokens = new HubTokens(issuer == null ? null : value(given, "demo-issuer", issuer, URI::create),
                setting(given, env, "operator-token", "HUB_OPERATOR_TOKEN", null), setting(given, env, "admin-token", "HUB_ADMIN_TOKEN", null));
        if (provision && !tokens.given()) {
            throw new UsageException("--provision signs in to the hub's registry API: give --demo-issuer URL (beside the demo), "
                    + "or HUB_OPERATOR_TOKEN and HUB_ADMIN_TOKEN");
        }
        Options o = new Options(mode, replay, broker, hub, tokens,
                value(given, "seed", "1", Long::parseLong),
                value(given, "patients", "50", Integer::parseInt),
                provision,
                value(given, "factor", "1440", Double::parseDouble),
                value(given, "days-back", "7d", Options::duration),
                value(given, "duration", load ? "60s" : "0", Options::duration),
                value(given, "rate", "1000", Double::parseDouble),
                value(given, "devices", "300", Integer::parseInt),
                value(given, "connections", "2", Integer::parseInt),
                record,
                value(given, "report-every", "10s", Options::duration),
                value(given, "receipt-timeout", "30s", Options::duration),
                help);
        if (o.patients() < 1 || (mode.equals("bad") && o.patients() < 3)) {
            throw new UsageException("--patients must be at least " + (mode.equals("bad") ? "3 for the bad mode (a patient per vendor)" : "1"));
        }
        if (o.factor() < 1) {
            throw new UsageException("--factor must be at least 1");
        }
        if (o.devices() < 3 || o.connections() < 1 || o.rate() < 0) {
            throw new UsageException("--devices must be at least 3, --connections at least 1, --rate not negative");
        }
        return o;
    }

    /** How provisioning signs in to the hub: a demo issuer to fetch its demo users' tokens from, or the tokens themselves. */
    public record HubTokens(URI demoIssuer, String operatorToken, String adminToken) {

        boolean given() {
            return demoIssuer != null || operatorToken != null && adminToken != null;
        }

        public HubLogins logins() throws java.io.IOException, InterruptedException {
            return operatorToken != null && adminToken != null ? new HubLogins(operatorToken, adminToken)
                    : HubLogins.fromDemoIssuer(demoIssuer);
        }

        /** Never the tokens themselves: options end up in logs and reports. */
        @Override
        public String toString() {
            return "HubTokens[demoIssuer=" + demoIssuer + ", operatorToken=" + (operatorToken == null ? "none" : "given")
                    + ", adminToken=" + (adminToken == null ? "none" : "given") + "]";
        }
    }

    /** The shared broker login (or none), which vendors without one of their own use. */
    public BrokerAccess broker() {
        return logins.shared();
    }

    /**
     * {@code {"vendor-id": "secret", ...}}. Errors name the file and the vendor, never a secret.
     */
    static Map<String, String> vendorSecrets(Path file) throws UsageException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            // Jackson's message may quote the file's text, secrets included.
            throw new UsageException("--mqtt-credentials: cannot read " + file + " as JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new UsageException("--mqtt-credentials: " + file + " must hold a JSON object of vendor id to secret");
        }
        Map<String, String> secrets = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String vendor = field.getKey();
            if (!VENDOR_ID.matcher(vendor).matches()) {
                throw new UsageException("--mqtt-credentials: '" + vendor + "' in " + file + " is not a vendor id ([A-Za-z0-9._-]{1,64})");
            }
            if (!field.getValue().isTextual() || field.getValue().asText().isBlank()) {
                throw new UsageException("--mqtt-credentials: the secret of " + vendor + " in " + file + " must be a non-empty string");
            }
            secrets.put(vendor, field.getValue().asText());
        }
        if (secrets.isEmpty()) {
            throw new UsageException("--mqtt-credentials: " + file + " names no vendor");
        }
        return secrets;
    }

    private static final Pattern VENDOR_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final List<String> KNOWN = List.of("demo-issuer", "operator-token", "admin-token", "mqtt-url", "mqtt-username", "mqtt-password", "mqtt-credentials", "tls-trust-store",
            "tls-trust-store-password", "tls-key-store", "tls-key-store-password", "hub-url", "seed", "patients", "factor", "days-back",
            "duration", "rate", "devices", "connections", "record", "report-every", "receipt-timeout");

    private static String setting(Map<String, String> given, Map<String, String> env, String option, String variable, String fallback) {
        String v = given.get(option);
        if (v == null) {
            v = env.get(variable);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    private static <T> T value(Map<String, String> given, String option, String fallback, Function<String, T> parse)
            throws UsageException {
        String v = given.getOrDefault(option, fallback);
        try {
            return parse.apply(v);
        } catch (RuntimeException e) {
            throw new UsageException("--" + option + ": cannot read '" + v + "'");
        }
    }

    private static Path path(String v) {
        return v == null ? null : Path.of(v);
    }

    /** 90s, 10m, 2h, 7d, a plain number of seconds, or ISO-8601 (PT10M). Zero means "none". */
    static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return Duration.parse(v.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(v, e);
            }
        }
        char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        String number = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
        double n = Double.parseDouble(number);
        double seconds = switch (unit) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            case 'd' -> n * 86_400;
            default -> {
                if (!Character.isDigit(unit)) {
                    throw new IllegalArgumentException(v);
                }
                yield n;
            }
        };
        if (seconds < 0) {
            throw new IllegalArgumentException(v);
        }
        return Duration.ofMillis((long) (seconds * 1000));
    }
}
