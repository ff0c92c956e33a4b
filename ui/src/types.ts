/**
 * What the core sends the window, as its Rust structs serialize (serde field names). Named
 * like the Rust types: the generated bindings (ts-rs, `ui/src/bindings/`) replace this file
 * at the merge without a change to the modules that import it.
 */

export type MassUnit = "kg" | "lb" | "st";
export type Provider = "withings" | "withings-oauth1" | "demo" | "local";
export type Method = "ema" | "holt-gentle" | "holt" | "holt-responsive" | "time-aware";
export type ChartKind = "weight" | "fat-ratio" | "fat-mass" | "lean-mass" | "composition";
export type Range = "30d" | "90d" | "1y" | "all";
export type Standing = "counted" | "excluded" | "awaiting_review";
export type Source = "withings" | "manual" | "import";
export type Change = "added" | "changed" | "removed";
export type Phase = "fetching" | "reconciling" | "done";
export type SyncEvery = "off" | "15m" | "hourly" | "daily";
export type ThemeChoice = "system" | "light" | "dark";
export type Show = "all" | "review" | "flagged";
export type ExportKind = "json" | "csv" | "fit";
export type ChartFormat = "png" | "svg";

/** The codes the core and the shell send (`AppError::code`, `UiError`'s own). */
export type ErrorCode =
  | "bad_input" | "browser_failed" | "callback_rejected" | "cancelled" | "chart_error"
  | "client_rejected" | "config_error" | "connect_denied" | "connect_failed" | "connect_refused"
  | "connect_timed_out" | "data_folder_error" | "database_error" | "database_too_new"
  | "demo_failed" | "demo_not_running" | "disk_full" | "export_failed" | "from_withings"
  | "import_failed" | "insecure_url" | "internal" | "keychain_damaged" | "keychain_error"
  | "keychain_unavailable" | "local_only" | "no_account" | "no_data" | "no_weigh_in"
  | "not_configured" | "offline" | "port_in_use" | "rate_limited" | "reconnect_needed"
  | "refresh_busy" | "refresh_refused" | "retrying" | "settings_busy" | "withings_error"
  | "withings_malformed";

/** Every problem a command or an event reports: a code to branch on, a sentence for people. */
export interface UiError {
  code: ErrorCode;
  message: string;
}

export interface AccountView {
  userid: string;
  name: string | null;
  colour: string | null;
  unit: MassUnit;
  own_unit: string | null;
  goal_kg: number | null;
  /** The goal in the account's display unit (stones as a decimal); sent from issue 24's core. */
  goal?: number | null;
  to_review: number;
  provider: Provider;
  demo: boolean;
  needs_reconnect: boolean;
  last_sync_at: number | null;
  last_error: string | null;
  groups: number;
  timezone: string | null;
}

export interface Overview {
  configured: boolean;
  accounts: AccountView[];
  unit: MassUnit;
  demo_url: string | null;
}

export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Series {
  label: string;
  points: [number, number][];
}

export interface RenderedChart {
  svg: string;
  area: PlotArea;
  from: number;
  to: number;
  points: [number, number][];
  series: Series[];
  y_label: string;
}

export interface SummaryText {
  method: Method;
  method_label: string;
  trend: string;
  weekly_rate: string | null;
  change_30d: string | null;
  goal: string | null;
  projected: string | null;
  bmi: string | null;
  date: string;
}

export interface WeighInRow {
  grpid: number;
  ts: number;
  date: string;
  local: string;
  weight: string;
  weight_kg: number;
  /** The weight in the unit asked for; sent from issue 24's core. */
  weight_value?: number;
  fat_ratio: number | null;
  fat: string;
  source: Source;
  standing: Standing;
  reason: string | null;
  flags: string[];
  anomalies: string[];
}

export interface ChangeLine {
  grpid: number;
  date: string;
  ts: number;
  change: Change;
  text: string;
}

export interface SyncLine {
  started: string;
  started_at: number;
  took: string;
  took_ms: number | null;
  full: boolean;
  added: number;
  changed: number;
  removed: number;
  pages: number;
  error: string | null;
  cancelled: boolean;
  changes: ChangeLine[];
}

export interface Problem {
  code: string;
  message: string;
  fix: string;
}

export interface Health {
  userid: string;
  last_success: SyncLine | null;
  last_error: Problem | null;
  needs_reconnect: boolean;
  signed: boolean;
  access_expires_at: number | null;
  refresh_issued_at: number | null;
  refresh_age_days: number | null;
  consent_needed_at: number | null;
  consent_reminder: boolean;
  rate_limited_at: number | null;
  rate_limit_wait: number | null;
  rate_limited_now: boolean;
  requests_last_sync: number | null;
  tokens_missing: boolean;
}

export interface Preferences {
  unit: MassUnit;
  sync_on_launch: boolean;
  sync_every: SyncEvery;
  sync_every_minutes: number | null;
  theme: ThemeChoice;
  data_dir: string;
  client_id: string | null;
  client_secret_saved: boolean;
  callback_url: string;
  client_id_from_environment: boolean;
  locale: string | null;
}

export interface SplitView {
  from: string;
  to: string;
  method: Method;
  weight_change_kg: number;
  fat_change_kg: number;
  lean_change_kg: number;
  weigh_ins: number;
  sentence: string;
}

export interface BacktestRow {
  method: Method;
  label: string;
  mae_kg: number;
  error: string;
  predictions: number;
}

export interface BodyFigure {
  key: string;
  name: string;
  value: string;
  unit: string;
  date: string;
}

export interface SyncReport {
  userid: string;
  full: boolean;
  added: number;
  changed: number;
  removed: number;
  pages: number;
  groups_received: number;
}

export interface AccountSyncView {
  userid: string;
  label: string;
  report: SyncReport | null;
  error_code: ErrorCode | null;
  error: string | null;
}

export interface ExportSummary {
  path: string;
  items: number;
}

export interface ImportReport {
  accounts: number;
  added: number;
  unchanged: number;
  skipped: number;
  kept: string[];
  summary: string;
}

export interface WithingsImport {
  userid: string;
  imported: number;
  already_stored: number;
  exact_repeats: number;
  ignored_columns: string[];
  timezone: string;
  timezone_from: string;
  summary: string;
}

export type Imported = ({ kind: "heft" } & ImportReport) | ({ kind: "withings" } & WithingsImport);

export interface Progress {
  phase: Phase;
  pages: number;
  groups: number;
  newest: number | null;
  reached: number | null;
  done_permille: number | null;
  resumed: boolean;
}

/** `sync-progress`'s payload: the account and its progress, flattened. */
export interface ProgressEvent extends Progress {
  userid: string;
}

// The commands' arguments: one object each, snake_case keys, every key present (null where
// absent), as the generated `commands` take them.
export interface ChartArgs {
  userid: string | null;
  kind: ChartKind;
  range: Range;
  unit: MassUnit;
  dark: boolean;
  width: number;
  height: number;
}
