/**
 * The views a person moves between: a tab list (WAI-ARIA: arrow keys, Home and End move and
 * choose, Tab reaches the chosen one), a shortcut for each (Alt+1…Alt+6, named in each tab's
 * title and aria-keyshortcuts), and the last view remembered across restarts.
 */
import { $, arrowKeys } from "./dom";

export const VIEWS = ["overview", "weigh-ins", "trends", "your-data", "accounts", "settings"] as const;
export type View = (typeof VIEWS)[number];

const REMEMBERED = "heft.view";
const hooks = new Map<View, (() => void)[]>();
let current: View = "overview";

function isView(v: unknown): v is View {
  return (VIEWS as readonly unknown[]).includes(v);
}

/** Runs `f` each time `view` is shown (a chart asked for while hidden is drawn then). */
export function onShow(view: View, f: () => void): void {
  hooks.set(view, [...(hooks.get(view) ?? []), f]);
}

/** The view on screen. */
export function currentView(): View {
  return current;
}

/** The view of the last launch; the overview at first. */
function rememberedView(): View {
  try {
    const v = localStorage.getItem(REMEMBERED);
    return isView(v) ? v : "overview";
  } catch {
    return "overview";
  }
}

/** Shows `view` and hides the others; `focus` moves the keyboard to its tab. */
export function showView(view: View, focus = false): void {
  for (const v of VIEWS) {
    const on = v === view;
    const tab = $("tab-" + v);
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $("view-" + v).hidden = !on;
  }
  try {
    localStorage.setItem(REMEMBERED, view);
  } catch {
    // Without storage the next launch starts with the overview.
  }
  current = view;
  if (focus) $("tab-" + view).focus();
  for (const f of hooks.get(view) ?? []) f();
}

/** Alt+1…Alt+6 by the key's place (ev.code), so a layout whose Alt+digit types a sign still works. */
function shortcut(ev: KeyboardEvent): View | null {
  if (!ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return null;
  const digit = /^Digit([1-9])$/.exec(ev.code)?.[1] ?? (/^[1-9]$/.test(ev.key) ? ev.key : null);
  return digit ? (VIEWS[Number(digit) - 1] ?? null) : null;
}

export function wireNav(): void {
  const bar = $("views");
  bar.addEventListener("click", (ev) => {
    const v = (ev.target as HTMLElement).closest<HTMLElement>("[data-view]")?.dataset.view;
    if (isView(v)) showView(v);
  });
  arrowKeys(bar);
  document.addEventListener("keydown", (ev) => {
    const v = shortcut(ev);
    if (!v) return;
    ev.preventDefault();
    showView(v, true);
  });
  showView(rememberedView());
}
