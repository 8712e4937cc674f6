// Models: the window models this tenant uploaded, which one is active (it
// scores every closed window next to the streaming detector), and how to
// upload or switch one.
import { fetchModels } from "../api";

/** Renders the tenant's models into `root`. */
export async function renderModels(root: HTMLElement, key: string): Promise<void> {
  root.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Loading…" }));
  const { models, active } = await fetchModels(key);
  const back = Object.assign(document.createElement("a"), { href: "#/", textContent: "← all services" });
  const h2 = Object.assign(document.createElement("h2"), { textContent: "Models" });
  const status = document.createElement("p");
  status.id = "active-model";
  status.textContent = active
    ? `Active: ${active.name} ${active.version}. Closed windows are anomalous when the streaming detector or this model (probability ≥ MODEL_THRESHOLD) says so.`
    : "No active model: the streaming detector alone scores windows.";
  const how = document.createElement("p");
  how.className = "muted";
  how.textContent = "Upload: POST /api/v1/models as multipart/form-data with model=@model.onnx and card=@card.json; activate with POST /api/v1/models/NAME/VERSION/activate.";
  if (models.length === 0) {
    root.replaceChildren(back, h2, status, how);
    return;
  }
  const table = document.createElement("table");
  table.id = "models";
  table.innerHTML = "<thead><tr><th>Name</th><th>Version</th><th>Status</th><th>Inputs</th><th>Held-back metrics</th><th>Size</th><th>Uploaded</th></tr></thead>";
  const body = document.createElement("tbody");
  for (const m of models) {
    const tr = document.createElement("tr");
    if (m.active) tr.className = "active";
    const metrics = m.metrics ? Object.entries(m.metrics).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ") : "–";
    const cells = [m.name, m.version, m.active ? "active" : "", `${m.inputs.length}: ${m.inputs.join(", ")}`, metrics, `${(m.bytes / 1024).toFixed(1)} KiB`, new Date(m.created_at).toLocaleString()];
    for (const c of cells) tr.append(Object.assign(document.createElement("td"), { textContent: c }));
    if (m.description) tr.title = m.description;
    body.append(tr);
  }
  table.append(body);
  root.replaceChildren(back, h2, status, table, how);
}
