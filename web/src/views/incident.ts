// An incident: its report (summary, what is abnormal and by how much, likely
// cause, impact, actions), the services involved and the timeline of anomalies.
import { describeDriver } from "../../../worker/src/alerts/format";
import { fetchIncident } from "../api";

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = "", className = "") => {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (className) e.className = className;
  return e;
};

function list(items: string[]): HTMLUListElement {
  const ul = el("ul");
  for (const i of items) ul.append(el("li", i));
  return ul;
}

/** Renders incident `id` into `root`. */
export async function renderIncident(root: HTMLElement, key: string, id: string): Promise<void> {
  root.replaceChildren(el("p", "Loading…"));
  const { incident, report, anomalies } = await fetchIncident(key, id);
  const back = Object.assign(el("a", "← all services"), { href: "#/" });
  const title = el("h2", report.title, `sev-${incident.severity}`);
  const meta = el(
    "p",
    `${incident.status} · ${incident.severity} · since ${new Date(incident.started_at).toLocaleString()}${incident.resolved_at ? ` · resolved ${new Date(incident.resolved_at).toLocaleString()}` : ""} · services: ${incident.services.join(", ")}`,
    "muted",
  );
  const timeline = anomalies.map((a) => `${new Date(a.window_start).toLocaleTimeString()} ${a.service} (score ${a.score.toFixed(2)}): ${a.drivers.filter((d) => d.contribution > 0).slice(0, 2).map(describeDriver).join("; ")}`);
  root.replaceChildren(
    back,
    title,
    meta,
    el("h3", "Summary"),
    el("p", report.summary, "report-summary"),
    el("h3", "What is abnormal"),
    list(report.abnormal.map((a) => `${a.service}: ${a.description}${a.deviation ? ` (${a.deviation})` : ""}`)),
    el("h3", "Likely cause"),
    el("p", report.likely_cause),
    el("h3", "Impact"),
    el("p", `${report.impact.requests} requests in ${report.impact.windows} anomalous window(s) over ${report.impact.duration_minutes} min; ${report.impact.errors} errors (${(report.impact.error_rate * 100).toFixed(1)}%).`),
    el("h3", "Recommended actions"),
    list(report.actions),
    el("h3", "Timeline"),
    list(timeline),
  );
  root.querySelector("ul:last-of-type")?.setAttribute("id", "incident-timeline");
}
