// Port: questions Warden asks a 2025-era MCP client (form elicitation) and their answers, shared by every gateway
// instance: the one holding the client's call waits for the answer, which the client posts to any instance.

/** A question asked, bound to who may answer it and to the exact call that waits for it. */
export interface PendingQuestion {
  /** The elicitation request's JSON-RPC id: random (256 bits), so only the client it was sent to knows it. */
  id: string;
  /** SHA-256 of the caller (issuer, subject, and whom they act for): nobody else may answer. */
  caller: string;
  /** The tool called (execute_sql or execute_sql_readonly). */
  tool: string;
  /** SHA-256 of the call's arguments, canonical JSON. */
  call: string;
  /** The request that asked. */
  askedIn: string;
  /** No answer is accepted from then on; the store may delete the question after it (TTL). */
  expiresAt: Date;
}

/** The client's answer: a reason (already masked: the store never holds the text as typed), or none. */
export type QuestionAnswer = { action: 'accept'; reason: string } | { action: 'decline' | 'cancel' };

/** A store of asked questions; every method rejects when the store cannot be reached. */
export interface ElicitationStore {
  /** Records a new question (never overwriting one). */
  ask(question: PendingQuestion): Promise<void>;
  /**
   * Records the answer once, in a transaction: false (and nothing changes) when no open question has this id,
   * when `caller` is not the one it was asked of, when it was answered already, or when it expired at `now`.
   */
  answer(id: string, caller: string, answer: QuestionAnswer, now: Date): Promise<boolean>;
  /** Resolves once the question is answered or gone, or at `deadline`, whichever comes first. */
  waitForAnswer(id: string, deadline: Date): Promise<void>;
  /**
   * Removes the question, in a transaction, and returns it with its answer if it has one: an answer arriving
   * afterwards finds nothing to answer. Undefined when there was no such question.
   */
  take(id: string): Promise<(PendingQuestion & { answer?: QuestionAnswer }) | undefined>;
}
