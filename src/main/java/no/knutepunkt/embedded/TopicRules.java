package no.knutepunkt.embedded;

import java.util.regex.Pattern;

/**
 * Which topics an account may use (security.md, device-contract.md). A vendor publishes only
 * measurements under its own vendor id and subscribes only to its own receipts; the hub subscribes
 * to measurements (shared or not) and publishes receipts. Nothing else: no other topic, no wildcard
 * at the vendor level for a vendor (so {@code knutepunkt/v1/+/+/receipts} or {@code #} are refused),
 * no {@code #} anywhere.
 * <p>
 * The same rules as deploy/mosquitto/acl, whose {@code +} also matches any single level, empty too;
 * what a level holds beyond that is the hub's to judge (it dead-letters a malformed device id with a
 * receipt, which a refusal here would withhold).
 */
final class TopicRules {

    private static final String MEASUREMENTS = "measurements";
    private static final String RECEIPTS = "receipts";
    /** MQTT 5: a share name is at least one character, without '/', '+' or '#'. */
    private static final Pattern SHARE = Pattern.compile("\\$share/[^/+#]+/(.+)");

    private TopicRules() {
    }

    static boolean mayPublish(BrokerAccount account, String topic) {
        String[] levels = levels(topic);
        if (levels == null || !literal(levels[2]) || !literal(levels[3])) {
            return false;
        }
        return account.hub() ? levels[4].equals(RECEIPTS) : levels[2].equals(account.name()) && levels[4].equals(MEASUREMENTS);
    }

    static boolean maySubscribe(BrokerAccount account, String topicFilter) {
        var shared = SHARE.matcher(topicFilter);
        String[] levels = levels(shared.matches() ? shared.group(1) : topicFilter);
        if (levels == null || !literalOrPlus(levels[2]) || !literalOrPlus(levels[3])) {
            return false;
        }
        return account.hub() ? levels[4].equals(MEASUREMENTS) : levels[2].equals(account.name()) && levels[4].equals(RECEIPTS);
    }

    /** knutepunkt/v1/{vendor}/{device}/{kind}, or null for anything else. */
    private static String[] levels(String topic) {
        String[] levels = topic.split("/", -1);
        return levels.length == 5 && levels[0].equals("knutepunkt") && levels[1].equals("v1") ? levels : null;
    }

    private static boolean literal(String level) {
        return level.indexOf('+') < 0 && level.indexOf('#') < 0;
    }

    private static boolean literalOrPlus(String level) {
        return level.equals("+") || literal(level);
    }
}
