/**
 * The only module that talks to the shell: every command and every event goes through here.
 *
 * `commands` has the shape of the generated `ui/src/bindings/commands.ts` (one `args` object
 * per command, snake_case keys, camelCase names), so the merge with the Rust side's generated
 * bindings swaps this body for a re-export. Until then the shell's commands take flat
 * camelCase parameters, which `call` makes of the same `args`.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AccountSyncView, BacktestRow, BodyFigure, ChartArgs, ChartFormat, ExportKind, ExportSummary,
  Health, Imported, MassUnit, Method, Overview, Preferences, ProgressEvent, RenderedChart, Show,
  SplitView, SummaryText, SyncEvery, SyncLine, ThemeChoice, UiError, WeighInRow,
} from "./types";

/** `fat_ratio` → `fatRatio`: how Tauri names a Rust command's parameters on the JS side. */
export function camelCaseKeys(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** `weighIns` → `weigh_ins`: the Rust command's name. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

function call<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  return invoke<T>(snake(name), camelCaseKeys(args));
}

type Userid = { userid: string | null };

export const commands = {
  overview: (): Promise<Overview> => call("overview"),
  keychainProblem: (): Promise<UiError | null> => call("keychainProblem"),
  credentials: (args: { client_id: string; client_secret: string }): Promise<void> => call("credentials", args),
  connect: (): Promise<string> => call("connect"),
  demo: (): Promise<string> => call("demo"),
  sync: (args: Userid): Promise<AccountSyncView[]> => call("sync", args),
  chart: (args: ChartArgs): Promise<RenderedChart> => call("chart", { ...args }),
  saveChart: (args: { chart: ChartArgs; format: ChartFormat }): Promise<string | null> =>
    call("saveChart", { ...args.chart, format: args.format }),
  summary: (args: Userid & { unit: MassUnit }): Promise<SummaryText> => call("summary", args),
  weighIns: (args: Userid & { unit: MassUnit; show: Show }): Promise<WeighInRow[]> => call("weighIns", args),
  weighInNear: (args: Userid & { unit: MassUnit; ts: number; within: number }): Promise<WeighInRow | null> =>
    call("weighInNear", args),
  syncLog: (args: Userid & { unit: MassUnit; limit: number }): Promise<SyncLine[]> => call("syncLog", args),
  exclude: (args: Userid & { grpid: number; excluded: boolean; reason: string | null }): Promise<void> =>
    call("exclude", args),
  review: (args: Userid & { grpid: number; mine: boolean }): Promise<void> => call("review", args),
  addEntry: (args: Userid & { weight: string; unit: MassUnit; fat_ratio: string | null; at: string | null }): Promise<number> =>
    call("addEntry", args),
  editEntry: (
    args: Userid & { grpid: number; weight: string; unit: MassUnit; fat_ratio: string | null; at: string | null },
  ): Promise<void> => call("editEntry", args),
  removeEntry: (args: Userid & { grpid: number }): Promise<void> => call("removeEntry", args),
  saveAccount: (args: {
    userid: string; name: string; colour: string | null; unit: MassUnit | null; goal: number | null; goal_unit: MassUnit;
  }): Promise<void> => call("saveAccount", args),
  showUnit: (args: { userid: string; unit: MassUnit }): Promise<void> => call("showUnit", args),
  importChosen: (args: Userid & { timezone: string | null }): Promise<Imported | null> => call("importChosen", args),
  exportData: (args: Userid & { format: ExportKind }): Promise<ExportSummary | null> => call("exportData", args),
  cancel: (): Promise<void> => call("cancel"),
  health: (args: Userid): Promise<Health> => call("health", args),
  preferences: (args: { check_secret: boolean }): Promise<Preferences> => call("preferences", args),
  savePreferences: (args: {
    unit: MassUnit; sync_on_launch: boolean; sync_every: SyncEvery; theme: ThemeChoice;
  }): Promise<Preferences> => call("savePreferences", args),
  openDataFolder: (): Promise<void> => call("openDataFolder"),
  disconnect: (args: { userid: string; delete_data: boolean }): Promise<void> => call("disconnect", args),
  reconnect: (args: { userid: string }): Promise<string> => call("reconnect", args),
  setMethod: (args: Userid & { method: Method }): Promise<void> => call("setMethod", args),
  backtest: (args: Userid & { unit: MassUnit }): Promise<BacktestRow[]> => call("backtest", args),
  split: (args: Userid & { unit: MassUnit; from: number | null; to: number | null }): Promise<SplitView> =>
    call("split", args),
  body: (args: Userid): Promise<BodyFigure[]> => call("body", args),
  removeDemo: (args: { userid: string }): Promise<void> => call("removeDemo", args),
};

/** The shell's events, each with its payload. */
export interface Events {
  "sync-progress": ProgressEvent;
  "sync-waiting": UiError;
  "callback-rejected": UiError;
  "keychain-problem": UiError;
}

/** Listens to one of the shell's events; resolves once the shell has registered the listener. */
export function on<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): Promise<UnlistenFn> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}
