-- The first schema. Portable on purpose: TEXT and BIGINT only, times as Unix milliseconds,
-- no AUTOINCREMENT/SERIAL, so the same statements run on SQLite and PostgreSQL.

CREATE TABLE tenants (
    tenant_id   TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- One Autotask connection per tenant. Credentials and the webhook secret are sealed with the
-- master key (see hub/src/crypto.rs); the hook token is public by design (it is in the URL).
CREATE TABLE connections (
    tenant_id              TEXT PRIMARY KEY REFERENCES tenants (tenant_id),
    psa                    TEXT NOT NULL,
    username               TEXT NOT NULL,
    secret_sealed          TEXT NOT NULL,
    integration_code_sealed TEXT NOT NULL,
    notification_email     TEXT,
    hook_token             TEXT NOT NULL UNIQUE,
    webhook_secret_sealed  TEXT NOT NULL,
    state                  TEXT NOT NULL,
    webhook_id             BIGINT,
    webhook_guid           TEXT,
    zone                   TEXT,
    last_error_code        TEXT,
    last_error_message     TEXT,
    last_error_fix         TEXT,
    last_delivery_at       BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);

-- Security-alert events linked to the ticket opened for them.
CREATE TABLE events (
    tenant_id          TEXT NOT NULL REFERENCES tenants (tenant_id),
    event_id           TEXT NOT NULL,
    ticket_id          BIGINT NOT NULL,
    ticket_created_at  BIGINT,
    status             TEXT NOT NULL,
    resolution         TEXT,
    closed_at          BIGINT,
    linked_at          BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX events_by_ticket ON events (tenant_id, ticket_id);

-- Every accepted callout, keyed for deduplication (webhook Guid + SequenceNumber, or a hash of
-- the body when either is missing). It is also the audit log, and it lets an event linked after
-- its ticket was already completed be closed at once.
CREATE TABLE deliveries (
    tenant_id          TEXT NOT NULL,
    dedupe_key         TEXT NOT NULL,
    ticket_id          BIGINT NOT NULL,
    action             TEXT NOT NULL,
    completed          BIGINT NOT NULL,
    resolution         TEXT,
    completed_at       BIGINT,
    ticket_created_at  BIGINT,
    received_at        BIGINT NOT NULL,
    outcome            TEXT NOT NULL,
    PRIMARY KEY (tenant_id, dedupe_key)
);
CREATE INDEX deliveries_by_ticket ON deliveries (tenant_id, ticket_id, received_at);
