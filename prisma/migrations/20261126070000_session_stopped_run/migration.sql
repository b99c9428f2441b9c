-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "stoppedRunId" TEXT;
