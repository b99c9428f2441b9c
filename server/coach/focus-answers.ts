// Short answers to questions people ask back ("what is a big rock?"), then the pending
// question again. Never saved as plan content.

import type { Step } from './questions.ts';
import type { FocusTopic } from './read/understand.ts';

export const ENGLISH_ONLY =
  'Sorry — the built-in coach understands English only, so I saved nothing from that message. To plan in your own language, run the app with an LLM: set OPENAI_API_KEY (and OPENAI_BASE_URL and OPENAI_MODEL for any OpenAI-compatible server, e.g. a local Ollama) and restart. Or answer in English and we carry on.';

const ANSWERS: Record<FocusTopic, string> = {
  rock: 'A big rock is an outcome that would make this week a win — “ship the pricing page”, not “work on stuff”. Rocks go in the calendar first; email, admin and meetings (pebbles and sand) fit around them. Three to five is plenty.',
  focus: 'FOCUS is the method we follow: Find your priorities, Optimise your environment, Commit to deep work, Unplug and recharge, Simplify and reflect (the Friday review).',
  unplug: 'Unplugging means time away from screens and work on purpose — a walk, the gym, a screen-free lunch, an evening off. It’s what keeps the deep work deep.',
  deep_work: 'Deep work is a protected block of at least 45 minutes on one rock: no email, no chat, phone away.',
  minutes: 'Why at least 45 minutes: it takes 15–20 minutes to get past the warm-up into real focus, so shorter blocks rarely produce deep work. If 45 won’t happen this week, say “not deep work” or “skip”.',
  environment: 'Environment changes are small tweaks that make focus the easy choice: phone in another room, notifications off, a closed door, headphones. One to three is enough.',
  vision: 'The 12-month vision is what you’d celebrate a year from now — at work, for yourself and in your relationships. It’s the “why” behind each week’s rocks. A sentence per part is plenty, and you can skip it.',
  review: 'The Friday review is 30 minutes to close the week: what happened to each rock, where your time went, what to drop. It makes next week’s plan honest.',
  sand: 'Pebbles and sand are everything that isn’t a rock — email, admin, meetings, errands. They fill the gaps around the rocks.',
  recovery: 'Recovery is rest on purpose: breaks, exercise, time off. Booking it makes it real, and a micro-break every 60–90 minutes keeps focus fresh.',
  why: 'Because a plan that starts with what matters most — and protects time for it — gets those things done; everything else fits around it.',
  general: 'I’m your weekly planning coach: we pick 3–5 big rocks, protect time for them, plan recovery, and review on Friday. Ask about any of those.',
};

const TOPIC_FOR_STEP: Partial<Record<Step['id'], FocusTopic>> = {
  'vision.work': 'vision',
  'vision.self': 'vision',
  'vision.relationships': 'vision',
  rocks: 'rock',
  'rocks.more': 'rock',
  environment: 'environment',
  deep_work: 'deep_work',
  recovery: 'unplug',
  review_time: 'review',
};

export function answerQuestion(topic: FocusTopic, step: Step | null): string {
  const t = topic === 'general' && step ? (TOPIC_FOR_STEP[step.id] ?? 'general') : topic;
  return ANSWERS[t];
}
