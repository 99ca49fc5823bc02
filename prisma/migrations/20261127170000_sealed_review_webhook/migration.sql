-- A connection's review webhook URL is stored sealed (AES-256-GCM under AIRLOCK_MASTER_KEY), like
-- its credentials: a URL often carries its own secret. Rows written before this keep the plain
-- column until the control plane starts, seals them, and clears it.
ALTER TABLE "Connection" ADD COLUMN "reviewWebhookSealed" BYTEA;
