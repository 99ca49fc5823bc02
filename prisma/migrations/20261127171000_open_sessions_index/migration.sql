-- The lost-session sweep looks for sessions still open that started before a cutoff, every minute;
-- almost every session has ended, so only the open ones are indexed. (A partial index: Prisma's
-- schema cannot declare one, and `prisma migrate deploy` applies it as written.)
CREATE INDEX "Session_open_startedAt_idx" ON "Session" ("startedAt") WHERE "endedAt" IS NULL;
