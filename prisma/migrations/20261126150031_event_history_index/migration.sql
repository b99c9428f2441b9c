-- CreateIndex
CREATE INDEX "Event_history_idx" ON "Event"("sessionId", "seq") WHERE (type <> 'assistant.delta');
