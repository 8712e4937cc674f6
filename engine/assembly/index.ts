// The engine's exports: one module, loaded by the Worker, the browser and Node.
// Each concept lives in its own file; this file only re-exports.

export { alloc, free } from "./memory";
export { version, is_debug } from "./version";
export { forecast_acf, forecast_detect_season } from "./forecast/season";
export { forecast_fit, forecast_fit_fixed } from "./forecast/holt-winters";
export { forecast_fit_baseline } from "./forecast/baseline";
export { forecast_predict, forecast_info, forecast_free } from "./forecast/predict";
export { forecast_metrics, forecast_backtest } from "./forecast/backtest";
export { recommend_replicas } from "./recommend/replicas";
export { recommend_resource } from "./recommend/resources";
export { recommend_savings } from "./recommend/savings";
export { features_columns, features_state_bytes, features_error_index, features_compute, features_create, features_push, features_count, features_serialize, features_deserialize, features_free } from "./features";
export { iforest_fit, iforest_score, iforest_error_index, iforest_c, iforest_info, iforest_serialized_bytes, iforest_serialize, iforest_deserialize, iforest_free } from "./detect/iforest";
