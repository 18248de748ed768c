import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorsMissingError, findCloudSdkRoot, startFirestore, startPubSub } from './emulators.ts';

describe('emulators', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'warden-emu-'));
  const nowhere = {
    PATH: '/nonexistent',
    CLOUDSDK_ROOT_DIR: '/nonexistent',
    WARDEN_CLOUDSDK_SEARCH: 'env-only',
  };

  it('says how to install the emulators when none can be found', () => {
    for (const start of [() => startFirestore(1, logDir, nowhere), () => startPubSub(1, logDir, nowhere)]) {
      assert.throws(
        start,
        (e) =>
          e instanceof EmulatorsMissingError &&
          /gcloud components install cloud-firestore-emulator pubsub-emulator/.test(e.message),
      );
    }
  });

  it('finds the Cloud SDK from CLOUDSDK_ROOT_DIR before anything else', () => {
    const root = mkdtempSync(join(tmpdir(), 'sdk-'));
    mkdirSync(join(root, 'platform'));
    assert.equal(findCloudSdkRoot({ CLOUDSDK_ROOT_DIR: root, PATH: '/nonexistent' }, []), root);
    assert.equal(findCloudSdkRoot({ PATH: '/nonexistent' }, []), undefined);
  });
});
