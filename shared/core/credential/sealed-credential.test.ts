import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { MemoryKeys } from '../../test-support/memory-ports.ts';
import { isWardenError } from '../errors.ts';
import { openCredential, sealCredential } from './sealed-credential.ts';

const KEY = 'projects/p/locations/l/keyRings/r/cryptoKeys/credential';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const keyJson = new TextEncoder().encode(
  JSON.stringify({
    type: 'service_account',
    client_email: 'exec@p.iam.gserviceaccount.com',
    private_key: privateKey,
  }),
);

describe('sealed credential', () => {
  it('round-trips a service-account key through KMS encryption', async () => {
    const keys = new MemoryKeys();
    const sealed = await sealCredential(keys, KEY, keyJson);
    assert.ok(
      !Buffer.from(sealed).includes(Buffer.from('PRIVATE KEY')),
      'ciphertext must not contain the key',
    );
    const opened = await openCredential(keys, KEY, sealed);
    assert.equal(opened.client_email, 'exec@p.iam.gserviceaccount.com');
    assert.equal(opened.private_key, privateKey);
  });
  it('refuses to seal something that is not a service-account key, without echoing it', async () => {
    const secret = new TextEncoder().encode(
      JSON.stringify({ type: 'authorized_user', refresh_token: 'sekret' }),
    );
    await assert.rejects(
      sealCredential(new MemoryKeys(), KEY, secret),
      (e) => isWardenError(e, 'invalid_argument') && !e.message.includes('sekret'),
    );
  });
  it('fails when the ciphertext was altered', async () => {
    const keys = new MemoryKeys();
    const sealed = await sealCredential(keys, KEY, keyJson);
    sealed[sealed.length - 1]! ^= 1;
    await assert.rejects(openCredential(keys, KEY, sealed));
  });
});
