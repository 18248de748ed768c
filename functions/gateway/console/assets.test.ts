// The embedded copy of the console's browser files is current.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { embeddedAssetsSource } from './embed-assets.ts';

describe('console assets', () => {
  it('embeds the current files of assets/ (run embed-assets.ts after editing them)', () => {
    assert.equal(readFileSync(new URL('./assets.ts', import.meta.url), 'utf8'), embeddedAssetsSource());
  });
});
