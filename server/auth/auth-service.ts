import { MAX_DISPLAY_NAME_CHARS, type SessionRole } from '../contract/index.ts';
import type { PrismaClient, SqlExecutor } from '../db/database.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export interface AuthUser {
  id: string;
  email: string;
  timeZone: string;
  /** What others in a shared session see: the chosen name, else the email's local part. */
  displayName: string;
}

export type SignupOutcome = { kind: 'created'; user: AuthUser; token: string } | { kind: 'email_taken' };
export type LoginOutcome = { kind: 'ok'; user: AuthUser; token: string } | { kind: 'invalid_credentials' };


/** The email's local part stands in for a name nobody chose. */
export const displayNameOf = (u: { email: string; displayName: string }): string => u.displayName || u.email.split('@')[0]!.slice(0, MAX_DISPLAY_NAME_CHARS);

const toUser = (u: { id: string; email: string; timeZone: string; displayName: string }): AuthUser => ({
  id: u.id,
  email: u.email,
  timeZone: u.timeZone,
  displayName: displayNameOf(u),
});

export class AuthService {
  constructor(
    private readonly prisma: PrismaClient,
    /** The per-upgrade check runs here as a prepared statement: through Prisma's raw layer it was most of the upgrade's time. */
    private readonly sql: SqlExecutor,
    private readonly log?: { warn(obj: object, msg: string): void },
  ) {}

  /** Logins whose lastSeenAt write is in flight (one at a time per login). */
  private readonly touching = new Set<string>();

  async signup(email: string, password: string, deviceName = '', timeZone = 'UTC'): Promise<SignupOutcome> {
    const normalized = email.trim().toLowerCase();
    const passwordHash = await hashPassword(password);
    try {
      const user = await this.prisma.user.create({ data: { email: normalized, passwordHash, timeZone } });
      return { kind: 'created', user: toUser(user), token: await this.startLogin(user.id, deviceName) };
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return { kind: 'email_taken' };
      throw err;
    }
  }

  async login(email: string, password: string, deviceName = ''): Promise<LoginOutcome> {
    const user = await this.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    // Verify against a dummy hash when the user is unknown so timing does not reveal accounts.
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
    if (!user || !ok) return { kind: 'invalid_credentials' };
    return { kind: 'ok', user: toUser(user), token: await this.startLogin(user.id, deviceName) };
  }

  async startLogin(userId: string, deviceName: string): Promise<string> {
    return (await this.startLoginWithId(userId, deviceName)).token;
  }

  async startLoginWithId(userId: string, deviceName: string): Promise<{ token: string; loginId: string }> {
    const token = newToken();
    const login = await this.prisma.loginSession.create({ data: { userId, tokenHash: hashToken(token), deviceName: deviceName.slice(0, 120) } });
    return { token, loginId: login.id };
  }

  async userForToken(token: string): Promise<(AuthUser & { loginId: string; deviceName: string }) | undefined> {
    // Anything that is not one of our tokens cannot match; skip hashing and the query.
    if (token.length > MAX_TOKEN_CHARS) return undefined;
    // Every request waits on this: one prepared statement (Prisma's include was two queries,
    // and its query engine's CPU showed under a burst of requests).
    const rows = await this.sql.query<{ loginId: string; deviceName: string; lastSeenAt: Date; id: string; email: string; timeZone: string; displayName: string }>(
      `
      SELECT l.id AS "loginId", l."deviceName", l."lastSeenAt", u.id, u.email, u."timeZone", u."displayName"
      FROM "LoginSession" l JOIN "User" u ON u.id = l."userId"
      WHERE l."tokenHash" = $1 AND l."revokedAt" IS NULL`,
      [hashToken(token)],
      'fc_auth',
    );
    const row = rows[0];
    if (!row) return undefined;
    this.touch(row.loginId, new Date(row.lastSeenAt));
    return { ...toUser(row), loginId: row.loginId, deviceName: row.deviceName };
  }

  /**
   * The login and the user's role in `sessionId` (owner, partner, or none), in ONE query:
   * a session socket's upgrade waits on this before its replay starts.
   */
  async userForTokenAndSession(
    token: string,
    sessionId: string,
  ): Promise<{ user: AuthUser & { loginId: string; deviceName: string }; role: SessionRole | null } | undefined> {
    if (token.length > MAX_TOKEN_CHARS) return undefined;
    const rows = await this.sql.query<{ loginId: string; deviceName: string; lastSeenAt: Date; id: string; email: string; timeZone: string; displayName: string; owns: boolean; partner: boolean }>(
      `
      SELECT l.id AS "loginId", l."deviceName", l."lastSeenAt", u.id, u.email, u."timeZone", u."displayName",
        EXISTS (SELECT 1 FROM "Session" s WHERE s.id = $2 AND s."userId" = u.id) AS owns,
        EXISTS (SELECT 1 FROM "SessionPartner" p WHERE p."sessionId" = $2 AND p."userId" = u.id) AS partner
      FROM "LoginSession" l JOIN "User" u ON u.id = l."userId"
      WHERE l."tokenHash" = $1 AND l."revokedAt" IS NULL`,
      [hashToken(token), sessionId],
      'fc_ws_auth',
    );
    const row = rows[0];
    if (!row) return undefined;
    this.touch(row.loginId, new Date(row.lastSeenAt));
    const role: SessionRole | null = row.owns ? 'owner' : row.partner ? 'partner' : null;
    return { user: { ...toUser(row), loginId: row.loginId, deviceName: row.deviceName }, role };
  }

  /**
   * Moves lastSeenAt at most once a minute per device, without the request waiting for it:
   * it is bookkeeping, and a commit waits for the disk — once the disk was busy (another
   * program fsyncing), every request and WebSocket upgrade of a device waited 0.6 s for it.
   */
  private touch(loginId: string, lastSeenAt: Date): void {
    const now = Date.now();
    if (now - lastSeenAt.getTime() < LAST_SEEN_RESOLUTION_MS || this.touching.has(loginId)) return;
    this.touching.add(loginId);
    // The condition keeps other instances (and this one's later requests) from writing it too.
    this.prisma.loginSession
      .updateMany({ where: { id: loginId, lastSeenAt: { lt: new Date(now - LAST_SEEN_RESOLUTION_MS) } }, data: { lastSeenAt: new Date(now) } })
      .catch((err: unknown) => this.log?.warn({ err }, 'could not record when a device was last seen'))
      .finally(() => this.touching.delete(loginId));
  }

  async setTimeZone(userId: string, timeZone: string): Promise<AuthUser> {
    return toUser(await this.prisma.user.update({ where: { id: userId }, data: { timeZone } }));
  }

  async updateProfile(userId: string, changes: { timeZone?: string; displayName?: string }): Promise<AuthUser> {
    return toUser(await this.prisma.user.update({ where: { id: userId }, data: changes }));
  }

  async logout(token: string): Promise<void> {
    await this.prisma.loginSession.updateMany({ where: { tokenHash: hashToken(token), revokedAt: null }, data: { revokedAt: new Date() } });
  }
}

/** lastSeenAt is refreshed at most this often per device. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
const MAX_TOKEN_CHARS = 100;

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$rkdbG4L99MII9tNO4IoyoA$tPZIW5kne2hucpgMjGF7bNXJxWGJPg8ZuiBM+Hyk/U4';
