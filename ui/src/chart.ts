/**
 * The chart: drawn by the core as SVG for the width it is shown at, read with the pointer
 * (hover) or the keyboard (arrow keys, Enter), as a table, and dragged across to choose the
 * window of the fat / lean split. What the chart shows is also on `#chart` as data
 * attributes (data-from, data-to, data-points, …) for the end-to-end tests.
 */
import { change, part, when } from "./app";
import { $, afterPaint, arrowKeys, button, el, setSelected, showMessage } from "./dom";
import { decimal, explain } from "./format";
import { commands } from "./ipc";
import { STALE, store } from "./store";
import { isDark } from "./theme";
import type { ChartArgs, ImageFormat, ChartKind, Range } from "./types";
import { loadSplit } from "./views/trends";
import { standingButtons } from "./views/weigh-ins";

/** The last chart shown, kept between launches: asked for at once at the next start. */
const LAST_CHART = "heft.lastChart";
let early: { key: string; answer: Promise<unknown> } | null = null;
/** The point the keyboard or the pointer reads, by index into the chart's points. */
let hover: number | undefined;
/** Where a drag across the chart started (Unix seconds). */
let dragFrom: number | null = null;

/** The data attributes `loadChart` sets on #chart. */
const DRAWN = ["from", "to", "points", "width", "newest", "plotLeft", "plotRight"];

/** Asks for the chart of the last launch before the page is laid out (it usually is the same). */
export function askEarlyChart(): void {
  try {
    const args = JSON.parse(localStorage.getItem(LAST_CHART) ?? "null") as ChartArgs | null;
    if (args && typeof args === "object") {
      early = { key: JSON.stringify(args), answer: commands.chart(args).catch(() => null) };
    }
  } catch {
    early = null;
  }
}

/** The chart's size: the width it has on screen (none while its view is hidden). */
function size(): { width: number; height: number } {
  const width = Math.max(320, Math.round($("chart").clientWidth || 900));
  return { width, height: Math.max(240, Math.round(width * 0.42)) };
}

function chartArgs(): ChartArgs {
  const s = store.get();
  return { userid: s.userid, kind: s.kind, range: s.range, unit: s.unit, dark: isDark(), ...size() };
}

/** Draws the chart at its real size; a chart asked for while hidden is asked again on show. */
export async function loadChart(): Promise<void> {
  const box = $("chart");
  if (box.offsetParent === null) {
    box.dataset.stale = "yes";
    return;
  }
  delete box.dataset.stale;
  const args = chartArgs();
  const key = JSON.stringify(args);
  const answer = early?.key === key ? early.answer : null;
  early = null;
  try {
    const c = await store.load(
      "chart",
      async () => ((await answer) as Awaited<ReturnType<typeof commands.chart>> | null) ?? commands.chart(args),
      ["userid", "unit", "range", "kind"],
    );
    if (c === STALE) return;
    if (!document.body.dataset.firstChartMs) {
      try {
        localStorage.setItem(LAST_CHART, key);
      } catch {
        // Without storage the next launch asks for its chart after the layout.
      }
    }
    store.set({ chart: { ...c, width: args.width } });
    hover = undefined;
    // The SVG comes from Heft's own renderer (no scripts), drawn for this width.
    box.innerHTML = c.svg;
    const cursor = el("div", undefined, "cursor");
    cursor.hidden = true;
    box.append(cursor);
    // What is drawn, for the end-to-end tests: the time span, the points, the newest one and
    // the plot's edges in the drawing's pixels (`width` wide).
    Object.assign(box.dataset, {
      from: String(c.from), to: String(c.to), points: String(c.points.length), width: String(args.width),
      newest: String(c.points[c.points.length - 1]?.[0] ?? ""), plotLeft: String(c.area.left), plotRight: String(c.area.right),
    });
    // When the first chart was on screen, counted from the page's start (for `make bench`).
    if (!document.body.dataset.firstChartMs) {
      afterPaint(() => {
        document.body.dataset.firstChartMs = String(Math.round(performance.now()));
      });
    }
    fillTable();
  } catch (e) {
    store.set({ chart: null });
    for (const k of DRAWN) delete box.dataset[k];
    box.replaceChildren(el("p", (e as { code?: string })?.code === "no_data" ? "Nothing to show in this range yet." : explain(e), "muted"));
    fillTable();
  }
}

/** Draws the chart again if it was asked for while hidden (its view calls this on show). */
export function chartShown(): void {
  if ($("chart").dataset.stale) void loadChart();
}

/** A value as the chart's axis gives it: one decimal and the axis's unit ("78.4 kg", "21.5 %"). */
function valueText(v: number): string {
  const c = store.get().chart;
  return decimal(v) + " " + (c?.y_label ?? "");
}

/** The index of the point of `pts` (in time order, not empty) nearest to `ts`. */
function nearestIn(pts: [number, number][], ts: number): number {
  let lo = 0;
  let hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid][0] < ts) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(pts[lo - 1][0] - ts) < Math.abs(pts[lo][0] - ts)) lo -= 1;
  return lo;
}

/** A series' value at a date: its nearest point within a day and a half, else none. */
function nearestValue(pts: [number, number][], ts: number): number | null {
  if (pts.length === 0) return null;
  const i = nearestIn(pts, ts);
  return Math.abs(pts[i][0] - ts) <= 1.5 * 86400 ? pts[i][1] : null;
}

/** Every series' value at a date, for the readout; the first series is the one read. */
function valuesAt(ts: number, first: number): string[] {
  const c = store.get().chart!;
  const many = c.series.length > 1;
  return c.series
    .map((s, k) => {
      const v = k === 0 ? first : nearestValue(s.points, ts);
      return v == null ? null : (many ? s.label + " " : "") + valueText(v);
    })
    .filter((t): t is string => t != null);
}

/** The chart's points as a table (for keyboards and screen readers), newest first; filled when open. */
function fillTable(): void {
  const table = $("chart-table");
  const c = store.get().chart;
  table.replaceChildren();
  if (!c || !$<HTMLDetailsElement>("chart-table-box").open) return;
  const head = el("tr");
  for (const t of ["Date", ...c.series.map((s) => s.label)]) {
    const th = el("th", t);
    th.scope = "col";
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const [ts, v] of [...c.points].reverse()) {
    const tr = el("tr");
    const th = el("th", when(ts));
    th.scope = "row";
    tr.append(th);
    c.series.forEach((s, k) => {
      const x = k === 0 ? v : nearestValue(s.points, ts);
      tr.append(el("td", x == null ? "" : valueText(x)));
    });
    body.append(tr);
  }
  table.append(thead, body);
}

/** Reads the point at `index` (clamped): its date and every series' value, and a cursor. */
function showNearest(index: number): void {
  const c = store.get().chart;
  if (!c || c.points.length === 0) return;
  const i = Math.max(0, Math.min(c.points.length - 1, index));
  hover = i;
  const [ts, v] = c.points[i];
  const box = $("chart");
  const scale = box.clientWidth / c.width;
  const x = c.area.left + ((ts - c.from) / (c.to - c.from)) * (c.area.right - c.area.left);
  const tip = $("tooltip");
  const note = c.notes.find(([t]) => t === ts)?.[1];
  tip.textContent = [when(ts, false), ...valuesAt(ts, v), ...(note ? [`“${note}”`] : [])].join(" · ");
  tip.style.left = box.offsetLeft + x * scale + "px";
  tip.style.top = box.offsetTop + c.area.top * scale + 24 + "px";
  tip.hidden = false;
  const cursor = box.querySelector<HTMLElement>(".cursor");
  if (cursor) {
    cursor.style.left = x * scale + "px";
    cursor.hidden = false;
  }
}

function hideHover(): void {
  $("tooltip").hidden = true;
  const cursor = $("chart").querySelector<HTMLElement>(".cursor");
  if (cursor) cursor.hidden = true;
}

/** The time (Unix seconds) under the pointer, or null outside the plot. */
function chartTime(ev: MouseEvent): number | null {
  const c = store.get().chart;
  if (!c) return null;
  const rect = $("chart").getBoundingClientRect();
  const x = ((ev.clientX - rect.left) / rect.width) * c.width;
  if (x < c.area.left || x > c.area.right) return null;
  return c.from + ((x - c.area.left) / (c.area.right - c.area.left)) * (c.to - c.from);
}

/** The weigh-in nearest to a time on the chart, with what can be done about it. */
async function showPoint(ts: number): Promise<void> {
  const panel = $("point");
  const c = store.get().chart;
  // Within three plot pixels of the click.
  const within = c ? Math.max(3600, Math.round((3 * (c.to - c.from)) / Math.max(1, c.area.right - c.area.left))) : 86400;
  try {
    const r = await store.load("point", (s) => commands.weighInNear({ userid: s.userid, unit: s.unit, ts: Math.round(ts), within }));
    if (r === STALE) return;
    panel.replaceChildren();
    if (!r) {
      panel.hidden = true;
      return;
    }
    const notes = [r.standing === "excluded" ? "excluded" : r.standing === "awaiting_review" ? "maybe a guest" : "", ...r.anomalies].filter(Boolean);
    panel.dataset.grpid = String(r.grpid);
    panel.append(el("span", `${when(r.ts)} · ${r.weight}` + (notes.length ? " — " + notes.join("; ") : "")));
    const act = (what: () => Promise<unknown>, done: string) =>
      change(async () => {
        await what();
        panel.hidden = true;
      }, done);
    panel.append(...standingButtons(r, act));
    panel.append(button("Close", () => {
      panel.hidden = true;
      $("chart").focus();
    }));
    panel.hidden = false;
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

async function saveChart(format: ImageFormat): Promise<void> {
  const out = $("chart-saved");
  try {
    const path = await commands.saveChart({ chart: chartArgs(), format });
    out.textContent = path ? "Saved the chart to " + path + "." : "";
  } catch (e) {
    out.textContent = "The chart was not saved: " + explain(e);
  }
}

export function wireChart(): void {
  const box = $("chart");
  for (const [id, attr, key] of [["kind-tabs", "aria-selected", "kind"], ["range-tabs", "aria-selected", "range"]] as const) {
    const group = $(id);
    group.addEventListener("click", (ev) => {
      const b = (ev.target as HTMLElement).closest("button");
      if (!b) return;
      const value = b.dataset[key]!;
      store.set(key === "kind" ? { kind: value as ChartKind } : { range: value as Range });
      setSelected(group, attr, value, key);
      void loadChart();
    });
    arrowKeys(group);
    setSelected(group, attr, store.get()[key], key);
  }
  $("chart-table-box").addEventListener("toggle", fillTable);
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-save-chart]")) {
    b.addEventListener("click", () => void saveChart(b.dataset.saveChart as ImageFormat));
  }
  // A press and a release on the same day reads that weigh-in; a drag across days chooses the
  // window of the fat / lean split.
  box.addEventListener("mousedown", (ev) => {
    dragFrom = chartTime(ev);
  });
  box.addEventListener("mouseup", (ev) => {
    const start = dragFrom;
    dragFrom = null;
    const end = chartTime(ev);
    if (start == null || end == null) return;
    if (Math.abs(end - start) < 86400) {
      void showPoint(end);
      return;
    }
    store.set({ window: { from: Math.round(Math.min(start, end)), to: Math.round(Math.max(start, end)) } });
    void loadSplit();
  });
  box.addEventListener("mousemove", (ev) => {
    const t = chartTime(ev);
    const c = store.get().chart;
    if (t == null || !c || c.points.length === 0) return hideHover();
    showNearest(nearestIn(c.points, t));
  });
  box.addEventListener("mouseleave", hideHover);
  box.addEventListener("blur", hideHover);
  box.addEventListener("keydown", (ev) => {
    const c = store.get().chart;
    if (!c || c.points.length === 0) return;
    const last = c.points.length - 1;
    const i = hover ?? last;
    if (ev.key === "ArrowLeft") showNearest(i - 1);
    else if (ev.key === "ArrowRight") showNearest(i + 1);
    else if (ev.key === "Enter" && hover !== undefined) void showPoint(c.points[hover][0]);
    else if (ev.key === "Home") showNearest(0);
    else if (ev.key === "End") showNearest(last);
    else return;
    ev.preventDefault();
  });
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => void loadChart(), 200);
  });
  part({ first: true, load: loadChart, view: "overview" });
  // The chart asked for at launch is the first refresh's: after a sync or a change the data
  // it was drawn from is older than what is stored.
  let refreshes = 0;
  part({
    show: () => {
      refreshes += 1;
      if (refreshes > 1) early = null;
    },
  });
}
