-- Finding every connection with ticket lookups waiting, at start, without reading every
-- delivery. Portable like 0001.
CREATE INDEX deliveries_pending ON deliveries (outcome, tenant_id, psa);
