// Test helpers: a stand-in on an ephemeral port in a temp dir, a manual clock, and a credential-free client.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import type { Latency } from '../latency.ts';
import type { BucketSpec, StorageStandIn } from './server.ts';
import { startStorageStandIn } from './server.ts';

/**
 * A clock tests move by hand, in milliseconds: the stand-ins' copy of Warden's test clock
 * (shared/test-support/memory-ports.ts `ManualClock`, the same API), since the stand-ins import nothing of
 * Warden and Warden's product code may not import the stand-ins.
 */
export class ManualClock {
  #ms: number;
  /** Starts at `start`: an RFC 3339 time or milliseconds since the epoch. */
  constructor(start: string | number = '2026-01-01T00:00:00.000Z') {
    this.#ms = typeof start === 'number' ? start : Date.parse(start);
  }
  /** The current time (pass as the stand-in's `now`). */
  readonly now = (): Date => new Date(this.#ms);
  /** The current time in milliseconds since the epoch (what `Date.now` returns). */
  readonly millis = (): number => this.#ms;
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** A running stand-in with a client pointed at it. */
export interface Fixture {
  standIn: StorageStandIn;
  storage: Storage;
  stateDir: string;
  clock: ManualClock;
}

/** Options of `startFixture`; `stateDir` reuses an existing state directory. */
export interface FixtureOptions {
  stateDir?: string;
  clock?: ManualClock;
  buckets?: BucketSpec[];
  log?: (line: string) => void;
  latency?: Latency;
}

/** The project id tests pass to the client (needed only by bucket create/list). */
export const PROJECT_ID = 'warden-test';

/** Client options for the stand-in: a custom endpoint, which the client uses without credentials. */
export function clientFor(standIn: StorageStandIn): Storage {
  return new Storage({ apiEndpoint: standIn.url, projectId: PROJECT_ID });
}

/** Starts a stand-in (fresh temp state dir unless given) and a client for it. */
export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'warden-storage-')));
  const clock = options.clock ?? new ManualClock('2030-01-01T00:00:00.000Z');
  const { buckets, log, latency } = options;
  const standIn = await startStorageStandIn({
    stateDir,
    now: clock.now,
    buckets,
    log,
    ...(latency ? { latency } : {}),
  });
  return { standIn, storage: clientFor(standIn), stateDir, clock };
}

/** Stops the fixture's stand-in and, unless `keepState`, removes its state dir. */
export async function stopFixture(fixture: Fixture, keepState = false): Promise<void> {
  await fixture.standIn.close();
  if (!keepState) await rm(fixture.stateDir, { recursive: true, force: true });
}

let counter = 0;

/** A bucket name no other test uses. */
export function uniqueBucketName(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}`;
}

/** Runs `action` and returns what it threw (failing when it does not throw). */
export async function caught(action: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await action();
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected the action to fail, but it succeeded');
}

/** The HTTP status an error from the client carries (ApiError/plain object `code`, GaxiosError `status`). */
export function statusOf(err: Record<string, unknown>): unknown {
  return typeof err.code === 'number' ? err.code : err.status;
}
