// Recommendations: replicas and CPU/memory requests per workload, why, how
// sure, and what the change saves.
import { fetchRecommendations } from "../api";
import { formatNumber } from "../format";

const GIB = 1024 ** 3;

/** Renders every workload's latest recommendation into `root`. */
export async function renderRecommendations(root: HTMLElement, key: string): Promise<void> {
  root.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Loading…" }));
  const { recommendations } = await fetchRecommendations(key);
  const back = Object.assign(document.createElement("a"), { href: "#/", textContent: "← all services" });
  const h2 = Object.assign(document.createElement("h2"), { textContent: "Recommendations" });
  if (recommendations.length === 0) {
    const p = document.createElement("p");
    p.textContent = 'No workload yet. POST its state to /api/v1/recommend, e.g. {"workload": "checkout", "replicas": 6, "cpu_request": "1", "memory_request": "1Gi", "capacity_per_replica": 50}; it is then refreshed every 15 minutes.';
    root.replaceChildren(back, h2, p);
    return;
  }
  const table = document.createElement("table");
  table.id = "recommendations";
  table.innerHTML = "<thead><tr><th>Workload</th><th>Replicas now → recommended</th><th>CPU request</th><th>Memory request</th><th>Savings / month</th><th>Confidence</th><th>Why</th></tr></thead>";
  const body = document.createElement("tbody");
  for (const r of recommendations) {
    const tr = document.createElement("tr");
    const cells = [
      r.workload,
      `${r.replicas.current} → ${r.replicas.recommended}`,
      r.resources?.cpu ? `${r.resources.cpu.request.toFixed(2)} cores` : "–",
      r.resources?.memory ? `${(r.resources.memory.request_bytes / GIB).toFixed(2)} GiB` : "–",
      r.savings ? `${r.savings.monthlySavings >= 0 ? "" : "−"}$${formatNumber(Math.abs(r.savings.monthlySavings))} (${Math.round(r.savings.fraction * 100)}%)` : "–",
      `${Math.round(r.confidence * 100)}%`,
      [r.replicas.reason, ...r.notes].join(". "),
    ];
    for (const c of cells) tr.append(Object.assign(document.createElement("td"), { textContent: c }));
    body.append(tr);
  }
  table.append(body);
  root.replaceChildren(back, h2, table);
}
