-- Reviews: per-connection webhook, requester kind, expiry sweep index.
ALTER TABLE "Connection" ADD COLUMN "reviewWebhookUrl" TEXT;
ALTER TABLE "ReviewRequest" ADD COLUMN "requesterKind" TEXT NOT NULL DEFAULT 'USER';
CREATE INDEX "ReviewRequest_status_expiresAt_idx" ON "ReviewRequest"("status", "expiresAt");
