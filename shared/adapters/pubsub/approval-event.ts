// Reading an approval event (`approval-requested`, `approval-decided`) out of a Pub/Sub CloudEvent (Eventarc)
// or push delivery: the request id and state, from the attributes or the JSON data.

import { z } from 'zod';

const PubSubData = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
  }),
});

/** The request id and state an approval event names; `requestId` undefined for a malformed message. */
export function approvalEventOf(data: unknown): { requestId?: string; state?: string } {
  const parsed = PubSubData.safeParse(data);
  if (!parsed.success) return {};
  const attributes = parsed.data.message.attributes ?? {};
  let body: { requestId?: unknown; state?: unknown } = {};
  if (parsed.data.message.data) {
    try {
      body = JSON.parse(Buffer.from(parsed.data.message.data, 'base64').toString('utf8')) as typeof body;
    } catch {
      // attributes may still name the request
    }
  }
  const requestId =
    attributes['requestId'] ?? (typeof body.requestId === 'string' ? body.requestId : undefined);
  const state = attributes['state'] ?? (typeof body.state === 'string' ? body.state : undefined);
  return { ...(requestId ? { requestId } : {}), ...(state ? { state } : {}) };
}
