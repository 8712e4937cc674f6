// The optional Workers AI narrative of an incident report: when the Worker has
// an AI binding, a language model rewrites the templated summary as a short
// executive summary. The model only words what the engine measured: every
// number in its text must already be in the report's facts, or the template
// stays. Without the binding, or on any failure, the template stays.
import type { IncidentReport } from "./report";

/** The text-generation model asked for the narrative. */
export const NARRATIVE_MODEL = "@cf/meta/llama-3.1-8b-instruct-fp8";
/** Longest narrative kept; a longer answer is not a summary. */
const MAX_CHARS = 1200;

/** The part of the AI binding the narrative uses (a deployed `[ai]` binding satisfies it). */
export interface NarrativeAi {
  run(model: typeof NARRATIVE_MODEL, input: { messages: { role: "system" | "user"; content: string }[]; max_tokens?: number; temperature?: number }): Promise<unknown>;
}

/** The facts the model may use, as plain lines. */
function facts(r: IncidentReport): string {
  return [
    `Severity: ${r.severity}`,
    `Title: ${r.title}`,
    `Template summary: ${r.summary}`,
    ...r.abnormal.slice(0, 8).map((a) => `Abnormal: ${a.service}: ${a.description}${a.deviation ? ` (${a.deviation})` : ""}, first seen ${a.first_seen}`),
    `Likely cause: ${r.likely_cause}`,
    `Services: ${r.services.map((s) => `${s.service} (${s.anomalies} anomalous windows, first at ${s.first_anomaly_at})`).join("; ")}`,
    `Impact: ${r.impact.requests} requests, ${r.impact.errors} errors, over ${r.impact.duration_minutes} min`,
    ...r.actions.map((a) => `Action: ${a}`),
  ].join("\n");
}

/** The numbers a text states (digits with their decimal part), normalised ("33.30" and "33.3" match). */
function numbers(text: string): Set<string> {
  return new Set((text.match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => String(Number(n.replace(/,/g, "")))));
}

/**
 * The report with its summary written by `ai` (narrative_source "workers-ai"), or the report as it
 * was when there is no binding, the call fails, or the answer states a number the facts do not.
 */
export async function narrate(ai: NarrativeAi | undefined, report: IncidentReport): Promise<IncidentReport> {
  if (!ai) return report;
  const known = facts(report);
  try {
    const out = await ai.run(NARRATIVE_MODEL, {
      messages: [
        {
          role: "system",
          content:
            "You write the executive summary of an incident for on-call engineers: at most four plain sentences, no lists, no markdown. " +
            "Use only the facts given; copy numbers exactly as written and add no number of your own.",
        },
        { role: "user", content: known },
      ],
      max_tokens: 300,
      temperature: 0.2,
    });
    const text = typeof out === "object" && out !== null && typeof (out as { response?: unknown }).response === "string" ? (out as { response: string }).response.trim() : "";
    if (text.length === 0 || text.length > MAX_CHARS) return report;
    const allowed = numbers(known);
    for (const n of numbers(text)) if (!allowed.has(n)) return report;
    return { ...report, summary: text, narrative_source: "workers-ai" };
  } catch (err) {
    console.error("incident narrative: Workers AI failed; keeping the template", err);
    return report;
  }
}
