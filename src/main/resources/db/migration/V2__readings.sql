-- What arrives and what it becomes. One ingest transaction writes a batch of messages into these
-- tables together, so every outcome is durable before the message is acknowledged.

-- Month partitions for the time-partitioned tables when TimescaleDB is absent. A month with rows
-- already in the DEFAULT partition is left alone (creating it would fail); those rows stay there.
CREATE FUNCTION knutepunkt_ensure_month_partitions(parent regclass, time_column text, first_month date, months int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    created int := 0;
    lower_bound timestamptz;
    upper_bound timestamptz;
    part text;
    has_default_rows boolean;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        lower_bound := make_timestamptz(extract(year FROM first_month + make_interval(months => i))::int,
                                        extract(month FROM first_month + make_interval(months => i))::int, 1, 0, 0, 0, 'UTC');
        upper_bound := lower_bound + interval '1 month';
        part := format('%s_p%s', parent::text, to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY_MM'));
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s_default WHERE %I >= $1 AND %I < $2)', parent::text, time_column, time_column)
            INTO has_default_rows USING lower_bound, upper_bound;
        CONTINUE WHEN has_default_rows;
        EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', part, parent::text, lower_bound, upper_bound);
        created := created + 1;
    END LOOP;
    RETURN created;
END $$;

-- Creates a time-series table: a hypertable when TimescaleDB is loaded, else range-partitioned by month.
CREATE FUNCTION knutepunkt_create_time_series(name text, columns text, time_column text, chunk interval)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        EXECUTE format('CREATE TABLE %I (%s)', name, columns);
        PERFORM create_hypertable(name::regclass, time_column, chunk_time_interval => chunk);
    ELSE
        EXECUTE format('CREATE TABLE %I (%s) PARTITION BY RANGE (%I)', name, columns, time_column);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', name || '_default', name);
        PERFORM knutepunkt_ensure_month_partitions(name::regclass, time_column,
            (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date, 16);
    END IF;
END $$;

DO $$
BEGIN
    -- Detected, never required: only when the server preloads TimescaleDB can the extension be created.
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
       AND current_setting('shared_preload_libraries', true) LIKE '%timescaledb%' THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
    END IF;
END $$;

-- Every message as it arrived, with the receipt it got: the raw record and the per-vendor receipts.
SELECT knutepunkt_create_time_series('inbound_message', $cols$
    id               uuid NOT NULL,
    received_at      timestamptz NOT NULL,
    transport        text NOT NULL,
    vendor_id        text NOT NULL,
    topic_device_id  text NOT NULL,
    message_id       text,
    payload          bytea NOT NULL,
    status           text NOT NULL,
    receipt          text NOT NULL,
    PRIMARY KEY (id, received_at)
$cols$, 'received_at', interval '1 day');
CREATE INDEX inbound_message_vendor ON inbound_message (vendor_id, message_id);

-- One row per reading that was not refused: its identity (both duplicate keys), its state, and
-- when stored its FHIR Observation. Not partitioned, because a unique constraint on a partitioned
-- table must include the time column and the identifier key must hold whatever the time.
CREATE TABLE reading (
    id                  uuid PRIMARY KEY,
    vendor_id           text NOT NULL,
    identifier          text NOT NULL,
    device_serial       text NOT NULL,
    loinc               text NOT NULL,
    effective           timestamptz NOT NULL,
    -- The effective instant (UTC milliseconds) and converted values, for the content half of the
    -- duplicate rule; null for a bad device clock, which is deduplicated on its identifier only.
    content_key         text,
    kind                text NOT NULL,
    state               text NOT NULL CHECK (state IN ('stored', 'parked')),
    received_at         timestamptz NOT NULL,
    inbound_message_id  uuid NOT NULL,
    -- No foreign keys on this, the busiest table: they cost a quarter of each insert. The ids come
    -- from routing in the same transaction, under the device's lock; the registry deletes nothing,
    -- and erasing a patient (a later capability) removes the readings first.
    device_id           bigint,
    patient_id          uuid,
    enrollment_id       uuid,
    -- The FHIR R4 Observation (JSON) once stored; never queried inside, so kept as text.
    observation         text,
    -- The validated reading (JSON) while parked, to build its Observation once it can be routed.
    parked_reading      text,
    parked_reason       text,
    CONSTRAINT reading_identifier UNIQUE (vendor_id, identifier),
    CONSTRAINT reading_content UNIQUE (vendor_id, device_serial, loinc, content_key),
    CHECK (state = 'parked' OR (patient_id IS NOT NULL AND observation IS NOT NULL))
);
CREATE INDEX reading_patient ON reading (patient_id, kind, effective DESC) WHERE state = 'stored';
CREATE INDEX reading_parked ON reading (vendor_id, device_serial, effective) WHERE state = 'parked';

-- The time series: one row per value (a blood-pressure panel has two or three).
SELECT knutepunkt_create_time_series('measurement', $cols$
    time            timestamptz NOT NULL,
    patient_id      uuid NOT NULL,
    device_id       bigint NOT NULL,
    loinc           text NOT NULL,
    value           numeric NOT NULL,
    comparator      text,
    unit            text NOT NULL,
    observation_id  uuid NOT NULL
$cols$, 'time', interval '7 days');
CREATE INDEX measurement_patient ON measurement (patient_id, loinc, time DESC);

-- Refused readings (or unreadable messages), one row per reading key with why. The raw bytes are
-- the message's, stored once in inbound_message (a batch of a thousand bad readings must not copy
-- its 64 KiB a thousand times); dead_letter_raw shows each dead letter with them.
CREATE TABLE dead_letter (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inbound_message_id  uuid NOT NULL,
    received_at         timestamptz NOT NULL,
    vendor_id           text NOT NULL,
    topic_device_id     text NOT NULL,
    reading_key         text,
    reason_code         text NOT NULL,
    reason              text NOT NULL
);
CREATE INDEX dead_letter_vendor ON dead_letter (vendor_id, received_at DESC);
CREATE VIEW dead_letter_raw AS
    SELECT d.id, d.inbound_message_id, d.received_at, d.vendor_id, d.topic_device_id, d.reading_key, d.reason_code, d.reason,
           m.transport, m.message_id, m.payload
      FROM dead_letter d
      JOIN inbound_message m ON m.id = d.inbound_message_id AND m.received_at = d.received_at;

-- received = stored + duplicate + parked + dead_lettered, per vendor. Each ingest transaction
-- appends one delta row per vendor (no row is contended by concurrent writers); a job folds
-- deltas into the totals. The balance holds in every committed state.
CREATE TABLE reading_tally (
    vendor_id      text PRIMARY KEY,
    received       bigint NOT NULL DEFAULT 0,
    stored         bigint NOT NULL DEFAULT 0,
    duplicate      bigint NOT NULL DEFAULT 0,
    parked         bigint NOT NULL DEFAULT 0,
    dead_lettered  bigint NOT NULL DEFAULT 0
);
CREATE TABLE reading_tally_delta (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id      text NOT NULL,
    received       bigint NOT NULL,
    stored         bigint NOT NULL,
    duplicate      bigint NOT NULL,
    parked         bigint NOT NULL,
    dead_lettered  bigint NOT NULL
);
