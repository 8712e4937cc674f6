// The engine's exports: one module, loaded by the Worker, the browser and Node.
// Each concept lives in its own file; this file only re-exports.

export { alloc, free } from "./memory";
export { version, is_debug } from "./version";
export { forecast_acf, forecast_detect_season } from "./forecast/season";
export { forecast_fit, forecast_fit_fixed } from "./forecast/holt-winters";
export { forecast_fit_baseline } from "./forecast/baseline";
export { forecast_residual_ar } from "./forecast/residual-ar";
export { forecast_predict, forecast_info, forecast_free } from "./forecast/predict";
export { forecast_metrics, forecast_backtest } from "./forecast/backtest";
export { recommend_replicas } from "./recommend/replicas";
export { recommend_resource } from "./recommend/resources";
export { recommend_savings } from "./recommend/savings";
export { out_ptr, bad_index } from "./util/bytes";
export { moments_create, moments_free, moments_add, moments_merge, moments_read, moments_serialize, moments_deserialize } from "./sketch/moments";
export { ddsketch_create, ddsketch_free, ddsketch_add, ddsketch_merge, ddsketch_quantiles, ddsketch_stats, ddsketch_serialize, ddsketch_deserialize } from "./sketch/ddsketch";
export { hll_create, hll_free, hll_add, hll_merge, hll_estimate, hll_is_dense, hll_serialize, hll_deserialize } from "./sketch/hll";
export { ewin_create, ewin_free, ewin_add, ewin_consumed, ewin_used, ewin_read, ewin_serialize, ewin_absorb, ewin_reset } from "./window/events";
export { mwin_create, mwin_free, mwin_add, mwin_consumed, mwin_used, mwin_read, mwin_serialize, mwin_absorb, mwin_reset } from "./window/metrics";
export { window_merge, window_header } from "./window/merge";
export { detector_context_evidence } from "./detect/contextual";
export { detector_create, detector_set_alert_level, detector_free, detector_push, detector_state_bytes, detector_serial_bytes, detector_serialize, detector_deserialize, detector_surprise } from "./detect/streaming";
export { detect_combine, detect_group_push } from "./detect/combined";
export { features_columns, features_state_bytes, features_error_index, features_compute, features_create, features_push, features_count, features_serialize, features_deserialize, features_free } from "./features";
export { iforest_fit, iforest_score, iforest_error_index, iforest_c, iforest_info, iforest_serialized_bytes, iforest_serialize, iforest_deserialize, iforest_free } from "./detect/iforest";
