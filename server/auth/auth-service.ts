import type { PrismaClient } from '../db/database.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export interface AuthUser {
  id: string;
  email: string;
  timeZone: string;
}

export type SignupOutcome = { kind: 'created'; user: AuthUser; token: string } | { kind: 'email_taken' };
export type LoginOutcome = { kind: 'ok'; user: AuthUser; token: string } | { kind: 'invalid_credentials' };

const toUser = (u: { id: string; email: string; timeZone: string }): AuthUser => ({ id: u.id, email: u.email, timeZone: u.timeZone });

export class AuthService {
  constructor(private readonly prisma: PrismaClient) {}

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
    const token = newToken();
    await this.prisma.loginSession.create({ data: { userId, tokenHash: hashToken(token), deviceName: deviceName.slice(0, 120) } });
    return token;
  }

  async userForToken(token: string): Promise<(AuthUser & { loginId: string; deviceName: string }) | undefined> {
    const login = await this.prisma.loginSession.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
    if (!login || login.revokedAt) return undefined;
    return { ...toUser(login.user), loginId: login.id, deviceName: login.deviceName };
  }

  async setTimeZone(userId: string, timeZone: string): Promise<AuthUser> {
    return toUser(await this.prisma.user.update({ where: { id: userId }, data: { timeZone } }));
  }

  async logout(token: string): Promise<void> {
    await this.prisma.loginSession.updateMany({ where: { tokenHash: hashToken(token), revokedAt: null }, data: { revokedAt: new Date() } });
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$rkdbG4L99MII9tNO4IoyoA$tPZIW5kne2hucpgMjGF7bNXJxWGJPg8ZuiBM+Hyk/U4';
