-- Plugin PSAs: a connection per (tenant, PSA) with its credentials as one sealed document, and
-- the PSA of every event, delivery and clean-up. Rows written before keep working: their
-- credentials columns stay until psa-hub (which holds the master key) turns them into the one
-- document at start (see `Store::upgrade_legacy`). Portable like 0001.

CREATE TABLE connections_v3 (
    tenant_id               TEXT NOT NULL REFERENCES tenants (tenant_id),
    psa                     TEXT NOT NULL,
    -- Who owns the webhook in the PSA (another owner means a new webhook).
    owner                   TEXT,
    -- What the status shows of the connection (JSON object, never secret).
    public_json             TEXT,
    credentials_sealed      TEXT,
    -- Before 0003: the API user's columns, emptied once converted.
    username                TEXT,
    secret_sealed           TEXT,
    integration_code_sealed TEXT,
    notification_email      TEXT,
    hook_token              TEXT NOT NULL UNIQUE,
    webhook_secret_sealed   TEXT NOT NULL,
    state                   TEXT NOT NULL,
    webhook_id              BIGINT,
    webhook_guid            TEXT,
    zone                    TEXT,
    last_error_code         TEXT,
    last_error_message      TEXT,
    last_error_fix          TEXT,
    last_delivery_at        BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    credentials_version     BIGINT NOT NULL DEFAULT 0,
    failing_since           BIGINT,
    last_check_at           BIGINT,
    last_repair_at          BIGINT,
    last_repair             TEXT,
    PRIMARY KEY (tenant_id, psa)
);
INSERT INTO connections_v3 (tenant_id, psa, username, secret_sealed, integration_code_sealed,
    notification_email, hook_token, webhook_secret_sealed, state, webhook_id, webhook_guid, zone,
    last_error_code, last_error_message, last_error_fix, last_delivery_at, created_at,
    updated_at, credentials_version, failing_since, last_check_at, last_repair_at, last_repair)
SELECT tenant_id, psa, username, secret_sealed, integration_code_sealed, notification_email,
    hook_token, webhook_secret_sealed, state, webhook_id, webhook_guid, zone, last_error_code,
    last_error_message, last_error_fix, last_delivery_at, created_at, updated_at,
    credentials_version, failing_since, last_check_at, last_repair_at, last_repair
FROM connections;
DROP TABLE connections;
ALTER TABLE connections_v3 RENAME TO connections;

-- Callouts per (tenant, PSA); before 0003 a tenant had at most one connection, whose PSA their
-- callouts came from ('' when that connection is gone: no new callout can match them).
CREATE TABLE deliveries_v3 (
    tenant_id          TEXT NOT NULL,
    psa                TEXT NOT NULL,
    dedupe_key         TEXT NOT NULL,
    ticket_id          BIGINT NOT NULL,
    action             TEXT NOT NULL,
    completed          BIGINT NOT NULL,
    resolution         TEXT,
    completed_at       BIGINT,
    ticket_created_at  BIGINT,
    received_at        BIGINT NOT NULL,
    outcome            TEXT NOT NULL,
    webhook_guid       TEXT,
    sequence_number    BIGINT,
    event_time         BIGINT,
    PRIMARY KEY (tenant_id, psa, dedupe_key)
);
INSERT INTO deliveries_v3 (tenant_id, psa, dedupe_key, ticket_id, action, completed, resolution,
    completed_at, ticket_created_at, received_at, outcome, webhook_guid, sequence_number,
    event_time)
SELECT d.tenant_id,
    COALESCE((SELECT c.psa FROM connections c WHERE c.tenant_id = d.tenant_id), ''),
    d.dedupe_key, d.ticket_id, d.action, d.completed, d.resolution, d.completed_at,
    d.ticket_created_at, d.received_at, d.outcome, d.webhook_guid, d.sequence_number,
    d.event_time
FROM deliveries d;
DROP TABLE deliveries;
ALTER TABLE deliveries_v3 RENAME TO deliveries;
CREATE INDEX deliveries_by_ticket ON deliveries (tenant_id, psa, ticket_id);
CREATE INDEX deliveries_by_age ON deliveries (received_at);
-- Callouts that need the ticket read from the PSA before they can close an event.
CREATE INDEX deliveries_by_outcome ON deliveries (tenant_id, psa, outcome);

-- The PSA an event's ticket is in; NULL (events linked before 0003, or while the tenant had no
-- connection) means any of the tenant's PSAs.
ALTER TABLE events ADD COLUMN psa TEXT;
UPDATE events SET psa = (SELECT c.psa FROM connections c WHERE c.tenant_id = events.tenant_id);

CREATE TABLE webhook_cleanups_v3 (
    tenant_id               TEXT NOT NULL REFERENCES tenants (tenant_id),
    psa                     TEXT NOT NULL,
    owner                   TEXT,
    credentials_sealed      TEXT,
    username                TEXT,
    secret_sealed           TEXT,
    integration_code_sealed TEXT,
    webhook_id              BIGINT NOT NULL,
    hook_token              TEXT NOT NULL,
    attempts                BIGINT NOT NULL,
    gave_up                 BIGINT NOT NULL,
    last_error_code         TEXT,
    last_error_message      TEXT,
    created_at              BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, psa, hook_token, webhook_id)
);
INSERT INTO webhook_cleanups_v3 (tenant_id, psa, username, secret_sealed,
    integration_code_sealed, webhook_id, hook_token, attempts, gave_up, last_error_code,
    last_error_message, created_at)
SELECT w.tenant_id,
    COALESCE((SELECT c.psa FROM connections c WHERE c.tenant_id = w.tenant_id), ''),
    w.username, w.secret_sealed, w.integration_code_sealed, w.webhook_id, w.hook_token,
    w.attempts, w.gave_up, w.last_error_code, w.last_error_message, w.created_at
FROM webhook_cleanups w;
DROP TABLE webhook_cleanups;
ALTER TABLE webhook_cleanups_v3 RENAME TO webhook_cleanups;
