-- Only user messages carry a clientMessageId (SL5), so streamed deltas, most of the log,
-- leave this unique index. The new index is built before the old one is dropped, so
-- uniqueness holds throughout (an instance of the previous version may still be writing).
-- CreateIndex
CREATE UNIQUE INDEX "Event_sessionId_clientMessageId_partial" ON "Event"("sessionId", "clientMessageId") WHERE ("clientMessageId" IS NOT NULL);

-- DropIndex
DROP INDEX "Event_sessionId_clientMessageId_key";

-- RenameIndex
ALTER INDEX "Event_sessionId_clientMessageId_partial" RENAME TO "Event_sessionId_clientMessageId_key";
