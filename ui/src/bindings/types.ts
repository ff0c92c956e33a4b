// Generated from src-tauri/src/ipc.rs by `make bindings`; do not edit.

export type AccountArgs = { userid: string | null, };

/**
 * [`AccountSync`] for the window.
 */
export type AccountSyncView = { userid: string, label: string, report: SyncReport | null, error_code: ErrorCode | null, error: string | null, };

/**
 * An account as the window lists it.
 */
export type AccountView = { userid: string, 
/**
 * The name the person gave it ("Anna"), else none.
 */
name: string | null, colour: string | null, 
/**
 * Its display unit: its own, else the default.
 */
unit: MassUnit, 
/**
 * Its own unit, if the person chose one for it.
 */
own_unit: string | null, 
/**
 * Its own goal set in Heft, in kg.
 */
goal_kg: number | null, 
/**
 * The same goal in `unit` (stones as a decimal), for the account form: the window
 * converts no units.
 */
goal: number | null, 
/**
 * Weigh-ins Withings could not attribute and the person has not reviewed.
 */
to_review: number, provider: Provider, demo: boolean, needs_reconnect: boolean, last_sync_at: number | null, last_error: string | null, groups: number, 
/**
 * The time zone its dates are shown in (IANA name), as the charts use it.
 */
timezone: string | null, 
/**
 * Its trend method and which weigh-in stands for a day (every chart and figure uses them).
 */
method: Method, day_reading: DayReading, };

/**
 * One week's or month's averages, in a unit, as a person reads them.
 */
export type AverageRow = { 
/**
 * "Week of Jan 5, 2026", "January 2026".
 */
period: string, start: string, end: string, weigh_ins: number, mean: string, 
/**
 * The trend on the period's last day (the last day with data, for the current one).
 */
trend: string | null, 
/**
 * Against the period before's trend: "−0.4 kg".
 */
change: string | null, };

/**
 * Weekly (from the locale's first day) or monthly averages, in `unit`.
 */
export type AveragesArgs = { userid: string | null, unit: MassUnit, monthly: boolean, };

/**
 * One row of the backtest table, its error in the display unit.
 */
export type BacktestRow = { method: Method, label: string, mae_kg: number, error: string, predictions: number, };

/**
 * The latest value of a body measure the account has.
 */
export type BodyFigure = { key: string, name: string, 
/**
 * The exact value with its unit ("12.5", "kg").
 */
value: string, unit: string, date: string, };

/**
 * What a sync did to one weigh-in.
 */
export type Change = "added" | "changed" | "removed";

/**
 * One weigh-in a sync touched, in words.
 */
export type ChangeLine = { grpid: number, date: string, ts: number, change: Change, 
/**
 * "78.4 kg → 78.6 kg", "78.4 kg", "no longer in Withings (was 78.4 kg)".
 */
text: string, };

/**
 * The chart the window shows; its size in CSS pixels (clamped to what can be drawn).
 */
export type ChartArgs = { userid: string | null, kind: ChartKind, 
/**
 * "30d", "90d", "1y", "all", or "2026-01-01..2026-03-31".
 */
range: string, unit: MassUnit, dark: boolean, width: number, height: number, };

export type ChartKind = "weight" | "fat-ratio" | "fat-mass" | "lean-mass" | "composition";

/**
 * Saves the Withings developer app.
 */
export type CredentialsArgs = { client_id: string, client_secret: string, };

/**
 * Which of a day's weigh-ins stands for the day in the daily methods (ema, Holt), their
 * backtest and the figures: the first (the Hacker's Diet's rule), the lowest or their mean.
 * `time-aware` and the anomaly baseline use every weigh-in whatever this says.
 */
export type DayReading = "first" | "lowest" | "mean";

/**
 * Which weigh-in stands for a day in the account's daily trends.
 */
export type DayReadingArgs = { userid: string | null, day_reading: DayReading, };

/**
 * Forgets the tokens; with `delete_data` the history too.
 */
export type DisconnectArgs = { userid: string, delete_data: boolean, };

export type EditEntryArgs = { grpid: number, userid: string | null, weight: string, unit: MassUnit, fat_ratio: string | null, at: string | null, };

/**
 * A weigh-in as typed in the entry form: numbers as typed (either decimal separator), the
 * time as `datetime-local` gives it, in the account's time zone (none: now).
 */
export type EntryArgs = { userid: string | null, weight: string, unit: MassUnit, fat_ratio: string | null, at: string | null, };

/**
 * A problem, named for what the person (or the window) does about it. Serialized in
 * snake_case ("reconnect_needed"), as stored in `sync_state.last_error_code`.
 */
export type ErrorCode = "bad_input" | "browser_failed" | "callback_rejected" | "cancelled" | "client_rejected" | "config_error" | "connect_denied" | "connect_failed" | "connect_refused" | "connect_timed_out" | "data_folder_error" | "database_error" | "database_too_new" | "demo_not_running" | "disk_full" | "export_failed" | "from_withings" | "import_failed" | "insecure_url" | "internal" | "keychain_damaged" | "keychain_error" | "keychain_unavailable" | "local_only" | "no_account" | "no_data" | "no_weigh_in" | "not_configured" | "offline" | "port_in_use" | "reconnect_needed" | "refresh_busy" | "refresh_refused" | "settings_busy" | "withings_error" | "withings_malformed" | "chart_error" | "demo_failed" | "rate_limited" | "retrying";

export type ExcludeArgs = { userid: string | null, grpid: number, excluded: boolean, reason: string | null, };

export type ExportArgs = { userid: string | null, format: ExportChoice, };

export type ExportChoice = "json" | "csv" | "fit";

/**
 * What an export wrote.
 */
export type ExportSummary = { path: string, 
/**
 * Groups (JSON) or rows (CSV).
 */
items: number, };

export type GroupArgs = { userid: string | null, grpid: number, };

/**
 * What the window's health panel shows for one account.
 */
export type Health = { userid: string, 
/**
 * The last sync that finished without an error, with what it did.
 */
last_success: SyncLine | null, last_error: Problem | null, needs_reconnect: boolean, 
/**
 * OAuth 1.0a tokens never expire; the rest below is then empty.
 */
signed: boolean, 
/**
 * When the access token expires (Heft renews it on the next sync after that).
 */
access_expires_at: number | null, 
/**
 * When the refresh token was issued (every renewal issues a new one).
 */
refresh_issued_at: number | null, refresh_age_days: number | null, 
/**
 * When Withings will ask for a new consent if Heft does not sync before then.
 */
consent_needed_at: number | null, 
/**
 * That date is near (or past): sync, or reconnect.
 */
consent_reminder: boolean, 
/**
 * Withings' last request to slow down: when, and for how many seconds.
 */
rate_limited_at: number | null, rate_limit_wait: number | null, rate_limited_now: boolean, 
/**
 * Requests to the measure API the last sync made (pages downloaded).
 */
requests_last_sync: number | null, 
/**
 * No tokens were found in the keychain for this account.
 */
tokens_missing: boolean, };

export type ImageFormat = "png" | "svg";

/**
 * The account an export joins, the time zone of its wall-clock times and the unit of its
 * weights where the file does not say (Fitbit, openScale 3).
 */
export type ImportArgs = { userid: string | null, timezone: string | null, unit: MassUnit | null, };

/**
 * The CSV last previewed (`preview_csv`), read by the columns the person chose: the time, the
 * weight, optionally body fat in percent; the unit of its weights and the zone of its local
 * times.
 */
export type ImportCsvArgs = { userid: string | null, time: string, weight: string, fat: string | null, unit: MassUnit, zone: string | null, };

/**
 * What restoring a backup did. A backup only adds: nothing stored here is changed.
 */
export type ImportReport = { accounts: number, 
/**
 * Weigh-ins added.
 */
added: number, 
/**
 * Weigh-ins of the backup already here as they are.
 */
unchanged: number, 
/**
 * Weigh-ins of which this database holds a different copy under the same number (one
 * Withings changed since the backup, say), kept as they are here.
 */
skipped: number, 
/**
 * Account details (name, time zone, goal, unit, colour) kept over the backup's, in words.
 */
kept: Array<string>, 
/**
 * The counts in words (the window shows it as it is).
 */
summary: string, };

/**
 * What `heft import` did, by the kind of file.
 */
export type Imported = { "kind": "heft" } & ImportReport | { "kind": "withings" } & WithingsImport;

export type MassUnit = "kg" | "lb" | "st";

export type Method = "ema" | "holt-gentle" | "holt" | "holt-responsive" | "time-aware";

export type MethodArgs = { userid: string | null, method: Method, };

/**
 * The weigh-in nearest to `ts` (Unix seconds), within `within` seconds.
 */
export type NearArgs = { userid: string | null, unit: MassUnit, ts: number, within: number, };

/**
 * A note on a weigh-in; none (or only spaces) removes it.
 */
export type NoteArgs = { userid: string | null, grpid: number, note: string | null, };

/**
 * What the window shows before anything else.
 */
export type Overview = { 
/**
 * A Withings developer app is set up (client id and secret).
 */
configured: boolean, accounts: Array<AccountView>, unit: MassUnit, 
/**
 * The bundled simulator's address while the demo runs.
 */
demo_url: string | null, };

export type Phase = "fetching" | "reconciling" | "done";

/**
 * Where the plotting area sits in the image, in pixels, so a UI can map the pointer to a
 * date (hover values) without knowing the layout.
 */
export type PlotArea = { left: number, right: number, top: number, bottom: number, };

/**
 * What the settings page shows.
 */
export type Preferences = { 
/**
 * The unit of accounts without one of their own.
 */
unit: MassUnit, sync_on_launch: boolean, sync_every: SyncEvery, sync_every_minutes: number | null, theme: ThemeChoice, 
/**
 * Where the database, the settings and the exports live.
 */
data_dir: string, client_id: string | null, 
/**
 * A client secret for `client_id` is in the keychain (it is never shown); false unless
 * asked to check.
 */
client_secret_saved: boolean, 
/**
 * The exact callback URL to register with Withings.
 */
callback_url: string, 
/**
 * Set by the environment (`HEFT_WITHINGS_CLIENT_ID`), which wins over this page.
 */
client_id_from_environment: boolean, 
/**
 * The system locale (BCP 47) the window formats numbers and dates in; none: its default.
 */
locale: string | null, 
/**
 * A reminder after this many days without a weigh-in; none: no such reminder.
 */
remind_after_days: number | null, 
/**
 * Whether the system starts Heft at login, in the background, for its reminders; none
 * where Heft cannot offer it (the CLI).
 */
start_at_login: boolean | null, };

/**
 * `check_secret` also asks the keychain whether a client secret is saved (a round trip the
 * start path does not wait for).
 */
export type PreferencesArgs = { check_secret: boolean, };

/**
 * A CSV's first rows, for the window's column map: its headers and up to `n` rows.
 */
export type Preview = { headers: Array<string>, rows: Array<Array<string>>, };

/**
 * The last error of a sync, in words, with what to do about it.
 */
export type Problem = { code: string, message: string, fix: string, };

/**
 * A sync's progress after each page, for the account it belongs to.
 */
export type ProgressEvent = { userid: string, phase: Phase, pages: number, groups: number, 
/**
 * During a first download: the newest weigh-in date, the date back to which everything
 * is stored, and how much of the years since the first Withings scale is fetched, in
 * thousandths (windows further back are fetched at the same time).
 */
newest: number | null, reached: number | null, done_permille: number | null, 
/**
 * This download picks up where an interrupted one stopped.
 */
resumed: boolean, };

export type Provider = "withings" | "withings-oauth1" | "demo" | "local";

/**
 * A drawn chart and what the window needs for hover values.
 */
export type RenderedChart = { svg: string, area: PlotArea, from: number, to: number, 
/**
 * The first series' weigh-ins as drawn (x = Unix seconds), for hover values.
 */
points: Array<[number, number]>, 
/**
 * Every series drawn (weigh-ins, trends, stacked parts), downsampled like the drawing,
 * so the hover readout and the table view can give each one's value at a date.
 */
series: Array<Series>, y_label: string, 
/**
 * (Unix seconds, text) of the weigh-ins in view with a note (or a comment of their own),
 * for the hover readout.
 */
notes: Array<[number, string]>, };

export type ReviewArgs = { userid: string | null, grpid: number, mine: boolean, };

/**
 * An account's name, colour, own unit (none: the default) and goal in `goal_unit` (none
 * clears it).
 */
export type SaveAccountArgs = { userid: string, name: string, colour: string | null, unit: MassUnit | null, goal: number | null, goal_unit: MassUnit, };

export type SaveChartArgs = { chart: ChartArgs, format: ImageFormat, };

export type SavePreferencesArgs = { unit: MassUnit, sync_on_launch: boolean, sync_every: SyncEvery, theme: ThemeChoice, 
/**
 * Days without a weigh-in before a reminder; none: no such reminder.
 */
remind_after_days: number | null, 
/**
 * None: leave it as it is.
 */
start_at_login: boolean | null, };

/**
 * One series of a chart, by name.
 */
export type Series = { label: string, points: Array<[number, number]>, };

/**
 * Which weigh-ins the list shows.
 */
export type Show = "all" | "review" | "flagged";

export type ShowUnitArgs = { userid: string, unit: MassUnit, };

/**
 * Where a group came from. Sync owns `Withings` groups only: it never changes or removes a
 * weigh-in the person typed or imported.
 */
export type Source = "withings" | "manual" | "import";

/**
 * The window of a fat / lean split (Unix seconds; none: the last 90 days).
 */
export type SplitArgs = { userid: string | null, unit: MassUnit, from: number | null, to: number | null, };

/**
 * A split with its sentence, for the window.
 */
export type SplitView = { sentence: string, from: string, to: string, method: Method, weight_change_kg: number, fat_change_kg: number, lean_change_kg: number, 
/**
 * Weigh-ins with both a weight and a fat mass in the window.
 */
weigh_ins: number, };

/**
 * Where a weigh-in stands: the one rule every reader of weigh-ins follows (the trend and
 * charts, the list, the CSV and FIT exports).
 */
export type Standing = "counted" | "excluded" | "awaiting_review";

/**
 * [`TrendSummary`] in a unit, as a person reads it.
 */
export type SummaryText = { method: Method, method_label: string, trend: string, weekly_rate: string | null, change_30d: string | null, goal: string | null, 
/**
 * "Mar 2 – Apr 9, 2027 (most likely Mar 20)", or why there is no date.
 */
projected: string | null, bmi: string | null, date: string, };

/**
 * How often the window syncs while it is open.
 */
export type SyncEvery = "off" | "15m" | "hourly" | "daily";

/**
 * One sync, in words.
 */
export type SyncLine = { started: string, started_at: number, 
/**
 * "1.24 s", or "did not finish" when the process was stopped.
 */
took: string, took_ms: number | null, full: boolean, added: number, changed: number, removed: number, pages: number, error: string | null, 
/**
 * The person stopped it (not a failure).
 */
cancelled: boolean, changes: Array<ChangeLine>, };

export type SyncLogArgs = { userid: string | null, unit: MassUnit, limit: number, };

/**
 * What a sync did.
 */
export type SyncReport = { userid: string, full: boolean, added: number, changed: number, removed: number, pages: number, groups_received: number, };

/**
 * The window's colours.
 */
export type ThemeChoice = "system" | "light" | "dark";

/**
 * An error the window can act on: a stable `code` to branch on and a sentence for people.
 * Events that report a problem carry the same shape.
 */
export type UiError = { code: ErrorCode, message: string, };

export type UnitArgs = { userid: string | null, unit: MassUnit, };

export type UseridArgs = { userid: string, };

/**
 * A weigh-in as the list shows it.
 */
export type WeighInRow = { grpid: number, ts: number, date: string, 
/**
 * The local time as a form field holds it: "2026-11-30T07:15".
 */
local: string, weight: string, weight_kg: number, 
/**
 * The weight in the unit asked for (stones as a decimal), for the edit form: the
 * window converts no units.
 */
weight_value: number, fat_ratio: number | null, fat: string, source: Source, standing: Standing, 
/**
 * The person's reason for excluding it, if they gave one.
 */
reason: string | null, 
/**
 * "manual", "imported", "guest?": where it came from and what Withings said.
 */
flags: Array<string>, 
/**
 * The person's note on it.
 */
note: string | null, 
/**
 * Its own comment (Withings', or an imported file's such as Libra's log), apart from the
 * note: the note is the person's to change, the comment is not.
 */
comment: string | null, 
/**
 * Where it was read from besides the API: "Apple Health (Health Mate)", "Libra", …
 */
sources: Array<string>, 
/**
 * Why it is worth a second look, in words.
 */
anomalies: Array<string>, };

export type WeighInsArgs = { userid: string | null, unit: MassUnit, show: Show, };

/**
 * What importing a Withings export did.
 */
export type WithingsImport = { 
/**
 * The app whose export it was ("Withings", "Apple Health", "Libra", …).
 */
app: string, userid: string, 
/**
 * Weigh-ins added.
 */
imported: number, 
/**
 * Rows that are a weigh-in already stored (synced, imported before or typed by hand):
 * one within a minute with the same weight at the file's precision, each stored
 * weigh-in matched to one row only.
 */
already_stored: number, 
/**
 * Rows that repeat an earlier row exactly (the same second, the same values).
 */
exact_repeats: number, ignored_columns: Array<string>, 
/**
 * The zone the file's wall-clock times were read in, or "written" when every time is an
 * instant ("times read as written").
 */
timezone: string, 
/**
 * "--timezone", "devices.csv", "the account" or "this computer".
 */
timezone_from: string, 
/**
 * The counts in words, with the rule each follows (the window shows it as it is).
 */
summary: string, };
