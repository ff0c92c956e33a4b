/**
 * Accounts and connection: the account's health (what went well, what went wrong and what to
 * do), its sync history, its name, colour, unit and goal, and disconnect, reconnect, delete
 * or remove the demo, each confirmed first.
 */
import { accountLabel, change, part, refresh, when } from "../app";
import { $, armed, el, showMessage } from "../dom";
import { explain, fieldNumber, plural, typedNumber } from "../format";
import { commands } from "../ipc";
import { STALE, store } from "../store";
import type { AccountView, Health, MassUnit, SyncLine } from "../types";
import { connectFlow } from "../header";

/** The colour field always holds one; it is saved only when the account has its own or the
 * person picked one, so renaming an account does not change its chart's colour. */
let colourPicked = false;

type Row = [term: string, text: string, bad?: boolean];

/** The health panel's lines for an account that syncs with Withings. */
function healthRows(h: Health): Row[] {
  const rows: Row[] = [];
  const ok = h.last_success;
  rows.push(["Last successful sync", ok ? `${when(ok.started_at)} · ${ok.full ? "full" : "incremental"} · ${ok.added} added, ${ok.changed} changed, ${ok.removed} removed · ${ok.took}` : "none yet"]);
  if (h.last_error) rows.push(["Last problem", `${h.last_error.message}. ${h.last_error.fix}`, true]);
  if (h.needs_reconnect || h.tokens_missing) rows.push(["Status", "Heft needs you to reconnect this account (its history is kept).", true]);
  if (h.signed) rows.push(["Access", "OAuth 1.0a tokens: they do not expire."]);
  else if (h.access_expires_at) rows.push(["Access token", "valid until " + when(h.access_expires_at) + " (renewed at the next sync after that)"]);
  if (h.consent_needed_at != null) {
    rows.push([
      "Your consent",
      `given ${plural(h.refresh_age_days ?? 0, "day")} ago; Withings asks again if Heft does not sync by ${when(h.consent_needed_at, false)}` + (h.consent_reminder ? " — sync or reconnect soon." : "."),
      h.consent_reminder,
    ]);
  }
  const slowed = h.rate_limited_at != null ? `${when(h.rate_limited_at)}, asked to wait ${h.rate_limit_wait} s` : null;
  rows.push(["Rate limit", slowed ? (h.rate_limited_now ? "Withings is asking Heft to slow down: " : "last slowed down ") + slowed : "Withings has not asked Heft to slow down."]);
  if (h.requests_last_sync != null) rows.push(["Last sync's requests", `${h.requests_last_sync} to the measure API`]);
  return rows;
}

async function loadHealth(): Promise<void> {
  let h: Health | null = null;
  let rows: Row[];
  const local = store.get().account?.provider === "local";
  try {
    const answer = await store.load("health", (s) => commands.health({ userid: s.userid }), ["userid"]);
    if (answer === STALE) return;
    h = answer;
    rows = local ? [["Status", "This account lives only on this computer; there is nothing to sync."]] : healthRows(h);
  } catch (e) {
    rows = [["Status", "The connection could not be checked: " + explain(e), true]];
  }
  $("health").replaceChildren(...rows.flatMap(([term, text, bad]) => [el("dt", term), el("dd", text, bad ? "bad" : undefined)]));
  const broken = !!h && (h.needs_reconnect || h.tokens_missing);
  if (h?.consent_reminder && !local) {
    showMessage(`Withings will ask you to approve Heft again if it does not sync by ${when(h.consent_needed_at, false)}: sync now, or reconnect ${accountLabel(store.get().account)}.`);
  }
  $("reconnect-button").hidden = !broken || local;
  $("disconnect-button").hidden = local || broken;
}

function historyItem(r: SyncLine): HTMLLIElement {
  const li = el("li");
  const details = el("details");
  const counts = `${r.added} added, ${r.changed} changed, ${r.removed} removed`;
  const what = r.cancelled ? "cancelled after " + counts : r.error ? "failed — " + r.error : counts;
  details.append(el("summary", `${when(r.started_at)} · ${r.full ? "full" : "incremental"} · ${r.took} · ${what}`));
  if (r.error && !r.cancelled) li.className = "failed";
  if (r.changes.length) {
    const ul = el("ul");
    const verb = { added: "new, ", changed: "changed, ", removed: "" };
    for (const c of r.changes) ul.append(el("li", `${when(c.ts)}: ${verb[c.change]}${c.text}`));
    details.append(ul);
  } else {
    const first = r.full && r.added > 0 && !r.changed && !r.removed;
    details.append(el("p", first ? "The first download of your history." : "No weigh-in changed.", "muted small"));
  }
  li.append(details);
  return li;
}

/** Every sync of the account, newest first; each opens to the weigh-ins it touched. */
async function loadHistory(): Promise<void> {
  const list = $("history");
  try {
    const runs = await store.load("history", (s) => commands.syncLog({ userid: s.userid, unit: s.unit, limit: 10 }));
    if (runs === STALE) return;
    list.replaceChildren(...(runs.length ? runs.map(historyItem) : [el("li", "No sync yet.", "muted")]));
  } catch (e) {
    list.replaceChildren();
    showMessage("The sync history could not be read: " + explain(e), "error");
  }
}

function showAccount(a: AccountView): void {
  $<HTMLInputElement>("account-name").value = a.name ?? "";
  $<HTMLInputElement>("account-colour").value = a.colour ?? "#2f7d5b";
  colourPicked = false;
  $<HTMLSelectElement>("account-unit").value = a.own_unit ?? "";
  // The core sends the goal in the account's unit (stones as a decimal).
  $<HTMLInputElement>("account-goal").value = a.goal == null ? "" : fieldNumber(a.goal, 1);
  $("goal-unit").textContent = a.unit;
  $("remove-demo").hidden = !a.demo;
}

/** A destructive action waits for a second, explicit click; anything else keeps the data. */
function confirmThen(text: string, yes: string, action: () => Promise<void>): void {
  const box = $("confirm");
  const [yesButton, no] = [$<HTMLButtonElement>("confirm-yes"), $<HTMLButtonElement>("confirm-no")];
  $("confirm-text").textContent = text;
  yesButton.textContent = yes;
  box.hidden = false;
  no.focus();
  const done = (go: boolean) => {
    box.hidden = true;
    yesButton.onclick = no.onclick = null;
    if (go) void action();
  };
  yesButton.onclick = () => done(true);
  no.onclick = () => done(false);
}

export function wireAccounts(): void {
  const userid = () => store.get().userid!;
  $("account-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const goal = typedNumber($<HTMLInputElement>("account-goal").value);
    const s = store.get();
    void change(
      () =>
        commands.saveAccount({
          userid: userid(),
          name: $<HTMLInputElement>("account-name").value,
          colour: s.account?.colour || colourPicked ? $<HTMLInputElement>("account-colour").value : null,
          unit: ($<HTMLSelectElement>("account-unit").value || null) as MassUnit | null,
          goal: goal ? Number(goal) : null,
          goal_unit: s.unit,
        }),
      "Saved.",
    );
  });
  $("account-colour").addEventListener("input", () => {
    colourPicked = true;
  });
  $("reconnect-button").addEventListener("click", () => void connectFlow(() => commands.reconnect({ userid: userid() })));
  $("disconnect-button").addEventListener("click", () =>
    confirmThen(
      "Disconnect " + accountLabel(store.get().account) + "? Heft forgets its tokens; its history stays here and you can reconnect later.",
      "Disconnect",
      () => change(() => commands.disconnect({ userid: userid(), delete_data: false }), "Disconnected; the history is kept."),
    ),
  );
  $("delete-button").addEventListener("click", () =>
    confirmThen(
      "Delete " + accountLabel(store.get().account) + " and its whole history from this computer? Withings keeps its own copy; an export first keeps yours.",
      "Delete",
      () =>
        change(async () => {
          await commands.disconnect({ userid: userid(), delete_data: true });
          store.set({ userid: null });
        }, "The account and its history were deleted from this computer."),
    ),
  );
  const removeDemo = $<HTMLButtonElement>("remove-demo");
  removeDemo.addEventListener("click", () =>
    armed(removeDemo, "Click again to remove the demo and its history", async () => {
      try {
        await commands.removeDemo({ userid: userid() });
        store.set({ userid: null });
        showMessage("The demo account and its history were removed.");
        await refresh();
      } catch (e) {
        showMessage(explain(e), "error");
      }
    }),
  );
  // Another account connects through the welcome screen's choices, above the header.
  $("add-button").addEventListener("click", () => {
    const welcome = $("welcome");
    welcome.hidden = !welcome.hidden;
    if (!welcome.hidden) welcome.scrollIntoView({ block: "start" });
  });
  part({ show: showAccount, load: loadHealth, view: "accounts" });
  part({ load: loadHistory, view: "accounts" });
}
