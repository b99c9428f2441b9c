-- AlterTable: a stream's stored bytes, kept by every write, so a quota check reads one row per stream instead of every entry.
ALTER TABLE "DsStream" ADD COLUMN     "bytes" BIGINT NOT NULL DEFAULT 0;

-- Existing streams: what they hold now.
UPDATE "DsStream" s SET "bytes" = COALESCE((SELECT sum(octet_length(e.data)) FROM "DsEntry" e WHERE e."streamId" = s.id), 0);
