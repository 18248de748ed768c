// Port: the current time, injectable so approval expiry and audit timestamps are testable.

/** A source of the current time. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };
