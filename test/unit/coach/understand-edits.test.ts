// Edit commands people type after (or during) planning, read against the week's rocks and
// environment (issue 10, items 7 and 8). Each phrasing is written the way people type.
import { describe, expect, it } from 'vitest';
import { commandText, nameScore, placeOf, rockIndexOf, understand, type EditCommand } from '../../../server/coach/read/understand.ts';

const rockTitles = ['Finish the pitch deck', 'Hire a designer', 'Write the q1 budget'];
const environment = ['Phone in the other room', 'Slack closed until 11'];
const edit = (text: string, pending: string | null = null): EditCommand | undefined => {
  const r = understand(text, { pending, rockTitles, environment });
  return r.intent === 'edit' ? r.edit : undefined;
};

describe('reordering rocks by chat', () => {
  it.each([
    ['put the pitch deck first', 'the pitch deck', { index: 0 }],
    ['move hiring to the top', 'hiring', { index: 0 }],
    ['make the budget my number one priority', 'the budget', { index: 0 }],
    ['ok so can u move the deck thing to the top pls', 'the deck thing', { index: 0 }],
    ['can you put the pitch deck at the top of my list', 'the pitch deck', { index: 0 }],
    ['hiring is the most important, put it first', 'hiring', { index: 0 }],
    ['the budget should be #1', 'the budget', { index: 0 }],
    ['budget is my top priority now', 'budget', { index: 0 }],
    ['i want the deck to be my first rock', 'the deck', { index: 0 }],
    ['top priority is the budget', 'the budget', { index: 0 }],
    ['my number one is hiring', 'hiring', { index: 0 }],
    ['priority 1 = hiring', 'hiring', { index: 0 }],
    ['deck first pls', 'deck', { index: 0 }],
    ['i want the budget on top', 'the budget', { index: 0 }],
    ['prioritize the budget', 'the budget', { index: 0 }],
    ['move the budget to number 2', 'the budget', { index: 1 }],
    ['put the budget second', 'the budget', { index: 1 }],
    ['move deck to position 2', 'deck', { index: 1 }],
    ['put the budget last', 'the budget', { last: true }],
    ['move the deck to the bottom', 'the deck', { last: true }],
    ['move budget up', 'budget', { step: -1 }],
    ['move the deck down', 'the deck', { step: 1 }],
    ['put hiring before the deck', 'hiring', { before: 'the deck' }],
    ['budget before hiring', 'budget', { before: 'hiring' }],
    ['move the designer thing above the deck', 'the designer thing', { before: 'the deck' }],
    ['the deck is more important than hiring', 'the deck', { before: 'hiring' }],
    ['actually the budget is more important, put it first', 'the budget', { index: 0 }],
    ['hiring matters most so move it to the top', 'hiring', { index: 0 }],
  ])('%s', (text, name, to) => {
    expect(edit(text)).toEqual({ op: 'reorder_rock', name, to });
  });

  it.each([
    ['swap rock 2 and 3', ['rock 2', 'rock 3']],
    ['swap rocks 2 and 3', ['rock 2', 'rock 3']],
    ['swap 1 and 2', ['1', '2']],
    ['swap the first two', ['1', '2']],
    ['swap the deck and the budget', ['the deck', 'the budget']],
    ['switch hiring with the budget', ['hiring', 'the budget']],
    ['switch the order of the deck and the budget', ['the deck', 'the budget']],
    ['swap deck and hiring pls', ['deck', 'hiring']],
  ])('%s → swap', (text, names) => {
    const e = edit(text);
    expect(e?.op).toBe('swap_rocks');
    expect((e as { names: string[] }).names.map((n) => rockIndexOf(n) ?? n)).toEqual(names.map((n) => rockIndexOf(n) ?? n));
  });

  it.each([
    ['reorder my rocks: budget > deck > hiring', ['budget', 'deck', 'hiring']],
    ['order should be budget, deck, hiring', ['budget', 'deck', 'hiring']],
    ['new order 3, 1, 2', ['3', '1', '2']],
    ['actually hiring first, then the deck', ['hiring', 'the deck']],
  ])('%s → a whole order', (text, names) => {
    expect(edit(text)).toEqual({ op: 'order_rocks', names });
  });

  it('leaves block moves and plain answers alone', () => {
    expect(edit('move the deck block to thu 9-11')).toMatchObject({ op: 'move_block' });
    expect(edit('move the gym to sat 10-12')).toMatchObject({ op: 'move_block' });
    expect(understand('deck first', { pending: 'rocks', rockTitles: [], environment: [] }).intent).toBe('answer');
    expect(understand('the deck is great', { pending: null, rockTitles, environment }).edit).toBeUndefined();
  });
});

describe('renaming, dropping and finishing rocks', () => {
  it.each([
    ["rename the deck rock to 'Ship the deck'", 'deck', 'Ship the deck'],
    ['rename the deck rock to "Ship the deck"', 'deck', 'Ship the deck'],
    ['call the deck rock “Ship the deck”', 'deck', 'Ship the deck'],
    ['rename deck to Ship the deck', 'deck', 'Ship the deck'],
    ['change the designer rock to hire a senior designer', 'designer', 'Hire a senior designer'],
    ['the deck rock should be called Ship v2 deck', 'deck', 'Ship v2 deck'],
    ["can you rename rock 2 to 'Hire a senior designer' pls", 'rock 2', 'Hire a senior designer'],
    ['change the title of the budget rock to Draft the Q1 budget', 'budget', 'Draft the Q1 budget'],
    ['the budget rock should say Draft Q1 budget', 'budget', 'Draft Q1 budget'],
    ["i'd like to rename the deck rock to Ship the deck", 'deck', 'Ship the deck'],
  ])('%s', (text, name, to) => {
    expect(edit(text)).toEqual({ op: 'rename_rock', name, to });
  });

  it.each([
    ['drop the budget', ['budget']],
    ['ok fair. drop the figma thing and the portfolio, those can wait', ['figma', 'portfolio']],
    ['the budget can wait', ['budget']],
    ["i'm not doing the budget this week", ['budget']],
    ['take hiring off the list', ['hiring']],
    ['forget about the budget', ['budget']],
    ['lets drop the hiring one, no time this week', ['hiring']],
    ["hiring's not happening this week", ['hiring']],
    ['hiring got cancelled', ['hiring']],
    ['scrap the budget, it can wait till next week', ['budget']],
  ])('%s → drop', (text, names) => {
    expect(edit(text)).toEqual({ op: 'drop_rocks', names });
  });

  it.each([
    ['mark the deck as done', ['deck']],
    ['deck is done!!', ['deck']],
    ['finished the deck', ['deck']],
    ['done with hiring', ['hiring']],
    ['the deck is finished ✅', ['deck']],
    ['deck done', ['deck']],
    ['mark 1 as done', ['1']],
    ['check off the budget', ['budget']],
    ['i hired a designer!', ['Hire a designer']],
  ])('%s → done', (text, names) => {
    expect(edit(text)).toEqual({ op: 'done_rocks', names });
  });

  it('reopens a rock marked done by mistake', () => {
    expect(edit("the deck isn't done after all")).toEqual({ op: 'reopen_rocks', names: ['deck'] });
  });
});

describe('vision, environment and review edits', () => {
  it.each([
    ['change my work vision to lead the platform team', { work: 'Lead the platform team' }],
    ['actually for myself I want to run a half marathon', { self: 'Run a half marathon' }],
    ['my relationships vision: dinner with my parents every sunday', { relationships: 'Dinner with my parents every sunday' }],
    ['update the family part to call mom weekly', { relationships: 'Call mom weekly' }],
    ['for work: lead the platform team instead', { work: 'Lead the platform team' }],
    ['update my personal vision: sleep 8 hours a night', { self: 'Sleep 8 hours a night' }],
    ['for relationships i want to see my parents monthly', { relationships: 'See my parents monthly' }],
    ["actually for work i'd like to be promoted to staff engineer", { work: 'Be promoted to staff engineer' }],
    ['work vision: lead the platform team', { work: 'Lead the platform team' }],
  ])('%s', (text, vision) => {
    expect(edit(text)).toEqual({ op: 'vision', vision });
  });

  it('is not a vision edit while a vision question is pending or when it names this week', () => {
    expect(understand('for myself, sleep better', { pending: 'vision.self', rockTitles: [], environment: [] }).intent).toBe('answer');
    expect(edit('actually for work i need to prep the offsite tue 9-11')).not.toMatchObject({ op: 'vision' });
  });

  it.each([
    ['add an environment rule: phone in the other room', { op: 'add_environment', items: ['Phone in the other room'] }],
    ['new rule: no slack before 10', { op: 'add_environment', items: ['No slack before 10'] }],
    ['add noise cancelling headphones to my environment', { op: 'add_environment', items: ['Noise cancelling headphones'] }],
    ['environment add: close email', { op: 'add_environment', items: ['Close email'] }],
    ["add 'door closed' to my environment", { op: 'add_environment', items: ['Door closed'] }],
    ['remove the slack rule', { op: 'remove_environment', name: 'slack' }],
    ['get rid of the phone rule', { op: 'remove_environment', name: 'phone' }],
    ['drop the slack thing', { op: 'remove_environment', name: 'slack thing' }],
    ['i dont need the slack rule anymore', { op: 'remove_environment', name: 'slack' }],
    ['change the slack rule to slack closed until noon', { op: 'replace_environment', name: 'slack', to: 'Slack closed until noon' }],
  ])('%s', (text, expected) => {
    expect(edit(text)).toEqual(expected);
  });

  it.each([
    ['move my review to friday 4pm', 'friday 4pm'],
    ['move my review to thursday 5pm', 'thursday 5pm'],
    ['can we do the review at 3 instead', 'at 3'],
    ['review friday 2pm pls', 'friday 2pm'],
    ['push my weekly review to 5pm', 'at 5pm'],
    ['put the review on friday at 11am', 'friday at 11am'],
  ])('%s → review %s', (text, when) => {
    expect(edit(text)).toEqual({ op: 'review_time', when });
  });

  it.each(['design doc tue and thu 9-11, perf review prep wed 2-3:30', 'code review tue 2-4', 'review the PR on thursday 10-12', 'prep for my performance review friday 9-11'])('%s is work, not the review slot', (text) => {
    expect(edit(text)?.op).not.toBe('review_time');
  });
});

describe('undo and corrections of an edit', () => {
  it.each(['undo', 'undo that pls', 'oops undo', 'revert', 'put it back', 'scratch that', 'nope, undo'])('%s → back', (text) => {
    expect(understand(text, { pending: null, rockTitles, environment }).intent).toBe('back');
  });

  it.each(["wait that's wrong", 'wait no thats wrong', 'no, 3-5pm'])('%s → correction', (text) => {
    expect(understand(text, { pending: null, rockTitles, environment }).intent).toBe('correction');
  });

  it('reads "cool thanks" as thanks once nothing is pending, but "yes" to a question', () => {
    expect(understand('cool thanks', { pending: null, rockTitles, environment }).intent).toBe('chitchat');
    expect(understand('yes thanks', { pending: 'confirm', rockTitles, environment }).intent).toBe('yes');
  });
});

describe('questions about their own plan', () => {
  it.each([
    ['what are my rocks?', 'rocks'],
    ['whats my plan', 'plan'],
    ['when is my review?', 'review'],
    ['show me my week', 'plan'],
    ['what did i put for my vision', 'vision'],
    ['remind me of my environment rules', 'environment'],
  ])('%s → %s', (text, part) => {
    const r = understand(text, { pending: null, rockTitles, environment });
    expect(r.intent).toBe('question');
    expect(r.mine).toBe(part);
  });

  it('keeps questions about FOCUS itself apart', () => {
    expect(understand('what is the review?', { pending: null, rockTitles, environment }).mine).toBeUndefined();
    expect(understand('what is a big rock?', { pending: null, rockTitles, environment }).mine).toBeUndefined();
  });
});

describe('the small readers behind edits', () => {
  it('strips politeness and filler around a command', () => {
    expect(commandText('ok so can u move the deck thing to the top pls')).toBe('move the deck thing to the top');
    expect(commandText('hey could you please drop the budget, thanks!')).toBe('drop the budget');
  });

  it('reads places in the list', () => {
    expect(placeOf('to the top')).toEqual({ index: 0 });
    expect(placeOf('number two')).toEqual({ index: 1 });
    expect(placeOf('3rd')).toEqual({ index: 2 });
    expect(placeOf('the bottom')).toEqual({ last: true });
    expect(placeOf('above the budget')).toEqual({ before: 'the budget' });
    expect(placeOf('thu 9-11')).toBeNull();
  });

  it('names rocks by place or by their words, typos and word forms included', () => {
    expect(rockIndexOf('rock 2')).toBe(1);
    expect(rockIndexOf('the second one')).toBe(1);
    expect(rockIndexOf('#3')).toBe(2);
    expect(rockIndexOf('the last one')).toBe(-1);
    expect(rockIndexOf('the deck')).toBeNull();
    expect(nameScore('hiring', 'Hire a designer')).toBeGreaterThan(0);
    expect(nameScore('the presentation', 'Present at all-hands')).toBeGreaterThan(0);
    expect(nameScore('the budget', 'Hire a designer')).toBe(0);
  });
});

describe('no edits of rocks that do not exist yet', () => {
  it('reads rock answers as rocks while there are none', () => {
    const noRocks = (text: string) => understand(text, { pending: 'rocks', rockTitles: [], environment: [] });
    expect(noRocks('hire a designer is the most important').intent).toBe('answer');
    expect(noRocks('call mom to plan the trip').intent).toBe('answer');
    expect(noRocks('finish the deck first, then the budget').intent).toBe('answer');
  });
});

describe('resizing and shifting blocks', () => {
  it.each([
    ['extend the deck block to 12', { op: 'resize_block', target: 'the deck block', end: '12' }],
    ['shorten the gym to 45 min', { op: 'resize_block', target: 'the gym', minutes: 45 }],
    ['make the gym 45 min', { op: 'resize_block', target: 'the gym', minutes: 45 }],
    ['extend the deck block by 30 min', { op: 'resize_block', target: 'the deck block', by: 30 }],
    ['make the deck block 3 hours', { op: 'resize_block', target: 'the deck block', minutes: 180 }],
    ['cut the wed block to an hour', { op: 'resize_block', target: 'the wed block', minutes: 60 }],
    ['move the deck block 1 hour later', { op: 'shift_block', target: 'the deck block', minutes: 60 }],
    ['push the gym 30 min earlier', { op: 'shift_block', target: 'the gym', minutes: -30 }],
    ['actually make the tue block 10-12 instead of 9-11', { op: 'move_block', target: 'tue block', to: '10-12' }],
    ['cancel saturday', { op: 'delete_block', target: 'saturday' }],
    ['im sick on thursday, clear it', { op: 'delete_block', target: 'thursday' }],
    ['i cant make it on tuesday', { op: 'delete_block', target: 'tuesday' }],
    ['swap the tue and wed blocks', { op: 'swap_blocks', targets: ['tue', 'wed'] }],
    ['swap the deck block with the budget block', { op: 'swap_blocks', targets: ['deck', 'budget'] }],
    ['switch tuesday and thursday', { op: 'swap_blocks', targets: ['tuesday', 'thursday'] }],
    ['schedule the deck for fri 2-4pm', { op: 'add_block', kind: 'other', what: 'the deck for fri 2-4pm', when: 'for fri 2-4pm' }],
    ['put the dentist on thu 3pm', { op: 'move_block', target: 'dentist', to: 'thu 3pm' }],
  ])('%s', (text, expected) => {
    expect(edit(text)).toEqual(expected);
  });

  it('keeps "make thursday 10-12 instead" a correction of the last booking', () => {
    expect(understand('make thursday 10-12 instead', { pending: 'deep_work', rockTitles, environment }).intent).toBe('correction');
  });
});

describe('rules that start with "no"', () => {
  it('reads "no email before 10" as an environment change, and a bare "no" as no', () => {
    const env = (text: string) => understand(text, { pending: 'environment', rockTitles, environment: [] }).intent;
    expect(env('no email before 10')).toBe('answer');
    expect(env('no phone in the bedroom')).toBe('answer');
    expect(env('no')).toBe('no');
    expect(env('no thanks')).toBe('no');
    expect(env('no more')).toBe('no');
  });
});

describe('messy edits', () => {
  it('reads undo at the end of a short message and a vision wish with a duration', () => {
    expect(understand('hmm actually it isnt done, undo pls', { pending: null, rockTitles, environment }).intent).toBe('back');
    expect(edit('actually for myself i wanna sleep 8h a night')).toEqual({ op: 'vision', vision: { self: 'Sleep 8h a night' } });
    expect(edit('change hiring to done')).toEqual({ op: 'done_rocks', names: ['hiring'] });
  });
});

describe('rock titles with numbers and times, and rocks added later', () => {
  it.each([
    ['rename hiring to hire 2 designers', { op: 'rename_rock', name: 'hiring', to: 'Hire 2 designers' }],
    ['rename the budget rock to finish budget by 5pm friday', { op: 'rename_rock', name: 'budget', to: 'Finish budget by 5pm friday' }],
    ["call the deck rock 'ship deck v2'", { op: 'rename_rock', name: 'deck', to: 'Ship deck v2' }],
    ['add another rock - prep the offsite', { op: 'add_rocks', titles: ['Prep the offsite'] }],
    ['also add prep the offsite as a rock', { op: 'add_rocks', titles: ['Prep the offsite'] }],
  ])('%s', (text, expected) => {
    expect(edit(text)).toEqual(expected);
  });
});

describe('commands with more after them, and "me:" in a vision', () => {
  it('takes the command from the first sentence', () => {
    expect(commandText('ok wait can we put the deck first? its due friday')).toBe('put the deck first');
    expect(edit('ok wait can we put the deck first? its due friday')).toEqual({ op: 'reorder_rock', name: 'the deck', to: { index: 0 } });
  });

  it('reads "me:" as the part for yourself', () => {
    expect(understand('work: become the go-to person for data infra. me: run 3x a week. relationships: date night every week', { pending: 'vision.work', rockTitles: [] }).vision).toEqual({
      work: 'Become the go-to person for data infra',
      self: 'Run 3x a week',
      relationships: 'Date night every week',
    });
  });
});

describe('skipping is not dropping', () => {
  it('reads "skip the vision stuff" as a skip', () => {
    expect(understand('skip the vision stuff', { pending: 'vision.work', rockTitles: [], environment: [] }).intent).toBe('skip');
    expect(understand('skip the vision stuff', { pending: 'vision.work', rockTitles, environment }).intent).toBe('skip');
  });
});
