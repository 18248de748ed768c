// Mocha global fixtures for emulator tests: start the local stack once, stop it at the end.

import { startHarness, stopHarness } from './harness.ts';

export const mochaGlobalSetup = startHarness;
export const mochaGlobalTeardown = stopHarness;
