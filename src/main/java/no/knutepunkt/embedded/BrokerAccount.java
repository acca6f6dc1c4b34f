package no.knutepunkt.embedded;

/**
 * Who a client on the embedded broker is logged in as: the hub itself, or a vendor (its user name
 * is its vendor id). What each may do is {@link TopicRules}.
 */
record BrokerAccount(String name, boolean hub) {

    static BrokerAccount hub(String name) {
        return new BrokerAccount(name, true);
    }

    static BrokerAccount vendor(String vendorId) {
        return new BrokerAccount(vendorId, false);
    }
}
