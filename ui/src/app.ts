/**
 * What every view shares: the account on screen and how the window reloads after a change.
 * Views register what they show (`part`); `refresh` asks the core for the overview, updates
 * the store and has each part show its account at once, and load its data when its view is
 * on screen: a hidden view loads when it is shown (nothing is asked for that nobody sees).
 */
import { commands } from "./ipc";
import { $, showMessage } from "./dom";
import { date, explain } from "./format";
import { currentView, onShow, VIEWS, type View } from "./nav";
import { STALE, store } from "./store";
import type { AccountView, Overview } from "./types";

interface Part {
  /** Shows what the overview says (the account's name, unit, goal…), at once. */
  show?: (account: AccountView, overview: Overview) => void;
  /** Loads the part's data for the account on screen. */
  load?: () => Promise<void>;
  /** Loaded before the rest: what a person looks at first (the chart, the figures). */
  first?: boolean;
  /** The view it is on; its data loads while that view is shown (none: always). */
  view?: View;
}

const parts: Part[] = [];
/** Each refresh's number, and the refresh each part last loaded for. */
let generation = 0;
const loadedFor = new Map<Part, number>();

export function part(p: Part): void {
  parts.push(p);
}

/** The name a person gave the account, else what it is. */
export function accountLabel(a: AccountView | null): string {
  if (!a) return "";
  if (a.name) return a.name;
  if (a.provider === "local") return "On this computer (no Withings account)";
  return (a.demo ? "Demo user " : "Withings user ") + a.userid;
}

/**
 * Asks for the overview (or takes the answer to one asked already, at start) and shows it:
 * the welcome screen without accounts, else the account on screen with every part reloaded.
 * Resolves to whether there is an account.
 */
export async function refresh(asked?: Promise<Overview>): Promise<boolean> {
  const ov = await store.load("overview", () => asked ?? commands.overview(), []);
  if (ov === STALE) return store.get().accounts.length > 0; // a newer refresh shows it
  if (ov.demo_url) {
    $("demo-url").textContent = "Demo simulator: " + ov.demo_url;
    $("demo-url").hidden = false;
  }
  const none = ov.accounts.length === 0;
  $("welcome").hidden = !none;
  $("app").hidden = none;
  if (none) {
    store.set({ accounts: [], account: null, userid: null, unit: ov.unit });
    return false;
  }
  const { userid } = store.get();
  const account = ov.accounts.find((a) => a.userid === userid) ?? ov.accounts[0];
  store.set({ accounts: ov.accounts, account, userid: account.userid, unit: account.unit ?? ov.unit });
  for (const p of parts) p.show?.(account, ov);
  await reload();
  return true;
}

/** Everything loaded is out of date (a change to the data or the method): the view on screen
 * loads again now, the others when shown. */
export function reload(): Promise<void> {
  generation += 1;
  return loadAll();
}

/** Loads `ps` for this refresh. */
function load(ps: Part[]): Promise<unknown> {
  return Promise.all(
    ps.map((p) => {
      loadedFor.set(p, generation);
      return p.load!();
    }),
  );
}

/** What the view on screen shows: the chart and the figures first, then the rest around them. */
async function loadAll(): Promise<void> {
  const shown = parts.filter((p) => p.load && (!p.view || p.view === currentView()));
  await load(shown.filter((p) => p.first));
  await load(shown.filter((p) => !p.first));
}

/**
 * A view shown loads what it has not loaded since the last refresh; `body[data-loading]`
 * counts those loads while they run (the end-to-end tests wait for it).
 */
export function wireLazyViews(): void {
  const busy = document.body.dataset;
  for (const v of VIEWS) {
    onShow(v, () => {
      if (store.get().accounts.length === 0) return;
      const todo = parts.filter((p) => p.load && p.view === v && loadedFor.get(p) !== generation);
      if (todo.length === 0) return;
      busy.loading = String(Number(busy.loading ?? 0) + 1);
      void load(todo).finally(() => {
        busy.loading = String(Number(busy.loading ?? 1) - 1);
      });
    });
  }
}

/** Runs a change to the data, then shows everything again; errors are said, never swallowed. */
export async function change(what: () => Promise<unknown>, done?: string): Promise<void> {
  try {
    await what();
    if (done) showMessage(done);
    await refresh();
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

/** Too few weigh-ins is a state the view shows ("—"); anything else is said out loud. */
export function unlessNoData(e: unknown, what: string): void {
  if ((e as { code?: string } | null)?.code === "no_data") return;
  showMessage(what + ": " + explain(e), "error");
}

/** Dates in the account's time zone, as the charts use it. */
export function timeZone(): string | null {
  return store.get().account?.timezone ?? null;
}

/** A moment as every date on the page: in the account's time zone. */
export function when(ts: number | null | undefined, withTime = true): string {
  return date(ts, timeZone(), withTime);
}
