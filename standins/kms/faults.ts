// Fault injection for the KMS stand-in: make the next N calls of a method fail with a chosen gRPC status.

import { status } from '@grpc/grpc-js';

/** A failure to answer a call with instead of running it. */
export interface InjectedFault {
  code: status;
  message: string;
}

/** Pending faults per method name, consumed first in, first out, one per call. */
export class FaultQueue {
  readonly #pending = new Map<string, InjectedFault[]>();

  /** Queues `times` failures with `code` for the next calls of `method`. */
  add(method: string, code: status, times = 1, message = `injected ${status[code]} fault`): void {
    if (code === status.OK) throw new Error('FaultQueue: an injected fault needs a non-OK status');
    const queue = this.#pending.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ code, message });
    this.#pending.set(method, queue);
  }

  /** The fault the next call of `method` must fail with, if any; removes it from the queue. */
  take(method: string): InjectedFault | undefined {
    return this.#pending.get(method)?.shift();
  }

  /** Drops every pending fault. */
  clear(): void {
    this.#pending.clear();
  }
}
