// The chat message announcing a parked request to approvers (Slack or Google Chat incoming webhooks).
// It names who asks, what kind of query on which tables under which rule, and what it waits for; never the
// SQL text nor the requester's reason, which may carry PHI (a chat channel is not a covered system).

import { formatTableRef } from '../query/facts.ts';
import type { ApprovalRequest } from './request.ts';
import { waitingFor } from './waiting-for.ts';

export type ChatFormat = 'slack' | 'google-chat';

export interface NotificationOptions {
  format: ChatFormat;
  /** The gateway's public URL: the message links to the request's console page. */
  consoleUrl?: string;
  now: Date;
}

/** Chat payload for a PENDING request. Slack: `{text, blocks}`; Google Chat: `{text}` (its markup). */
export function approvalNotification(
  request: ApprovalRequest,
  options: NotificationOptions,
): Record<string, unknown> {
  const who = request.requester.email ?? request.requester.subject;
  const forWhom = request.onBehalfOf ? ` for ${request.onBehalfOf.email ?? request.onBehalfOf.subject}` : '';
  const tables = request.referencedTables.map(formatTableRef);
  const phi = request.decision.touchesPhi ? ` (PHI: ${request.decision.phiClasses.join(', ') || 'yes'})` : '';
  const waiting = waitingFor(request, options.now);
  const link = options.consoleUrl
    ? `${options.consoleUrl.replace(/\/$/, '')}/console/requests/${encodeURIComponent(request.id)}`
    : undefined;
  const review = link ?? `warden approvals show ${request.id}`;
  const sanitize = (s: string) => s.replace(/[<>&*_`~]/g, '');
  const lines = {
    title: `Approval needed: ${sanitize(who)}${sanitize(forWhom)} wants to run a ${request.statementType} query`,
    tables: `Tables: ${tables.map(sanitize).join(', ') || 'none'}${sanitize(phi)}`,
    rule: `Rule: ${sanitize(request.rule)} · ${waiting}`,
    id: `Request: ${request.id}`,
  };
  if (options.format === 'google-chat') {
    return {
      text: [
        `*${lines.title}*`,
        lines.tables,
        lines.rule,
        lines.id,
        link ? `<${link}|Review in the Warden console>` : `Review: ${review}`,
      ].join('\n'),
    };
  }
  const text = `${lines.title}. ${lines.rule}. Review: ${review}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${lines.title}*\n${lines.tables}\n${lines.rule}\n${lines.id}` },
      },
      ...(link
        ? [
            {
              type: 'actions',
              elements: [{ type: 'button', text: { type: 'plain_text', text: 'Review' }, url: link }],
            },
          ]
        : [{ type: 'context', elements: [{ type: 'mrkdwn', text: `Review: \`${review}\`` }] }]),
    ],
  };
}
