/** Overview: today's figures (trend weight, its pace, BMI), the goal, and the chart. */
import { part, refresh, unlessNoData } from "../app";
import { $, arrowKeys, setSelected, showMessage } from "../dom";
import { explain } from "../format";
import { commands } from "../ipc";
import { STALE, store } from "../store";
import type { MassUnit } from "../types";

const FIGURES = ["trend-weight", "change-30d", "weekly-rate"];

async function loadSummary(): Promise<void> {
  try {
    const s = await store.load("summary", (st) => commands.summary({ userid: st.userid, unit: st.unit }));
    if (s === STALE) return;
    $("trend-weight").textContent = s.trend;
    $("change-30d").textContent = s.change_30d ?? "—";
    $("weekly-rate").textContent = s.weekly_rate ?? "—";
    $("bmi").textContent = s.bmi ?? "—";
    $("bmi-figure").hidden = !s.bmi;
    const goal = $("goal-line");
    goal.textContent = s.goal ? "Goal " + s.goal + " · " + s.projected : "";
    goal.hidden = !s.goal;
  } catch (e) {
    for (const id of FIGURES) $(id).textContent = "—";
    unlessNoData(e, "Today's figures could not be worked out");
  }
}

export function wireOverview(): void {
  part({ first: true, load: loadSummary, view: "overview" });
  wireUnit();
}

/** kg, lb or st: saved as the account's unit (or the default), then everything is shown in it. */
function wireUnit(): void {
  const tabs = $("unit-tabs");
  tabs.addEventListener("click", async (ev) => {
    const b = (ev.target as HTMLElement).closest("button");
    const userid = store.get().userid;
    if (!b || !userid) return;
    const unit = b.dataset.unit as MassUnit;
    store.set({ unit });
    setSelected(tabs, "aria-checked", unit, "unit");
    await commands.showUnit({ userid, unit }).catch((e) => showMessage("The unit could not be saved: " + explain(e), "error"));
    await refresh();
  });
  arrowKeys(tabs);
  part({ show: (a) => setSelected(tabs, "aria-checked", a.unit, "unit") });
}
