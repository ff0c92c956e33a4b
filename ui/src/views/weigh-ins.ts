/**
 * Weigh-ins: the list with where each stands (counted, excluded, to review) and its note, the
 * review of guests, exclusions, notes, and the form to add or change one of the person's own.
 */
import { change, part, when } from "../app";
import { $, armed, arrowKeys, button, el, setSelected, showMessage } from "../dom";
import { explain, fieldNumber, typedNumber } from "../format";
import { commands } from "../ipc";
import { STALE, store } from "../store";
import type { AccountView, Show, WeighInRow } from "../types";

/** The weigh-in the entry form changes; none: the form adds one. */
let editing: number | null = null;

/**
 * What can be said about a weigh-in where it stands: Mine / Not me, Include, or Exclude (with
 * its anomaly as the reason). `run(action, done)` performs one, as `change` does.
 */
export function standingButtons(r: WeighInRow, run: (what: () => Promise<unknown>, done: string) => unknown): HTMLButtonElement[] {
  const { grpid } = r;
  const userid = () => store.get().userid;
  const review = (mine: boolean, done: string) =>
    button(mine ? "Mine" : "Not me", () => void run(() => commands.review({ userid: userid(), grpid, mine }), done));
  const exclude = (excluded: boolean, reason: string | null, done: string) =>
    button(excluded ? "Exclude" : "Include", () => void run(() => commands.exclude({ userid: userid(), grpid, excluded, reason }), done));
  if (r.standing === "awaiting_review") return [review(true, "Counted as yours."), review(false, "Left out: not yours.")];
  if (r.standing === "excluded") return [exclude(false, null, "Counted again.")];
  return [exclude(true, r.anomalies[0] ?? null, "Excluded from the trend; Include brings it back.")];
}

function row(r: WeighInRow): HTMLTableRowElement {
  const tr = el("tr");
  tr.dataset.grpid = String(r.grpid);
  tr.dataset.standing = r.standing;
  if (r.standing !== "counted") tr.className = "left-out";
  for (const text of [when(r.ts), r.weight, r.fat]) tr.append(el("td", text));
  const notes = el("td");
  for (const f of r.flags) notes.append(el("span", f, "flag"));
  const said = r.standing === "excluded" ? ["excluded" + (r.reason ? ": " + r.reason : "")] : r.standing === "awaiting_review" ? ["not counted until you say whose it is"] : [];
  for (const text of said) notes.append(el("div", text, "small muted"));
  for (const text of r.anomalies) notes.append(el("div", text, "small anomaly"));
  if (r.note) notes.append(el("div", r.note, "note"));
  if (r.comment) notes.append(el("div", r.comment, "small muted"));
  if (r.sources.length) notes.append(el("div", "from " + r.sources.join(", "), "small muted"));
  const actions = el("td", undefined, "actions");
  actions.append(...standingButtons(r, change));
  actions.append(button(r.note ? "Edit note" : "Note", () => editNote(r, notes)));
  if (r.source !== "withings") {
    actions.append(button("Edit", () => edit(r)));
    const del = button("Delete", () =>
      armed(del, "Delete? Click again", () => void change(() => commands.removeEntry({ userid: store.get().userid, grpid: r.grpid }), "Deleted.")),
    );
    actions.append(del);
  }
  tr.append(notes, actions);
  return tr;
}

/** A note on the weigh-in, typed in its row: Enter saves (empty removes it), Escape leaves it. */
function editNote(r: WeighInRow, cell: HTMLElement): void {
  const input = el("input", undefined, "note-input") as HTMLInputElement;
  input.value = r.note ?? "";
  input.maxLength = 500;
  input.setAttribute("aria-label", "Note on the weigh-in of " + when(r.ts));
  const save = button("Save note", () => {
    const note = input.value.trim() || null;
    void change(() => commands.setNote({ userid: store.get().userid, grpid: r.grpid, note }), note ? "Note saved." : "Note removed.");
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") save.click();
    if (ev.key === "Escape") void loadWeighIns();
  });
  cell.replaceChildren(input, save);
  input.focus();
}

export async function loadWeighIns(): Promise<void> {
  const body = $("recent");
  try {
    const rows = await store.load("weigh-ins", (s) => commands.weighIns({ userid: s.userid, unit: s.unit, show: s.show }), ["userid", "unit", "show"]);
    if (rows === STALE) return;
    body.replaceChildren();
    if (rows.length === 0) {
      const { show } = store.get();
      const td = el("td", show === "review" ? "Nothing to review: every weigh-in is attributed." : show === "flagged" ? "Nothing unusual." : "No weigh-ins yet.", "muted");
      td.colSpan = 5;
      const tr = el("tr");
      tr.append(td);
      body.append(tr);
    }
    body.append(...rows.map(row));
  } catch (e) {
    body.replaceChildren();
    showMessage("The weigh-ins could not be read: " + explain(e), "error");
  }
}

/** Fills the entry form with one of the person's own weigh-ins, to change it. */
function edit(r: WeighInRow): void {
  editing = r.grpid;
  $("entry-title").textContent = "Change the weigh-in of " + when(r.ts);
  // The core sends the weight in the unit asked for; stones need two decimals for a pound.
  $<HTMLInputElement>("entry-weight").value = r.weight_value == null ? "" : fieldNumber(r.weight_value, store.get().unit === "st" ? 2 : 1);
  $<HTMLInputElement>("entry-fat").value = r.fat_ratio == null ? "" : fieldNumber(r.fat_ratio, 1);
  $<HTMLInputElement>("entry-at").value = r.local;
  $("entry-add").textContent = "Save changes";
  $("entry-cancel").hidden = false;
  $("entry-weight").focus();
}

function resetEntryForm(): void {
  editing = null;
  $("entry-title").textContent = "Add a weigh-in";
  for (const id of ["entry-weight", "entry-fat", "entry-at"]) $<HTMLInputElement>(id).value = "";
  $("entry-add").textContent = "Add";
  $("entry-cancel").hidden = true;
}

function showAccount(a: AccountView): void {
  const hint = $("review-hint");
  hint.hidden = !a.to_review;
  hint.textContent = a.to_review
    ? `${a.to_review} weigh-in${a.to_review === 1 ? "" : "s"} may be someone else's (Withings was not sure): they are left out of your trend until you say "Mine".`
    : "";
  $("show-review").textContent = "To review" + (a.to_review ? ` (${a.to_review})` : "");
  $("entry-unit").textContent = a.unit;
}

export function wireWeighIns(): void {
  const tabs = $("show-tabs");
  tabs.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest("button");
    if (!b) return;
    store.set({ show: b.dataset.show as Show });
    setSelected(tabs, "aria-checked", store.get().show, "show");
    void loadWeighIns();
  });
  arrowKeys(tabs);
  setSelected(tabs, "aria-checked", store.get().show, "show");
  $("entry-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const at = $<HTMLInputElement>("entry-at").value;
    const s = store.get();
    const fields = {
      userid: s.userid,
      weight: typedNumber($<HTMLInputElement>("entry-weight").value),
      unit: s.unit,
      fat_ratio: typedNumber($<HTMLInputElement>("entry-fat").value) || null,
      at: at ? at.replace("T", " ") : null,
    };
    const grpid = editing;
    void change(async () => {
      if (grpid != null) await commands.editEntry({ ...fields, grpid });
      else await commands.addEntry(fields);
      resetEntryForm();
    }, grpid != null ? "Changed your weigh-in." : "Added your weigh-in.");
  });
  $("entry-cancel").addEventListener("click", resetEntryForm);
  part({ show: showAccount, load: loadWeighIns, view: "weigh-ins" });
}
