package no.knutepunkt.store;

/** What one transaction adds to a vendor's counts; received always equals the sum of the others. */
public record TallyDelta(long received, long stored, long duplicate, long parked, long deadLettered) {

    public static final TallyDelta ZERO = new TallyDelta(0, 0, 0, 0, 0);

    public TallyDelta plus(TallyDelta o) {
        return new TallyDelta(received + o.received, stored + o.stored, duplicate + o.duplicate, parked + o.parked,
                deadLettered + o.deadLettered);
    }

    public boolean isZero() {
        return equals(ZERO);
    }

    public boolean balances() {
        return received == stored + duplicate + parked + deadLettered;
    }
}
