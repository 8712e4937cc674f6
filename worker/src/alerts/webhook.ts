// Incident notifications to a webhook, as a Slack-compatible payload
// (`text` plus Block Kit `blocks`), so a Slack incoming webhook, or anything
// that accepts the same JSON, can take it.
import type { IncidentReport } from "./report";

/** Slack-compatible message body. */
export interface SlackPayload {
  text: string;
  blocks: unknown[];
}

const EMOJI: Record<string, string> = { low: ":large_blue_circle:", medium: ":large_yellow_circle:", high: ":large_orange_circle:", critical: ":red_circle:" };

/** Builds the message for an incident event. */
export function slackPayload(report: IncidentReport, event: "opened" | "escalated" | "resolved", link?: string): SlackPayload {
  const verb = event === "opened" ? "Incident opened" : event === "escalated" ? "Incident escalated" : "Incident resolved";
  const text = `${EMOJI[report.severity] ?? ""} ${verb} (${report.severity}): ${report.title}`.trim();
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: `${verb}: ${report.severity}`.slice(0, 150) } },
    { type: "section", text: { type: "mrkdwn", text: `*${report.title}*\n${report.summary}`.slice(0, 3000) } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Services*\n${report.services.map((s) => s.service).join(", ")}` },
        { type: "mrkdwn", text: `*Impact*\n${report.impact.requests} requests, ${report.impact.errors} errors` },
      ],
    },
    { type: "section", text: { type: "mrkdwn", text: `*Likely cause*\n${report.likely_cause}`.slice(0, 3000) } },
    { type: "section", text: { type: "mrkdwn", text: `*Actions*\n${report.actions.map((a) => `• ${a}`).join("\n")}`.slice(0, 3000) } },
  ];
  if (link) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${link}|Open in Helios>` }] });
  return { text, blocks };
}

/** Posts `payload` to `url`; throws on a network error, a timeout or a non-2xx answer so the caller retries. */
export async function postWebhook(url: string, payload: SlackPayload, timeoutMs = 10_000): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "helios-alerts" },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  await res.body?.cancel();
}

/** Backoff before retry number `attempt` (1-based): 5 s, 10 s, 20 s ... capped at 10 minutes. */
export function backoffSeconds(attempt: number): number {
  return Math.min(600, 5 * 2 ** Math.max(0, attempt - 1));
}
