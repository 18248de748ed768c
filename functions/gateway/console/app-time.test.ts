// The console shows every time in UTC (ISO 8601 with Z), whatever the browser's time zone: the same instants
// as the audit trail and `warden audit report`. Runs the browser module's own `time` and `utcTime` functions.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const APP = readFileSync(new URL('./assets/app.js', import.meta.url), 'utf8');

/** A top-level function of app.js, by name, as source text. */
function functionSource(name: string): string {
  const m = new RegExp(`\\nfunction ${name}\\([^)]*\\) \\{\\n[\\s\\S]*?\\n\\}\\n`).exec(APP);
  assert.ok(m, `app.js defines ${name}`);
  return m[0];
}

type Element = { tag: string; attrs: Record<string, string>; children: string[] };
const time = new Function(
  `const h = (tag, attrs, ...children) => ({ tag, attrs, children });
   ${functionSource('utcTime')}
   ${functionSource('time')}
   return time;`,
)() as (iso: string | undefined) => Element | string;

describe('console times', () => {
  const zone = process.env['TZ'];
  afterEach(() => {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  });

  for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Chatham'])
    it(`shows a time as ISO 8601 UTC in a browser set to ${tz}`, () => {
      process.env['TZ'] = tz; // Node re-reads TZ on assignment, as a browser in that zone would format
      assert.deepEqual(time('2026-03-01T09:00:00.123Z'), {
        tag: 'time',
        attrs: { datetime: '2026-03-01T09:00:00.123Z', title: '2026-03-01T09:00:00.123Z' },
        children: ['2026-03-01T09:00:00Z'],
      });
      assert.deepEqual((time('2026-03-01T10:00:00+01:00') as Element).children, ['2026-03-01T09:00:00Z']);
    });

  it('shows a dash for no time and an unreadable one as given', () => {
    assert.equal(time(undefined), '—');
    assert.deepEqual((time('soon') as Element).children, ['soon']);
  });

  it('formats no date in the local time zone anywhere in the console', () => {
    for (const local of [
      'getHours(',
      'getDate(',
      'getMonth(',
      'getFullYear(',
      'toLocaleDateString',
      'toLocaleTimeString',
      'Intl.DateTimeFormat',
    ])
      assert.ok(!APP.includes(local), `app.js uses ${local}`);
    // The one toLocaleString left groups a byte count's digits; no Date is formatted with it.
    assert.equal(APP.split('.toLocaleString(').length - 1, 1);
    assert.ok(APP.includes('v0.toLocaleString()'));
  });
});
