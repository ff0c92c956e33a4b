/**
 * Trends: the trend method and which weigh-in stands for a day, weekly or monthly averages,
 * how well each method predicts the person (backtest), what a change was made of (fat and
 * lean over the window dragged on the chart), the latest body measures.
 */
import { part, reload, unlessNoData } from "../app";
import { $, arrowKeys, el, button, setSelected, showMessage } from "../dom";
import { explain, period } from "../format";
import { commands } from "../ipc";
import { STALE, store } from "../store";
import type { AccountView, DayReading, Method } from "../types";

/** Measures the chart's tabs show already; the body card lists the others. */
const CHARTED = ["weight", "fat-ratio", "fat-mass", "lean-mass"];

/** The split of the trend change in fat and lean over the chosen window (or the last 90 days). */
export async function loadSplit(): Promise<void> {
  const sentence = $("split-sentence");
  try {
    const s = await store.load("split", (st) =>
      commands.split({ userid: st.userid, unit: st.unit, from: st.window?.from ?? null, to: st.window?.to ?? null }),
      ["userid", "unit", "window"],
    );
    if (s === STALE) return;
    sentence.textContent = s.sentence;
    // Said under the chart too, where the window was dragged.
    const dragged = $("chart-window");
    dragged.hidden = !store.get().window;
    dragged.textContent = s.sentence + " — more under Trends (Alt+3).";
    const total = Math.abs(s.fat_change_kg) + Math.abs(s.lean_change_kg) || 1;
    const [fat, lean] = [...$("split-bar").children] as HTMLElement[];
    fat.style.width = ((100 * Math.abs(s.fat_change_kg)) / total).toFixed(1) + "%";
    lean.style.width = ((100 * Math.abs(s.lean_change_kg)) / total).toFixed(1) + "%";
  } catch (e) {
    sentence.textContent = (e as { code?: string })?.code === "no_data" ? "No weigh-ins with a fat mass in this window." : explain(e);
  }
}

async function loadBacktest(): Promise<void> {
  const body = $("backtest");
  try {
    const rows = await store.load("backtest", (s) => commands.backtest({ userid: s.userid, unit: s.unit }));
    if (rows === STALE) return;
    const inUse = $<HTMLSelectElement>("method").value;
    body.replaceChildren(
      ...rows.map((r, i) => {
        const tr = el("tr");
        tr.dataset.method = r.method;
        tr.append(el("td", r.label + (i === 0 ? " — best for you" : ""), i === 0 ? "best" : undefined));
        tr.append(el("td", `${r.error} (${r.predictions} weigh-ins)`));
        const use = el("td");
        if (r.method !== inUse) use.append(button("Use", () => void setMethod(r.method)));
        else use.textContent = "in use";
        tr.append(use);
        return tr;
      }),
    );
  } catch (e) {
    body.replaceChildren();
    unlessNoData(e, "The trend methods could not be compared");
  }
}

/** Weeks or months, as chosen in the period tabs. */
let monthly = false;

async function loadAverages(): Promise<void> {
  const body = $("averages");
  try {
    const asked = monthly;
    const rows = await store.load("averages", (s) => commands.averages({ userid: s.userid, unit: s.unit, monthly: asked }));
    if (rows === STALE) return;
    body.replaceChildren(
      ...rows.slice(0, 12).map((r) => {
        const tr = el("tr");
        tr.dataset.start = r.start;
        for (const text of [period(r.start, asked), String(r.weigh_ins), r.mean, r.trend ?? "—", r.change ?? "—"]) tr.append(el("td", text));
        return tr;
      }),
    );
  } catch (e) {
    body.replaceChildren();
    unlessNoData(e, "The averages could not be worked out");
  }
}

async function loadBody(): Promise<void> {
  const card = $("body-card");
  try {
    const rows = await store.load("body", (s) => commands.body({ userid: s.userid }), ["userid"]);
    if (rows === STALE) return;
    const body = $("body");
    body.replaceChildren(
      ...rows
        .filter((r) => !CHARTED.includes(r.key))
        .map((r) => {
          const tr = el("tr");
          for (const text of [r.name, r.value + (r.unit ? " " + r.unit : ""), r.date]) tr.append(el("td", text));
          return tr;
        }),
    );
    card.hidden = body.children.length === 0;
  } catch (e) {
    card.hidden = true;
    unlessNoData(e, "The body measures could not be read");
  }
}

/** Chooses the account's trend method: every chart and figure is worked out again with it. */
export async function setMethod(method: Method): Promise<void> {
  try {
    await commands.setMethod({ userid: store.get().userid, method });
    $<HTMLSelectElement>("method").value = method;
    await reload();
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

/** Chooses which weigh-in stands for a day: the daily trends, their backtest and the figures follow. */
async function setDayReading(day_reading: DayReading): Promise<void> {
  try {
    await commands.setDayReading({ userid: store.get().userid, day_reading });
    await reload();
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

/** The account's own choices, as the overview says them. */
function showAccount(a: AccountView): void {
  $<HTMLSelectElement>("method").value = a.method;
  $<HTMLSelectElement>("day-reading").value = a.day_reading;
}

export function wireTrends(): void {
  $<HTMLSelectElement>("method").addEventListener("change", (ev) => void setMethod((ev.target as HTMLSelectElement).value as Method));
  $<HTMLSelectElement>("day-reading").addEventListener("change", (ev) =>
    void setDayReading((ev.target as HTMLSelectElement).value as DayReading),
  );
  const periods = $("period-tabs");
  periods.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>("button");
    if (!b) return;
    monthly = b.dataset.period === "month";
    setSelected(periods, "aria-checked", b.dataset.period ?? "week", "period");
    void loadAverages();
  });
  arrowKeys(periods);
  part({ show: showAccount });
  part({ load: loadAverages, view: "trends" });
  part({ load: loadSplit, view: "trends" });
  part({ load: loadBacktest, view: "trends" });
  part({ load: loadBody, view: "trends" });
}
