-- What the status page reads, kept so that no refresh counts rows of the readings themselves.

-- Recent rates per vendor. Each ingest transaction's tally delta is stamped by its column default
-- (the transaction's start, close enough to its commit for a rate; the writer binds nothing more),
-- and the fold adds the deltas up per minute as it moves them into the totals. A window that
-- starts on a minute boundary therefore counts the same whether a delta is folded yet or not.
ALTER TABLE reading_tally_delta ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE reading_tally_minute (
    minute         timestamptz NOT NULL,
    vendor_id      text NOT NULL,
    received       bigint NOT NULL,
    stored         bigint NOT NULL,
    duplicate      bigint NOT NULL,
    parked         bigint NOT NULL,
    dead_lettered  bigint NOT NULL,
    -- Minute first: the page asks for every vendor's last few minutes.
    PRIMARY KEY (minute, vendor_id)
);

-- When each vendor's latest reading arrived (a quiet vendor is what an operator asks about first).
ALTER TABLE reading_tally ADD COLUMN last_received_at timestamptz;

-- The latest readings are listed patient by patient in name order, a page at a time.
CREATE INDEX patient_name ON patient (family_name, given_name, id);
