-- The registry a reading is routed by: who measures (patient), with what (device, vendor),
-- followed up by whom (enrollment, organisations), and when a device was whose (assignment).

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE organisation (
    id          uuid PRIMARY KEY,
    org_number  char(9) NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('municipality', 'gp-practice', 'hospital', 'vendor', 'other')),
    her_id      text,
    resh_id     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE patient (
    id                 uuid PRIMARY KEY,
    identifier_system  text NOT NULL CHECK (identifier_system IN ('fnr', 'dnr')),
    identifier         char(11) NOT NULL UNIQUE,
    given_name         text NOT NULL,
    family_name        text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vendor (
    id               text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
    name             text NOT NULL,
    format           text NOT NULL CHECK (format ~ '^[a-z0-9-]{1,64}$'),
    organisation_id  uuid REFERENCES organisation,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE device (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fhir_id       uuid NOT NULL UNIQUE,
    vendor_id     text NOT NULL REFERENCES vendor,
    serial        text NOT NULL CHECK (length(serial) BETWEEN 1 AND 200),
    model         text,
    kinds         text[] NOT NULL DEFAULT '{}',
    gateway       boolean NOT NULL DEFAULT false,
    -- A glucose meter's measuring range in mmol/L: what "HI" and "LO" mean for it.
    glucose_high  numeric NOT NULL DEFAULT 33.3,
    glucose_low   numeric NOT NULL DEFAULT 1.1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (vendor_id, serial)
);
-- A serial unknown to its vendor is looked for among other vendors' devices (a foreign device).
CREATE INDEX device_serial ON device (serial);

CREATE TABLE enrollment (
    id                          uuid PRIMARY KEY,
    patient_id                  uuid NOT NULL REFERENCES patient,
    programme                   text NOT NULL CHECK (programme IN ('copd', 'heart-failure', 'hypertension', 'diabetes', 'other')),
    -- "Opprinnelig dataansvarlig virksomhet": the Observation's performer.
    responsible_organisation_id uuid NOT NULL REFERENCES organisation,
    started_at                  timestamptz NOT NULL,
    ended_at                    timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at > started_at)
);
CREATE INDEX enrollment_patient ON enrollment (patient_id);

CREATE TABLE enrollment_care_team (
    enrollment_id    uuid NOT NULL REFERENCES enrollment ON DELETE CASCADE,
    organisation_id  uuid NOT NULL REFERENCES organisation,
    role             text NOT NULL CHECK (role IN ('follow-up-service', 'gp', 'hospital')),
    PRIMARY KEY (enrollment_id, organisation_id)
);

-- Which patient a reading belongs to: the assignment whose period holds its assignment time.
-- A device is never assigned twice at once.
CREATE TABLE device_assignment (
    id             uuid PRIMARY KEY,
    enrollment_id  uuid NOT NULL REFERENCES enrollment,
    device_id      bigint NOT NULL REFERENCES device,
    valid_from     timestamptz NOT NULL,
    valid_to       timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    CONSTRAINT device_assignment_no_overlap
        EXCLUDE USING gist (device_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&)
);
CREATE INDEX device_assignment_enrollment ON device_assignment (enrollment_id);
-- Routing looks up a device's assignments for every batch: a B-tree serves it faster than the
-- exclusion constraint's GiST index.
CREATE INDEX device_assignment_device ON device_assignment (device_id, valid_from);
