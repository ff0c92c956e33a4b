/** Your data: a Withings export or a Heft backup imported, everything exported. */
import { refresh } from "../app";
import { $ } from "../dom";
import { count, explain } from "../format";
import { commands } from "../ipc";
import { store } from "../store";
import type { ExportKind, Imported } from "../types";

/** The core's own words for what an import did (added, matched, repeated, and by which rule). */
function importSentence(r: Imported): string {
  if (r.kind === "withings") {
    let t = `${r.summary}; times read as ${r.timezone} (from ${r.timezone_from}).`;
    if (r.ignored_columns.length) t += " Ignored columns: " + r.ignored_columns.join(", ") + ".";
    return t;
  }
  return `${r.summary}.`;
}

/** A file chosen in the native dialog, imported into `userid` (none: as the file says); `out` says how it went. */
export async function importChosen(out: HTMLElement, userid: string | null, timezone: string | null): Promise<void> {
  out.textContent = "Choose the file to import…";
  try {
    const r = await commands.importChosen({ userid, timezone });
    out.textContent = r ? importSentence(r) : "";
    if (r) await refresh();
  } catch (e) {
    out.textContent = "Nothing was imported: " + explain(e);
  }
}

async function exportData(format: ExportKind): Promise<void> {
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
    void importChosen($("import-result"), store.get().userid, $<HTMLInputElement>("import-tz").value.trim() || null),
  );
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-export]")) {
    b.addEventListener("click", () => void exportData(b.dataset.export as ExportKind));
  }
}
