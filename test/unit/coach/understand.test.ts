import { describe, expect, it } from 'vitest';
import { isDeclined, readList, readVision, understand } from '../../../server/coach/read/understand.ts';

const read = (text: string, pending: string | null = 'rocks', rockTitles: string[] = []) => understand(text, { pending, rockTitles });

describe('understanding one message (issue 10 inputs)', () => {
  it.each([
    ['what is a big rock?', 'question'],
    ['sorry what is a big rock??', 'question'],
    ['what do you mean by unplug?', 'question'],
    ['why 45 minutes?', 'question'],
    ['what is FOCUS?', 'question'],
    ['idk', 'skip'],
    ['i dont know', 'skip'],
    ['skip', 'skip'],
    ['ok english. skip', 'skip'],
    ['yes', 'yes'],
    ['no', 'no'],
    ["that's all", 'no'],
    ['yes two is enough', 'no'],
    ['back', 'back'],
    ['no, I said tue and thu only', 'correction'],
    ['make thursday 10-12 instead', 'correction'],
    ["wait that's wrong", 'correction'],
    ['no thats it', 'no'],
    ['hey can we plan NEXT week?', 'week'],
    ['plan next week', 'week'],
    ['Donnerstag 9 bis 11 Uhr', 'other_language'],
    ['überspringen', 'other_language'],
    ['nein', 'other_language'],
    ['45 min blocks arent happening', 'chitchat'],
    ['thanks!', 'chitchat'],
    ['hire a designer', 'answer'],
    ['hike route planning', 'answer'],
    ['tue and thu 8-10', 'answer'],
    ['can i do it saturday at noon instead, i work friday night', 'answer'],
    ['could we do thu 2-4?', 'answer'],
    ['k. desk facing the wall', 'answer'],
    ['ok sounds good', 'yes'],
    ['yes please, book it', 'yes'],
    ['hmm how do rocks relate to recovery?', 'question'],
    ['hey can we plan next week? rocks are ship v2, write the docs, record onboarding videos', 'answer'],
    ['hi how are you doing today', 'chitchat'],
    ['idk maybe finish my portfolio?', 'answer'],
    ['not sure... thursday 10ish to 12', 'answer'],
    ['dunno, maybe work from the library?', 'answer'],
    ["i don't know yet", 'skip'],
    ['idk tbh', 'skip'],
    ['hmm and apply to 3 jobs i guess', 'answer'],
    ['ugh this is a lot', 'chitchat'],
    ['no phone before 10', 'answer'],
    ['no, tue 9-11', 'answer'],
    ["no, that's all for now", 'no'],
    ['nope, nothing this week', 'no'],
    ['oops i meant 2-4 not 9-11', 'correction'],
    ['my bad, i meant thursday', 'correction'],
    ['can i skip this?', 'skip'],
    ["let's move on", 'skip'],
    ["i'm not sure what you mean", 'question'],
    ['no changes', 'no'],
    ['nothing, my setup is fine', 'no'],
    ['i already have a good setup', 'no'],
    ['sure thing', 'yes'],
    ['how about thu 2-4?', 'answer'],
    ["that one doesn't need deep work", 'skip'],
    ['no time for that this week', 'skip'],
    ['not this one', 'skip'],
    ['later, like 5:30', 'answer'],
    ['later', 'skip'],
    ['no review', 'skip'],
    ["i don't do reviews", 'skip'],
    ['sure, 4 is fine', 'answer'],
    ['no slack, no email before 11', 'answer'],
    ['actually no, make it wednesday', 'correction'],
    ['nah i\'m good', 'no'],
  ])('%s → %s', (text, intent) => {
    expect(read(text).intent).toBe(intent);
  });

  it('reads edit commands', () => {
    expect(read('ok fair. drop the figma thing and the portfolio, those can wait').edit).toEqual({ op: 'drop_rocks', names: ['figma', 'portfolio'] });
    expect(read('move the launch brief block from wed 2-4pm to thu 1-3pm', null).edit).toEqual({ op: 'move_block', target: 'launch brief block from wed 2-4pm', to: 'thu 1-3pm' });
    expect(read('delete the tue block', null).edit).toMatchObject({ op: 'delete_block' });
    expect(read('rename write blog post to publish the blog post', null, ['Write blog post']).edit).toEqual({ op: 'rename_rock', name: 'write blog post', to: 'Publish the blog post' });
    expect(read('ship release 2.1 is done', null).edit).toEqual({ op: 'done_rocks', names: ['ship release 2.1'] });
    expect(read('add a walk sun 4-6pm', null).edit).toMatchObject({ op: 'add_block', kind: 'recovery' });
    expect(read('add a rock: submit travel reimbursement', null).edit).toEqual({ op: 'add_rocks', titles: ['Submit travel reimbursement'] });
    expect(read('make the website block 2-5', null).edit).toEqual({ op: 'move_block', target: 'website block', to: '2-5' });
    expect(read('delete the saturday recovery', null).edit).toEqual({ op: 'delete_block', target: 'saturday recovery' });
    expect(read('remove the tue block', null).edit).toEqual({ op: 'delete_block', target: 'tue' });
    // Relative days name the day they mean (today is Tuesday).
    expect(understand("i can't do the gym tomorrow", { pending: null, today: 1, rockTitles: [] }).edit).toEqual({ op: 'delete_block', target: 'the gym wednesday' });
    expect(read('push the hiring block to friday', null).edit).toEqual({ op: 'move_block', target: 'hiring block', to: 'friday' });
    expect(read('cancel saturday', null).edit).toEqual({ op: 'delete_block', target: 'saturday' });
    expect(read('oh and one more rock: renew my passport', 'environment').edit).toEqual({ op: 'add_rocks', titles: ['Renew my passport'] });
    // "instead" to a suggested time picks another one; elsewhere it corrects the last answer.
    expect(read('can we do 3pm instead', 'review_time').intent).toBe('answer');
    expect(read('make thursday 10-12 instead', 'deep_work').intent).toBe('correction');
  });

  it('reads lists the way people type them: run-ons, asides, changes of mind', () => {
    expect(readList('so this week theres a lot going on tbh, i need to finsh the payment screen mockups and also i should realy get the api docs reviewed with sam and then prep the sprint demo')).toEqual([
      'Finsh the payment screen mockups',
      'Get the api docs reviewed with sam',
      'Prep the sprint demo',
    ]);
    expect(readList('write the Q4 report, fix the onboarding bug, no wait not the bug, plan the offsite')).toEqual(['Write the Q4 report', 'Plan the offsite']);
    expect(readList('deck, report, scratch that, hiring')).toEqual(['Deck', 'Hiring']);
    expect(readList('a launch, b review, no wait c plan')).toEqual(['A launch', 'C plan']);
    expect(readList('env: dnd, door shut')).toEqual(['Dnd', 'Door shut']);
    expect(readList('k. desk facing the wall')).toEqual(['Desk facing the wall']);
    expect(readList('my top 3: close the Q4 hiring plan; finalize the vendor contract; prep for perf reviews')).toEqual(['Close the Q4 hiring plan', 'Finalize the vendor contract', 'Prep for perf reviews']);
    expect(readList('idk maybe finish my portfolio?')).toEqual(['Finish my portfolio']);
    expect(readList('dunno, maybe work from the library?')).toEqual(['Work from the library']);
    expect(readList('finish thesis ch. 2, prep TA sessions, apply for the grant (due fri)')).toEqual(['Finish thesis ch. 2', 'Prep TA sessions', 'Apply for the grant']);
    expect(readList("get the kids' passports renewed, finalise the budget & send it to Tom")).toEqual(["Get the kids' passports renewed", 'Finalise the budget & send it to Tom']);
    expect(readList('mainly just survive lol, and finish the deck')).toEqual(['Finish the deck']);
    // A time said after an item is its time, not its title; without a day it is the item itself.
    expect(readList('rocks: pitch deck (tue 9-11), investor update (wed 2-4), hiring plan thu morning')).toEqual(['Pitch deck', 'Investor update', 'Hiring plan']);
    expect(readList('phone in the other room, wifi off in the mornings, launch on friday')).toEqual(['Phone in the other room', 'Wifi off in the mornings', 'Launch on friday']);
    expect(readList('ok so for environment i guess i could put my phone in the drawer and turn off slack notifs')).toEqual(['Put my phone in the drawer', 'Turn off slack notifs']);
    expect(readList("i'll keep my phone in my bag and email closed till 11")).toEqual(['Keep my phone in my bag', 'Email closed till 11']);
  });

  it('cleans rock titles of filler and never keeps headers', () => {
    expect(readList('My big rocks this week: 1. Finish the launch pitch deck 2. Hire a designer 3. Close the Q4 budget')).toEqual(['Finish the launch pitch deck', 'Hire a designer', 'Close the Q4 budget']);
    expect(readList('ok so my rocks: finish chapter 3 draft, honestly just the grant report, oh and prep slides')).toEqual(['Finish chapter 3 draft', 'The grant report', 'Prep slides']);
    expect(readList('right. prepare the budget and write the hiring post')).toEqual(['Prepare the budget', 'Write the hiring post']);
    expect(readList('big rocks: hiring plan for Q1, answer emails, board deck, 1:1s')).toEqual(['Hiring plan for Q1', 'Answer emails', 'Board deck', '1:1s']);
  });

  it('finds vision parts anywhere in a message', () => {
    expect(readVision('in a year: at work I want to lead the data team. for myself, finish a triathlon. relationships: call my parents every week', 'work')).toEqual({
      work: 'Lead the data team',
      self: 'Finish a triathlon',
      relationships: 'Call my parents every week',
    });
    expect(readVision("um at work i'd love to have my thesis draft submitted", 'work')).toEqual({ work: 'My thesis draft submitted' });
    expect(readVision('work: get promoted to senior designer. me: sleep 7 hours a night. family: be present at dinner', 'work')).toEqual({
      work: 'Get promoted to senior designer',
      self: 'Sleep 7 hours a night',
      relationships: 'Be present at dinner',
    });
    // Without markers, each phrase goes to the area its words name; three work wishes stay one.
    expect(readVision('lead the team, get fit, be a better dad', 'work')).toEqual({ work: 'Lead the team', self: 'Get fit', relationships: 'Be a better dad' });
    expect(readVision('ship v2, hire 3 engineers, raise series A', 'work')).toEqual({ work: 'Ship v2, hire 3 engineers, raise series A' });
    expect(readVision('lead the design team and learn to delegate', 'work')).toEqual({ work: 'Lead the design team and learn to delegate' });
    expect(readVision('i want to be team lead at work, run a half marathon for myself and see my parents monthly', 'work')).toEqual({
      work: 'Be team lead',
      self: 'Run a half marathon',
      relationships: 'See my parents monthly',
    });
    expect(readVision('career: head of design. health: run a marathon. family: a house with a garden', 'work')).toEqual({ work: 'Head of design', self: 'Run a marathon', relationships: 'A house with a garden' });
    expect(readVision('work - promoted to staff engineer / me - learned to surf / relationships - closer to my sister', 'work')).toEqual({
      work: 'Promoted to staff engineer',
      self: 'Learned to surf',
      relationships: 'Closer to my sister',
    });
    expect(readVision('professionally i\'d love to have launched my own studio, personally i want to be debt free and relationship wise i want to have proposed', 'work')).toEqual({
      work: 'Have launched my own studio',
      self: 'Be debt free',
      relationships: 'Have proposed',
    });
    expect(readVision('for work 3 retainer clients, for myself a proper 2 week holiday, and for relationships call my brother more', 'work')).toEqual({
      work: '3 retainer clients',
      self: 'A proper 2 week holiday',
      relationships: 'Call my brother more',
    });
  });
});

describe('a no that names what it declines', () => {
  it.each(['no recovery this week honestly', 'no breaks this week tbh'])('%s declines', (text) => {
    expect(isDeclined(text, 'recovery')).toBe(true);
  });
  it('"no phone before 10" is still an answer', () => {
    expect(isDeclined('no phone before 10', 'environment')).toBe(false);
  });
});

describe('a whole vision on one line with markers after commas', () => {
  it.each([
    ['work: launch the podcast, self: run 10k, relationships: visit grandma', { work: 'Launch the podcast', self: 'Run 10k', relationships: 'Visit grandma' }],
    ['work - ship v2, me: sleep more, family: dinners together', { work: 'Ship v2', self: 'Sleep more', relationships: 'Dinners together' }],
  ])('%s', (text, vision) => {
    expect(readVision(text, 'work')).toEqual(vision);
  });
});
