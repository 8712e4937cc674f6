// Window models a tenant brings (ONNX + card), confined to the key's tenant.
//   POST /api/v1/models                            multipart: model=<file.onnx>, card=<card JSON>  (write)
//   GET  /api/v1/models                            every version, and which is active               (read)
//   POST /api/v1/models/:name/:version/activate    the tenant's one active model                   (write)
//   POST /api/v1/models/:name/:version/deactivate  back to the streaming detector alone            (write)
import { and, asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ModelCard } from "../../../models/contract";
import { MAX_MODEL_BYTES, validateModel } from "../../../models/runtime/validate";
import type { ModelView } from "../api-types";
import { type ModelRow, models } from "../db/schema";
import { getEngine } from "../engine";
import { ApiError } from "../errors";
import { requireScope } from "../middleware/auth";
import { modelKey } from "../models/registry";
import { getOrt } from "../models/ort";
import type { AppEnv } from "../types";

/** Room for the card and the multipart framing beside the model file. */
const FORM_OVERHEAD = 256 * 1024;

const limitBody = bodyLimit({
  maxSize: MAX_MODEL_BYTES + FORM_OVERHEAD,
  onError: () => {
    throw new ApiError(413, "model_too_large", `the upload exceeds ${MAX_MODEL_BYTES} bytes of model plus ${FORM_OVERHEAD} of card`, { limit: MAX_MODEL_BYTES });
  },
});

function modelView(r: ModelRow): ModelView {
  const card = JSON.parse(r.card) as ModelCard;
  return {
    name: r.name,
    version: r.version,
    description: card.description ?? null,
    sha256: r.sha256,
    bytes: r.bytes,
    inputs: card.inputs,
    output: card.output_name,
    metrics: card.metrics ?? null,
    active: r.active,
    created_at: new Date(r.createdAt).toISOString(),
    activated_at: r.activatedAt === null ? null : new Date(r.activatedAt).toISOString(),
  };
}

async function readUpload(c: { req: { header(n: string): string | undefined; formData(): Promise<FormData> } }): Promise<{ bytes: Uint8Array; card: string }> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with fields model (the .onnx file) and card (its card JSON)");
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch (err) {
    throw new ApiError(400, "bad_request", "the multipart body could not be read", { reason: String(err) });
  }
  const model = form.get("model");
  const card = form.get("card");
  if (model === null || typeof model === "string") throw new ApiError(400, "validation_failed", "field model must be the .onnx file", { field: "model" });
  if (card === null) throw new ApiError(400, "validation_failed", "field card is required (the card JSON, as text or a file)", { field: "card" });
  return { bytes: new Uint8Array(await model.arrayBuffer()), card: typeof card === "string" ? card : await card.text() };
}

async function findModel(db: D1Database, tenant: string, name: string, version: string): Promise<ModelRow> {
  const r = await drizzle(db).select().from(models).where(and(eq(models.tenant, tenant), eq(models.name, name), eq(models.version, version))).get();
  if (!r) throw new ApiError(404, "not_found", `no model ${name} version ${version}`, { name, version });
  return r;
}

/** The /models sub-app. */
export const modelsRoutes = new Hono<AppEnv>()
  .post("/", requireScope("write"), limitBody, async (c) => {
    const tenant = c.get("tenant");
    const upload = await readUpload(c);
    const checked = await validateModel(await getOrt(), await getEngine(), upload.bytes, upload.card);
    await checked.model.release();
    const { card } = checked;
    const orm = drizzle(c.env.DB);
    const key = modelKey(tenant, card.name, card.version);
    // The row first: its primary key refuses a duplicate before any R2 object (which would overwrite the original) is written.
    const inserted = await orm
      .insert(models)
      .values({ tenant, name: card.name, version: card.version, sha256: card.sha256, bytes: upload.bytes.length, key, card: JSON.stringify(card), active: false, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning()
      .get();
    if (!inserted) throw new ApiError(409, "model_exists", `model ${card.name} version ${card.version} exists; versions are immutable, upload a new version`, { name: card.name, version: card.version });
    try {
      await c.env.ARCHIVE.put(`${key}/model.onnx`, upload.bytes, { httpMetadata: { contentType: "application/octet-stream" }, customMetadata: { sha256: card.sha256 } });
      await c.env.ARCHIVE.put(`${key}/card.json`, JSON.stringify(card, null, 2), { httpMetadata: { contentType: "application/json" } });
    } catch (err) {
      await orm.delete(models).where(and(eq(models.tenant, tenant), eq(models.name, card.name), eq(models.version, card.version)));
      await c.env.ARCHIVE.delete([`${key}/model.onnx`, `${key}/card.json`]);
      throw err;
    }
    return c.json({ model: modelView(inserted), sample_scores: checked.sampleScores }, 201);
  })
  .get("/", requireScope("read"), async (c) => {
    const rows = await drizzle(c.env.DB).select().from(models).where(eq(models.tenant, c.get("tenant"))).orderBy(asc(models.name), asc(models.createdAt)).all();
    const active = rows.find((r) => r.active);
    return c.json({ models: rows.map(modelView), active: active ? { name: active.name, version: active.version } : null });
  })
  .post("/:name/:version/activate", requireScope("write"), async (c) => {
    const tenant = c.get("tenant");
    const r = await findModel(c.env.DB, tenant, c.req.param("name"), c.req.param("version"));
    const orm = drizzle(c.env.DB);
    const now = Date.now();
    // One batch (one transaction): the partial unique index allows a single active row per tenant.
    await orm.batch([
      orm.update(models).set({ active: false }).where(and(eq(models.tenant, tenant), eq(models.active, true))),
      orm.update(models).set({ active: true, activatedAt: now }).where(and(eq(models.tenant, tenant), eq(models.name, r.name), eq(models.version, r.version))),
    ]);
    return c.json({ model: modelView({ ...r, active: true, activatedAt: now }) });
  })
  .post("/:name/:version/deactivate", requireScope("write"), async (c) => {
    const tenant = c.get("tenant");
    const r = await findModel(c.env.DB, tenant, c.req.param("name"), c.req.param("version"));
    await drizzle(c.env.DB).update(models).set({ active: false }).where(and(eq(models.tenant, tenant), eq(models.name, r.name), eq(models.version, r.version)));
    return c.json({ model: modelView({ ...r, active: false }) });
  });
