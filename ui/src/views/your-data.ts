/** Your data: another app's export (Withings, Apple Health, Fitbit, openScale, Libra) or a Heft backup imported, everything exported. */
import { refresh } from "../app";
import { $, el } from "../dom";
import { count, explain } from "../format";
import { commands } from "../ipc";
import { store } from "../store";
import type { ExportChoice, Imported, MassUnit, Preview } from "../types";

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

/** The header most likely to hold `what` (none: the person chooses). */
function likely(headers: string[], pattern: RegExp): string {
  return headers.find((h) => pattern.test(h)) ?? "";
}

/** Fills a column select with the CSV's headers (and "none" where the column is optional). */
function columns(id: string, headers: string[], chosen: string, optional = false): void {
  const select = $<HTMLSelectElement>(id);
  select.replaceChildren(...(optional ? [el("option", "none")] : []), ...headers.map((h) => el("option", h)));
  if (optional) (select.options[0] as HTMLOptionElement).value = "";
  select.value = chosen;
}

/** The CSV's first rows and a select per part of a weigh-in, guessed from the headers' names. */
function showPreview(p: Preview): void {
  const table = $("csv-preview");
  const head = el("tr");
  for (const h of p.headers) head.append(el("th", h));
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  for (const r of p.rows) {
    const tr = el("tr");
    for (const f of r) tr.append(el("td", f));
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  columns("csv-time", p.headers, likely(p.headers, /date|time|datum|zeit|fecha|heure/i));
  columns("csv-weight", p.headers, likely(p.headers, /weight|gewicht|poids|peso|mass/i));
  columns("csv-fat", p.headers, likely(p.headers, /fat|fett|graisse|grasa/i), true);
  $<HTMLSelectElement>("csv-unit").value = store.get().unit;
  $<HTMLInputElement>("csv-zone").value = store.get().account?.timezone ?? "";
  $("csv-map").hidden = false;
}

async function chooseCsv(): Promise<void> {
  const out = $("csv-result");
  out.textContent = "";
  try {
    const p = await commands.previewCsv();
    if (p) showPreview(p);
  } catch (e) {
    out.textContent = "This file cannot be read: " + explain(e);
  }
}

async function importCsv(): Promise<void> {
  const out = $("csv-result");
  try {
    const r = await commands.importCsv({
      userid: store.get().userid,
      time: $<HTMLSelectElement>("csv-time").value,
      weight: $<HTMLSelectElement>("csv-weight").value,
      fat: $<HTMLSelectElement>("csv-fat").value || null,
      unit: $<HTMLSelectElement>("csv-unit").value as MassUnit,
      zone: $<HTMLInputElement>("csv-zone").value.trim() || null,
    });
    out.textContent = importSentence(r);
    $("csv-map").hidden = true;
    await refresh();
  } catch (e) {
    out.textContent = "Nothing was imported: " + explain(e);
  }
}

export function wireYourData(): void {
  $("csv-choose").addEventListener("click", () => void chooseCsv());
  $("csv-import").addEventListener("click", () => void importCsv());
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
