-- Who may see what (security.md): the hub's own database role, the audit log, patient blocks,
-- emergency access (break-the-glass), and what onboarding records besides the registry: consent,
-- pauses, the vendors' OAuth clients.

-- --- The hub's role -------------------------------------------------------------------------
-- Migrations run as the schema's owner; the hub connects as ${hubRole}, which owns nothing and is
-- no superuser, so it can do only what is granted here. Tables created by later migrations get the
-- same grants by default; a table that must stay append-only revokes them, as audit_event does.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${hubRole}') THEN
        RAISE EXCEPTION 'the hub''s database role "${hubRole}" does not exist: create it (CREATE ROLE ${hubRole} LOGIN PASSWORD ...) before migrating (README, Operate)';
    END IF;
    IF '${hubRole}' = current_user THEN
        RAISE EXCEPTION 'the hub must not connect as the schema owner "%": set DB_USER to a role of its own and DB_OWNER_USER to the owner', current_user;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO ${hubRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${hubRole};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${hubRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${hubRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${hubRole};
REVOKE ALL ON flyway_schema_history FROM ${hubRole};

-- Only a table's owner may add partitions to it; the hub keeps month partitions ahead
-- (store/PartitionMaintenance), so the function runs with its owner's rights.
ALTER FUNCTION knutepunkt_ensure_month_partitions(regclass, text, date, int) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION knutepunkt_ensure_month_partitions(regclass, text, date, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION knutepunkt_ensure_month_partitions(regclass, text, date, int) TO ${hubRole};

-- --- Audit log --------------------------------------------------------------------------------
-- Every read and write of patient data, and every refused attempt. Append-only: the hub's role may
-- insert and select, nothing else, and a trigger refuses changes by anyone who is not a superuser
-- disabling it. Each row's hash covers its fields and the previous row's hash (audit/AuditChain),
-- so a row changed or removed through SQL breaks the chain where it was, and the verify operation
-- says so. seq is assigned by the writer under the chain's lock: consecutive, no gaps.
CREATE TABLE audit_event (
    seq                  bigint PRIMARY KEY,
    id                   uuid NOT NULL UNIQUE,
    recorded_at          timestamptz NOT NULL,
    action               text NOT NULL,
    outcome              text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    purpose              text CHECK (purpose IN ('treatment', 'emergency', 'admin', 'own-data', 'operations')),
    -- who
    subject              text,
    person_name          text,
    hpr_number           text,
    organisation_number  text,
    role                 text,
    client_id            text,
    issuer               text,
    -- what
    patient_id           uuid,
    resource_type        text,
    resource_ids         text[] NOT NULL DEFAULT '{}',
    -- where from, and why not (or why, for emergency access)
    entry_point          text NOT NULL,
    source_address       text,
    reason               text,
    emergency_access_id  uuid,
    prev_hash            bytea NOT NULL,
    hash                 bytea NOT NULL
);
CREATE INDEX audit_event_patient ON audit_event (patient_id, seq DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_event_time ON audit_event (recorded_at DESC);
CREATE INDEX audit_event_denied ON audit_event (seq DESC) WHERE outcome = 'denied';

CREATE FUNCTION knutepunkt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION knutepunkt_audit_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION knutepunkt_audit_append_only();
REVOKE ALL ON audit_event FROM ${hubRole};
GRANT SELECT, INSERT ON audit_event TO ${hubRole};

-- A refused attempt an operator has looked at (the audit rows themselves never change).
CREATE TABLE denied_access_review (
    audit_event_id  uuid PRIMARY KEY REFERENCES audit_event (id),
    reviewed_at     timestamptz NOT NULL,
    reviewed_by     text NOT NULL,
    note            text CHECK (length(note) <= 2000)
);

-- --- Patient blocks (sperring) ------------------------------------------------------------------
-- A named clinician (by HPR number) may not see this patient's data, inside the care team and
-- with emergency access alike. Lifted, never deleted: the history is the patient's.
CREATE TABLE patient_block (
    id                 uuid PRIMARY KEY,
    patient_id         uuid NOT NULL REFERENCES patient,
    hpr_number         text NOT NULL CHECK (hpr_number ~ '^[0-9]{1,9}$'),
    note               text CHECK (length(note) <= 500),
    created_at         timestamptz NOT NULL,
    created_by         text NOT NULL,
    created_by_role    text NOT NULL,
    lifted_at          timestamptz,
    lifted_by          text,
    CHECK (lifted_at IS NULL OR lifted_at >= created_at)
);
CREATE UNIQUE INDEX patient_block_active ON patient_block (patient_id, hpr_number) WHERE lifted_at IS NULL;

-- --- Emergency access (break-the-glass) ----------------------------------------------------------
CREATE TABLE emergency_access (
    id                 uuid PRIMARY KEY,
    patient_id         uuid NOT NULL REFERENCES patient,
    subject            text NOT NULL,
    hpr_number         text NOT NULL,
    person_name        text,
    organisation_id    uuid NOT NULL REFERENCES organisation,
    reason             text NOT NULL CHECK (length(btrim(reason)) BETWEEN 10 AND 1000),
    granted_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    reviewed_at        timestamptz,
    reviewed_by        text,
    review_note        text CHECK (length(review_note) <= 2000),
    CHECK (expires_at > granted_at)
);
CREATE INDEX emergency_access_holder ON emergency_access (patient_id, hpr_number, organisation_id, expires_at DESC);
CREATE INDEX emergency_access_unreviewed ON emergency_access (granted_at) WHERE reviewed_at IS NULL;

-- --- Onboarding ---------------------------------------------------------------------------------
-- Consent to digital home follow-up: who gave it (the patient, or a representative), when, to
-- what, and where the signed or recorded consent is kept (document reference).
CREATE TABLE consent (
    id                   uuid PRIMARY KEY,
    enrollment_id        uuid NOT NULL REFERENCES enrollment,
    patient_id           uuid NOT NULL REFERENCES patient,
    scope                text NOT NULL CHECK (scope IN ('home-follow-up', 'record-sharing')),
    given_by             text NOT NULL CHECK (given_by IN ('patient', 'representative')),
    representative_name  text CHECK (length(representative_name) <= 200),
    form                 text NOT NULL CHECK (form IN ('written', 'verbal', 'digital')),
    given_at             timestamptz NOT NULL,
    document_reference   text NOT NULL CHECK (length(btrim(document_reference)) BETWEEN 1 AND 500),
    recorded_at          timestamptz NOT NULL,
    recorded_by          text NOT NULL,
    withdrawn_at         timestamptz,
    CHECK (given_by = 'patient' OR representative_name IS NOT NULL),
    CHECK (withdrawn_at IS NULL OR withdrawn_at >= given_at)
);
CREATE INDEX consent_enrollment ON consent (enrollment_id);
CREATE INDEX consent_patient ON consent (patient_id);

-- A pause of follow-up (a hospital admission, say): readings keep arriving and are stored, marked
-- as taken during a pause (reading.paused), and alerting skips them.
CREATE TABLE enrollment_pause (
    id             uuid PRIMARY KEY,
    enrollment_id  uuid NOT NULL REFERENCES enrollment,
    paused_from    timestamptz NOT NULL,
    paused_to      timestamptz,
    reason         text NOT NULL CHECK (reason IN ('hospital-admission', 'travel', 'other')),
    note           text CHECK (length(note) <= 500),
    created_at     timestamptz NOT NULL,
    created_by     text NOT NULL,
    CHECK (paused_to IS NULL OR paused_to > paused_from),
    CONSTRAINT enrollment_pause_no_overlap
        EXCLUDE USING gist (enrollment_id WITH =, tstzrange(paused_from, paused_to, '[)') WITH &&)
);
CREATE INDEX enrollment_pause_enrollment ON enrollment_pause (enrollment_id, paused_from);

ALTER TABLE reading ADD COLUMN paused boolean NOT NULL DEFAULT false;

-- A vendor's HTTPS intake authenticates with an OAuth client (client credentials); this says whose.
ALTER TABLE vendor ADD COLUMN oauth_client_id text UNIQUE CHECK (length(oauth_client_id) BETWEEN 1 AND 200);

-- Who follows whom is asked on every read of patient data.
CREATE INDEX enrollment_care_team_organisation ON enrollment_care_team (organisation_id, enrollment_id);
CREATE INDEX enrollment_responsible ON enrollment (responsible_organisation_id);
