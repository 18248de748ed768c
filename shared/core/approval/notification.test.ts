import assert from 'node:assert/strict';
import { approvalNotification } from './notification.ts';
import { at, pending } from './test-fixtures.ts';

describe('approvalNotification', () => {
  const request = pending();

  it('Slack: names the requester, tables with PHI, rule, what it waits for, and links to the console', () => {
    const msg = approvalNotification(request, {
      format: 'slack',
      consoleUrl: 'https://warden.example/',
      now: at(30),
    });
    const text = JSON.stringify(msg);
    assert.match(String(msg['text']), /^Approval needed: ann@example\.org wants to run a SELECT query/);
    assert.match(text, /demo-warden\.clinical\.patients \(PHI: mrn\)/);
    assert.match(
      text,
      /Rule: phi-needs-approval · 1 more approval from data-stewards, expires in 1 h 30 min/,
    );
    assert.match(text, /"url":"https:\/\/warden\.example\/console\/requests\/req-1"/);
    assert.ok(Array.isArray(msg['blocks']));
  });

  it('Google Chat: one text message with a link in its markup', () => {
    const msg = approvalNotification(request, {
      format: 'google-chat',
      consoleUrl: 'https://warden.example',
      now: at(0),
    });
    assert.deepEqual(Object.keys(msg), ['text']);
    assert.match(
      String(msg['text']),
      /<https:\/\/warden\.example\/console\/requests\/req-1\|Review in the Warden console>/,
    );
  });

  it('never carries the SQL, its parameters or the requester’s reason (they may hold PHI)', () => {
    for (const format of ['slack', 'google-chat'] as const) {
      const text = JSON.stringify(approvalNotification(request, { format, now: at(0) }));
      assert.doesNotMatch(text, /SELECT mrn|MRN-12345|cohort study 7/);
      assert.match(text, /warden approvals show req-1/, 'without a console URL it points at the CLI');
    }
  });

  it('strips chat markup from names so a requester cannot forge links or mentions', () => {
    const sneaky = pending({
      requester: { ...pending().requester, email: '<!channel>*x*@example.org' } as never,
    });
    const text = String(approvalNotification(sneaky, { format: 'slack', now: at(0) })['text']);
    assert.doesNotMatch(text, /<!channel>|\*x\*/);
  });
});
