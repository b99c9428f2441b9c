import pg from 'pg';
const counts = new Map<string, number>();
const orig = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (this: any, q: any, ...rest: any[]) {
  const text = typeof q === 'string' ? q : q?.text ?? String(q);
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return (orig as any).call(this, q, ...rest);
};
process.on('exit', () => { console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${String(v).padStart(7)} ${k}`).join('\n')); });
