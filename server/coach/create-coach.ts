import type { Agent } from '../agent/port.ts';
import { createDemoAgent } from '../agent/demo-agent.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createOpenAiProvider } from '../llm/openai-provider.ts';
import type { PlanStore } from '../plan/store.ts';
import { createPlanToolbox } from '../plan/tools.ts';
import { createLlmCoach } from './llm-coach.ts';
import { createOfflineCoach } from './offline-coach.ts';
import { resolveSessionWeek, userTimeZone } from './session-week.ts';

/** Picks the coach from config: OpenAI-compatible when a key is set (or COACH=openai), else the offline coach. */
export function createCoach(config: Config, deps: { db: Database; plans: PlanStore; logger: { error(obj: object, msg: string): void }; now?: () => Date }): Agent {
  const { db, plans } = deps;
  const tools = createPlanToolbox(plans, { now: deps.now });
  const mode = config.coach === 'auto' ? (config.openai.apiKey ? 'openai' : 'offline') : config.coach;
  if (mode === 'demo') return createDemoAgent({ paceMs: config.coachPaceMs });
  if (mode === 'openai') {
    return createLlmCoach({
      provider: createOpenAiProvider({
        apiKey: config.openai.apiKey!,
        baseUrl: config.openai.baseUrl,
        model: config.openai.model,
        timeoutMs: config.openai.timeoutMs,
      }),
      tools,
      logger: deps.logger,
      async weekFor(userId, sessionId) {
        const w = await resolveSessionWeek(db, sessionId);
        return w ?? { weekKey: '', timeZone: await userTimeZone(db.prisma, userId) };
      },
      loadPlan: (userId, weekKey, timeZone) => plans.getWeek(userId, weekKey, timeZone),
      kindFor: async (sessionId) => (await resolveSessionWeek(db, sessionId))?.kind ?? 'plan',
      now: deps.now,
    });
  }
  return createOfflineCoach({
    tools,
    store: plans,
    paceMs: config.coachPaceMs,
    now: deps.now,
    timeZoneFor: (userId) => userTimeZone(db.prisma, userId),
    sessionFor: async (turn) => {
      const w = await resolveSessionWeek(db, turn.sessionId);
      return w ? { kind: w.kind, weekKey: w.weekKey } : undefined;
    },
    pinWeek: async (sessionId, weekKey) => {
      await db.prisma.session.updateMany({ where: { id: sessionId }, data: { weekKey } });
    },
  });
}
