import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

const BASE = {
  PROJECT_ID: 'p',
  PUBLIC_URL: 'https://gateway.example.org',
  OIDC_ISSUERS: 'https://accounts.google.com',
  POLICY_PATH: 'gs://b/policy.yaml',
  EXECUTOR_URL: 'https://executor.example.org',
  AUDIT_BUCKET: 'audit',
  AUDIT_KMS_KEY_VERSION: 'projects/p/locations/global/keyRings/r/cryptoKeys/a/cryptoKeyVersions/1',
};

describe('gateway config: WARM_UP', () => {
  const cases: { name: string; value?: string; expected: boolean }[] = [
    { name: 'warms up by default', expected: true },
    { name: 'turns the warm-up off with false', value: 'false', expected: false },
    { name: 'keeps it on with true', value: 'true', expected: true },
  ];
  for (const c of cases)
    it(c.name, () => {
      const env = c.value === undefined ? BASE : { ...BASE, WARM_UP: c.value };
      assert.equal(loadConfig(env).WARM_UP, c.expected);
    });

  it('refuses a value that is not a boolean, naming the variable', () => {
    assert.throws(() => loadConfig({ ...BASE, WARM_UP: 'sometimes' }), /WARM_UP/);
  });
});
