import webpush from 'web-push';
import type { PrismaClient } from '../db/database.ts';

export interface VapidKeyPair {
  publicKey: string;
  privateKey: string;
}

/**
 * The server's VAPID key pair: made on first run and kept in the database, so every
 * instance signs with the same key and browsers' subscriptions survive restarts.
 * Concurrent first starts race on the fixed primary key; the loser reads the winner's.
 */
export async function loadVapidKeys(prisma: PrismaClient): Promise<VapidKeyPair> {
  const existing = await prisma.vapidKeys.findUnique({ where: { id: 1 } });
  if (existing) return { publicKey: existing.publicKey, privateKey: existing.privateKey };
  const fresh = webpush.generateVAPIDKeys();
  await prisma.vapidKeys.createMany({ data: [{ id: 1, publicKey: fresh.publicKey, privateKey: fresh.privateKey }], skipDuplicates: true });
  const row = await prisma.vapidKeys.findUniqueOrThrow({ where: { id: 1 } });
  return { publicKey: row.publicKey, privateKey: row.privateKey };
}
