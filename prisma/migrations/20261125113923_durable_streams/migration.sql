-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DsStream" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "ttlSeconds" INTEGER,
    "expiresAt" TIMESTAMPTZ(3),
    "touchedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tailSeq" INTEGER NOT NULL DEFAULT 0,
    "closed" BOOLEAN NOT NULL DEFAULT false,
    "lastStreamSeq" TEXT,
    "producers" JSONB NOT NULL DEFAULT '{}',
    "forkedFromId" TEXT,
    "forkSourcePath" TEXT,
    "forkSeq" INTEGER,
    "forkSubOffset" INTEGER,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DsStream_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DsEntry" (
    "streamId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "messages" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "DsEntry_pkey" PRIMARY KEY ("streamId","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- CreateIndex
CREATE INDEX "DsStream_forkedFromId_idx" ON "DsStream"("forkedFromId");

-- CreateIndex
CREATE UNIQUE INDEX "DsStream_ownerId_path_key" ON "DsStream"("ownerId", "path");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DsStream" ADD CONSTRAINT "DsStream_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DsStream" ADD CONSTRAINT "DsStream_forkedFromId_fkey" FOREIGN KEY ("forkedFromId") REFERENCES "DsStream"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DsEntry" ADD CONSTRAINT "DsEntry_streamId_fkey" FOREIGN KEY ("streamId") REFERENCES "DsStream"("id") ON DELETE CASCADE ON UPDATE CASCADE;
