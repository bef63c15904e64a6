-- Hardening: credential updates that check nothing changed meanwhile, the periodic webhook
-- check and its repairs, slow retries after a day of failures, durable clean-up of a replaced
-- API user's webhook, delivery ordering and retention. Portable like 0001.

-- Bumped by every change of credentials or notification address; a PUT only writes when the
-- version it read is still current.
ALTER TABLE connections ADD COLUMN credentials_version BIGINT NOT NULL DEFAULT 0;
-- When the current run of failed setups began (NULL while the webhook is fine).
ALTER TABLE connections ADD COLUMN failing_since BIGINT;
-- The last periodic check of the webhook, and the last repair with the drifts it fixed
-- (comma-separated drift names).
ALTER TABLE connections ADD COLUMN last_check_at BIGINT;
ALTER TABLE connections ADD COLUMN last_repair_at BIGINT;
ALTER TABLE connections ADD COLUMN last_repair TEXT;

-- Ordering of callouts about one ticket: per webhook by SequenceNumber, then by event time.
ALTER TABLE deliveries ADD COLUMN webhook_guid TEXT;
ALTER TABLE deliveries ADD COLUMN sequence_number BIGINT;
ALTER TABLE deliveries ADD COLUMN event_time BIGINT;
-- Retention deletes by age.
CREATE INDEX deliveries_by_age ON deliveries (received_at);

-- Webhooks that belonged to a connection's previous API user (or to a setup whose credentials
-- were replaced while it ran), to delete with that user's credentials. Kept until Autotask
-- confirms the deletion, so it survives restarts; `gave_up` marks one that can only be deleted
-- by hand (the old credentials are refused).
CREATE TABLE webhook_cleanups (
    tenant_id               TEXT NOT NULL REFERENCES tenants (tenant_id),
    username                TEXT NOT NULL,
    webhook_id              BIGINT NOT NULL,
    hook_token              TEXT NOT NULL,
    secret_sealed           TEXT NOT NULL,
    integration_code_sealed TEXT NOT NULL,
    attempts                BIGINT NOT NULL,
    gave_up                 BIGINT NOT NULL,
    last_error_code         TEXT,
    last_error_message      TEXT,
    created_at              BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, username, webhook_id)
);
