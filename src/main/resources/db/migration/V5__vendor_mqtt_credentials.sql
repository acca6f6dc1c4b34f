-- A vendor's broker login (security.md): user name = the vendor id, the secret kept only as a
-- Mosquitto password hash ('$7$', PBKDF2-HMAC-SHA512), so the same value serves the embedded
-- broker's check and a Mosquitto password file. The secret itself is shown once, when issued.
--
-- One active credential per vendor, because a Mosquitto password file holds one password per user:
-- issuing a new one revokes the old one in the same transaction (rotation). Revoked rows are kept,
-- so it stays known which credential was valid when.
--
-- No grants here yet: the hub's own database role arrives with V4 (access and audit). Once it has,
-- the hub role needs SELECT, INSERT and UPDATE on this table (UPDATE only for revoked_at).
CREATE TABLE vendor_mqtt_credential (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id    text NOT NULL REFERENCES vendor,
    secret_hash  text NOT NULL CHECK (secret_hash ~ '^[$]7[$][0-9]+[$][A-Za-z0-9+/=]+[$][A-Za-z0-9+/=]+$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

-- At most one active credential per vendor; also what the broker's login check looks up.
CREATE UNIQUE INDEX vendor_mqtt_credential_active ON vendor_mqtt_credential (vendor_id) WHERE revoked_at IS NULL;
