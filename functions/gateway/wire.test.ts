import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWardenError } from '../../shared/core/errors.ts';
import { loadConfig } from './config.ts';
import { createGatewayDeps } from './wire.ts';

const env = (policyPath: string) => ({
  PROJECT_ID: 'demo-warden',
  PUBLIC_URL: 'http://127.0.0.1:9',
  OIDC_ISSUERS: 'http://127.0.0.1:9',
  POLICY_PATH: policyPath,
  EXECUTOR_URL: 'http://127.0.0.1:9',
  AUDIT_BUCKET: 'audit',
  AUDIT_KMS_KEY_VERSION: 'projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1',
  KMS_API_ENDPOINT: '127.0.0.1:9',
  BIGQUERY_API_ENDPOINT: 'http://127.0.0.1:9',
  STORAGE_API_ENDPOINT: 'http://127.0.0.1:9',
});

describe('gateway start-up', () => {
  it('refuses to start without a policy, saying so', async () => {
    await assert.rejects(
      createGatewayDeps(loadConfig(env('/nonexistent/policy.yaml'))),
      (e) =>
        isWardenError(e, 'failed_precondition') && /does not start without a valid policy/.test(e.message),
    );
  });
  it('refuses to start with a broken policy, naming the field and line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'warden-')), 'policy.yaml');
    writeFileSync(path, 'version: 1\nrules:\n  - id: a\n    effect: allow\n    when: { groupz: [x] }\n');
    await assert.rejects(
      createGatewayDeps(loadConfig(env(path))),
      (e) => isWardenError(e, 'invalid_argument') && /rules\.0\.when.*line 5/s.test(e.message),
    );
  });
  it('names every invalid configuration variable', () => {
    assert.throws(
      () => loadConfig({ PUBLIC_URL: 'not a url' }),
      (e: Error) =>
        /PROJECT_ID/.test(e.message) && /PUBLIC_URL/.test(e.message) && /KMS|AUDIT_BUCKET/.test(e.message),
    );
  });
  it('accepts stand-in endpoints only on loopback', () => {
    assert.throws(
      () => loadConfig({ ...env('/p'), KMS_API_ENDPOINT: '10.0.0.7:443' }),
      /KMS_API_ENDPOINT: must be a loopback/,
    );
  });
});
