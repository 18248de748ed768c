import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

const BASE = {
  PROJECT_ID: 'p',
  EXECUTOR_AUDIENCE: 'https://executor',
  INVOKER_EMAILS: 'gateway@p.iam.gserviceaccount.com',
  CREDENTIAL_CIPHERTEXT_PATH: 'gs://b/cred.enc',
  CREDENTIAL_KMS_KEY: 'projects/p/locations/global/keyRings/r/cryptoKeys/c',
  POLICY_PATH: 'gs://b/policy.yaml',
  MASKING_KEY_CIPHERTEXT_PATH: 'gs://b/mask.enc',
  MASKING_KMS_KEY: 'projects/p/locations/global/keyRings/r/cryptoKeys/m',
  AUDIT_BUCKET: 'audit',
  AUDIT_KMS_KEY_VERSION: 'projects/p/locations/global/keyRings/r/cryptoKeys/a/cryptoKeyVersions/1',
};

describe('executor config: QUERY_CREDENTIALS', () => {
  it('reads named BigQuery identities as name → sealed key path, and none by default', () => {
    assert.deepEqual(loadConfig(BASE).QUERY_CREDENTIALS, {});
    assert.deepEqual(
      loadConfig({ ...BASE, QUERY_CREDENTIALS: '{"deid-reader":"gs://b/deid.enc"}' }).QUERY_CREDENTIALS,
      {
        'deid-reader': 'gs://b/deid.enc',
      },
    );
  });
  const bad: { name: string; env: Record<string, string>; message: RegExp }[] = [
    {
      name: 'text that is not JSON',
      env: { QUERY_CREDENTIALS: 'deid-reader=gs://b' },
      message: /QUERY_CREDENTIALS/,
    },
    {
      name: 'a name with capitals',
      env: { QUERY_CREDENTIALS: '{"Deid":"gs://b/x"}' },
      message: /QUERY_CREDENTIALS/,
    },
    {
      name: 'named identities in keyless mode',
      env: { CREDENTIAL_MODE: 'keyless', QUERY_CREDENTIALS: '{"deid":"gs://b/x"}' },
      message: /need CREDENTIAL_MODE=kms/,
    },
  ];
  for (const c of bad)
    it(`refuses ${c.name}`, () => assert.throws(() => loadConfig({ ...BASE, ...c.env }), c.message));
});

describe('executor config: WARM_UP', () => {
  it('warms up by default and not with WARM_UP=false', () => {
    assert.equal(loadConfig(BASE).WARM_UP, true);
    assert.equal(loadConfig({ ...BASE, WARM_UP: 'false' }).WARM_UP, false);
  });

  it('refuses a value that is not a boolean, naming the variable', () => {
    assert.throws(() => loadConfig({ ...BASE, WARM_UP: 'sometimes' }), /WARM_UP/);
  });
});
