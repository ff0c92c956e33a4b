/** Your data: another app's export (Withings, Apple Health, Fitbit, openScale, Libra) or a Heft backup imported, everything exported. */
import { refresh } from "../app";
import { $ } from "../dom";
import { count, explain } from "../format";
import { commands } from "../ipc";
import { store } from "../store";
import type { ExportChoice, Imported, MassUnit } from "../types";

/** The core's own words for what an import did (added, matched, repeated, and by which rule). */
function importSentence(r: Imported): string {
  if (r.kind === "withings") {
    let t = `${r.summary} from ${r.app}; times read as ${r.timezone} (from ${r.timezone_from}).`;
    if (r.ignored_columns.length) t += " Ignored columns: " + r.ignored_columns.join(", ") + ".";
    return t;
  }
  return `${r.summary}.`;
}

/**
 * A file chosen in the native dialog, imported into `userid` (none: as the file says), its
 * local times in `timezone` and its weights in `unit` where the file does not say; `out` says
 * how it went.
 */
export async function importChosen(
  out: HTMLElement,
  userid: string | null,
  timezone: string | null,
  unit: MassUnit | null,
): Promise<void> {
  out.textContent = "Choose the file to import…";
  try {
    const r = await commands.importChosen({ userid, timezone, unit });
    out.textContent = r ? importSentence(r) : "";
    if (r) await refresh();
  } catch (e) {
    out.textContent = "Nothing was imported: " + explain(e);
  }
}

async function exportData(format: ExportChoice): Promise<void> {
  const out = $("import-result");
  try {
    const r = await commands.exportData({ userid: store.get().userid, format });
    out.textContent = r ? `Exported ${count(r.items)} ${format === "json" ? "measurement groups" : "weigh-ins"} to ${r.path}.` : "";
  } catch (e) {
    out.textContent = explain(e);
  }
}

export function wireYourData(): void {
  $("import-button").addEventListener("click", () =>
    void importChosen(
      $("import-result"),
      store.get().userid,
      $<HTMLInputElement>("import-tz").value.trim() || null,
      ($<HTMLSelectElement>("import-unit").value || null) as MassUnit | null,
    ),
  );
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-export]")) {
    b.addEventListener("click", () => void exportData(b.dataset.export as ExportChoice));
  }
}
