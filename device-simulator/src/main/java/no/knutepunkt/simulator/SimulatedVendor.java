package no.knutepunkt.simulator;

/**
 * The three vendors of device-contract.md as the simulator plays them, each with its format and the
 * (fictitious, never issued) organisation number of the company behind it — the same as in the
 * demo seed, so a simulated pilot and the seeded one share their organisations.
 */
public enum SimulatedVendor {

    NORDIC_TELECARE(SimulatedDevice.CANONICAL_VENDOR, "canonical", "Nordic Telecare", "444444444", "Nordic Telecare AS (fiktiv)", "NT"),
    ACME_MEDICAL(SimulatedDevice.ACME_VENDOR, "acme-flat", "Acme Medical", "555555555", "Acme Medical AS (fiktiv)", "AC"),
    MEDGW(SimulatedDevice.GATEWAY_VENDOR, "medgw", "MedGW", "666666666", "MedGW AS (fiktiv)", "MG");

    private final String id;
    private final String format;
    private final String displayName;
    private final String orgNumber;
    private final String companyName;
    private final String serialPrefix;

    SimulatedVendor(String id, String format, String displayName, String orgNumber, String companyName, String serialPrefix) {
        this.id = id;
        this.format = format;
        this.displayName = displayName;
        this.orgNumber = orgNumber;
        this.companyName = companyName;
        this.serialPrefix = serialPrefix;
    }

    /** The vendor id in topics and in the registry. */
    public String id() {
        return id;
    }

    /** The payload format the hub maps this vendor's messages with. */
    public String format() {
        return format;
    }

    public String displayName() {
        return displayName;
    }

    public String orgNumber() {
        return orgNumber;
    }

    public String companyName() {
        return companyName;
    }

    String serialPrefix() {
        return serialPrefix;
    }
}
