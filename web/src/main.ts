// Dashboard entry: the API key, the overview of services and metrics with
// their health, and the open incidents. The engine runs in a Web Worker for
// what-if and offline analysis.
import type { OverviewItem, OverviewView } from "../../worker/src/api-types";
import { ApiFailure, fetchOverview, storedKey, storeKey } from "./api";
import { engineWorker as worker } from "./engine-client";
import { formatMs, formatNumber, formatPercent, scoreClass, sparkPath } from "./format";
import { renderExplorer } from "./views/explorer";
import { renderIncident } from "./views/incident";
import { renderModels } from "./views/models";
import { renderOffline } from "./views/offline";
import { renderRecommendations } from "./views/recommendations";
import { renderWhatIf } from "./views/what-if";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** How often the overview refreshes; faster while waiting for the first data. */
const REFRESH_MS = 15_000;
const WAITING_REFRESH_MS = 3_000;
let waiting = false;

worker
  .version()
  .then((v) => ($("browser-engine").textContent = `engine ${v} in this browser`))
  .catch((err: unknown) => ($("browser-engine").textContent = `engine failed to load: ${String(err)}`));

fetch("/health")
  .then(async (res) => {
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { engine: { version: string } };
    $("server-status").textContent = `server up, engine ${body.engine.version}`;
  })
  .catch(() => ($("server-status").textContent = "server not reachable: is npm start running?"));

function showKeyPanel(message = ""): void {
  $("key-panel").hidden = false;
  $("overview").hidden = true;
  $("change-key").hidden = true;
  $("key-error").textContent = message;
  $("state").textContent = "";
  $<HTMLInputElement>("key-input").focus();
}

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = $<HTMLInputElement>("key-input").value.trim();
  if (!key) return;
  storeKey(key);
  $("key-panel").hidden = true;
  void refresh();
});
$("change-key").addEventListener("click", () => showKeyPanel());

function cell(text: string, className = ""): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function sparkCell(values: number[]): HTMLTableCellElement {
  const td = document.createElement("td");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", "120");
  svg.setAttribute("height", "24");
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", sparkPath(values, 120, 24));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#3b82f6");
  line.setAttribute("stroke-width", "1.5");
  svg.append(line);
  td.append(svg);
  return td;
}

function row(item: OverviewItem): HTMLTableRowElement {
  const tr = document.createElement("tr");
  const w = item.latest;
  const label = item.series.kind === "events" ? item.series.name : `${item.series.name} ${JSON.stringify(item.series.labels)}`;
  const name = document.createElement("td");
  name.append(Object.assign(document.createElement("a"), { href: `#/series/${item.series.id}`, textContent: label }));
  tr.append(
    name,
    cell(item.score === null ? "not scored yet" : item.score.toFixed(2), `score ${scoreClass(item.score)}`),
    cell(item.series.kind === "events" ? formatNumber(w?.count) : `value ${formatNumber(w?.mean)}`),
    cell(item.series.kind === "events" ? formatPercent(w?.error_rate) : "–"),
    cell(item.series.kind === "events" ? formatMs(w?.p99) : "–"),
    sparkCell(item.spark),
  );
  return tr;
}

function emptyState(key: string): void {
  const origin = window.location.origin;
  $("state").innerHTML = "";
  const p = document.createElement("p");
  p.textContent = "No data yet. Send a first event and it appears here within seconds:";
  const pre = document.createElement("pre");
  pre.textContent = `curl -X POST ${origin}/api/v1/events -H "Authorization: Bearer ${key}" \\\n  -H "content-type: application/json" \\\n  -d '{"service":"payment-service","level":"ERROR","message":"Database connection timeout","metadata":{"latency_ms":5000,"error_code":"DB_TIMEOUT","endpoint":"/api/payments"}}'`;
  $("state").append(p, pre);
}

function render(view: OverviewView, key: string): void {
  $("change-key").hidden = false;
  waiting = view.items.length === 0;
  if (waiting) {
    $("overview").hidden = true;
    emptyState(key);
    return;
  }
  $("state").textContent = "";
  $("overview").hidden = false;
  $("services").querySelector("tbody")!.replaceChildren(...view.items.map(row));
  const list = $("incidents");
  if (view.open_incidents.length === 0) {
    const li = document.createElement("li");
    li.textContent = "None open.";
    list.replaceChildren(li);
  } else {
    list.replaceChildren(
      ...view.open_incidents.map((i) => {
        const li = document.createElement("li");
        li.className = `sev-${i.severity}`;
        li.append(
          Object.assign(document.createElement("a"), { href: `#/incidents/${i.id}`, textContent: `${i.severity}: ${i.title}` }),
          ` (since ${new Date(i.started_at).toLocaleString()}, ${i.anomaly_count} anomalies)`,
        );
        return li;
      }),
    );
  }
}

/** Where the location hash points: a series, an incident, or the overview. */
function route(): { series?: number; incident?: string; recommendations?: true; models?: true; whatIf?: number } {
  if (window.location.hash === "#/recommendations") return { recommendations: true };
  if (window.location.hash === "#/models") return { models: true };
  const w = /^#\/what-if\/(\d+)$/.exec(window.location.hash);
  if (w) return { whatIf: Number(w[1]) };
  const s = /^#\/series\/(\d+)$/.exec(window.location.hash);
  if (s) return { series: Number(s[1]) };
  const i = /^#\/incidents\/([\w-]+)$/.exec(window.location.hash);
  return i ? { incident: i[1] } : {};
}

window.addEventListener("hashchange", () => void refresh());

let timer: ReturnType<typeof setTimeout> | undefined;
async function refresh(): Promise<void> {
  clearTimeout(timer);
  if (window.location.hash === "#/offline") {
    // Offline analysis needs no server and no key.
    $("key-panel").hidden = true;
    $("overview").hidden = true;
    $("state").textContent = "";
    $("explorer").hidden = false;
    renderOffline($("explorer"));
    return;
  }
  const key = storedKey();
  if (!key) return showKeyPanel();
  const r = route();
  const detail = r.series !== undefined || r.incident !== undefined || r.recommendations === true || r.models === true || r.whatIf !== undefined;
  $("explorer").hidden = !detail;
  if (detail) {
    $("overview").hidden = true;
    $("state").textContent = "";
    $("change-key").hidden = false;
    try {
      if (r.series !== undefined) await renderExplorer($("explorer"), key, r.series);
      else if (r.incident !== undefined) await renderIncident($("explorer"), key, r.incident);
      else if (r.whatIf !== undefined) await renderWhatIf($("explorer"), key, r.whatIf);
      else if (r.models) await renderModels($("explorer"), key);
      else await renderRecommendations($("explorer"), key);
    } catch (err) {
      $("explorer").textContent = `Could not load this page (${err instanceof Error ? err.message : String(err)}).`;
    }
    return;
  }
  if ($("overview").hidden) $("state").textContent = "Loading…";
  try {
    render(await fetchOverview(key), key);
  } catch (err) {
    if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) {
      storeKey(null);
      return showKeyPanel(err.status === 401 ? "That key is unknown or revoked: check it and try again." : "That key cannot read: it needs the read scope.");
    }
    $("state").textContent = `Could not load the overview (${err instanceof Error ? err.message : String(err)}); retrying.`;
  }
  timer = setTimeout(() => void refresh(), waiting ? WAITING_REFRESH_MS : REFRESH_MS);
}

void refresh();
