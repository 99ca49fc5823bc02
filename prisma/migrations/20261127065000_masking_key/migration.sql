-- AlterTable
ALTER TABLE "Connection" ADD COLUMN "maskingKey" BYTEA;
