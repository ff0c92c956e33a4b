/**
 * The window's one state store. Every load from the core goes through `load`, because the
 * commands answer in any order (none waits for another): an answer is used only if it is
 * still the answer to the newest request of its kind and the state it was asked for (the
 * account, the unit, the range…) is still the state on screen. A slow older answer is
 * dropped instead of overwriting a newer one.
 */
import type { AccountView, ChartKind, MassUnit, Range, RenderedChart, Show } from "./types";

export interface State {
  /** The account on screen; null before the first overview. */
  userid: string | null;
  account: AccountView | null;
  accounts: AccountView[];
  unit: MassUnit;
  kind: ChartKind;
  range: Range;
  show: Show;
  /** The window of the fat / lean split, dragged across the chart (none: the last 90 days). */
  window: { from: number; to: number } | null;
  /** The chart on screen, with the width it was drawn for. */
  chart: (RenderedChart & { width: number }) | null;
  syncing: boolean;
}

/** What `load` resolves to when the answer came too late to be used. */
export const STALE: unique symbol = Symbol("stale");
type Stale = typeof STALE;

/** What most answers depend on: whose data, in which unit. */
const ACCOUNT_AND_UNIT: (keyof State)[] = ["userid", "unit"];

export class Store {
  private state: State;
  private asked = new Map<string, number>();
  private watchers: { key: keyof State; fn: (s: Readonly<State>) => void }[] = [];

  constructor(initial: State) {
    this.state = { ...initial };
  }

  get(): Readonly<State> {
    return this.state;
  }

  set(patch: Partial<State>): void {
    const before = this.state;
    this.state = { ...this.state, ...patch };
    for (const w of this.watchers) if (before[w.key] !== this.state[w.key]) w.fn(this.state);
  }

  /** Calls `fn` after each change of `key` (not for the value it has now). */
  watch(key: keyof State, fn: (s: Readonly<State>) => void): void {
    this.watchers.push({ key, fn });
  }

  /**
   * Asks `fetch` with the current state as the newest request of `kind`. Resolves to the
   * answer, or to `STALE` if a newer request of the same kind was made meanwhile or any of
   * `dependsOn` changed; a failure is thrown only while the request is current.
   */
  async load<T>(kind: string, fetch: (s: Readonly<State>) => Promise<T>, dependsOn = ACCOUNT_AND_UNIT): Promise<T | Stale> {
    const n = (this.asked.get(kind) ?? 0) + 1;
    this.asked.set(kind, n);
    const asked = this.state;
    const current = () => this.asked.get(kind) === n && dependsOn.every((k) => this.state[k] === asked[k]);
    try {
      const answer = await fetch(asked);
      return current() ? answer : STALE;
    } catch (e) {
      if (current()) throw e;
      return STALE;
    }
  }
}

export const store = new Store({
  userid: null, account: null, accounts: [], unit: "kg", kind: "weight", range: "90d", show: "all",
  window: null, chart: null, syncing: false,
});
