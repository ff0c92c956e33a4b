/**
 * The header every view keeps: the account, Sync and Cancel, the progress of a sync, and the
 * connect flow (which shows its wait and Cancel there too).
 */
import { accountLabel, part, refresh, when } from "./app";
import { $, showMessage } from "./dom";
import { count, date, explain, plural } from "./format";
import { commands, on } from "./ipc";
import { store } from "./store";
import type { AccountView, ProgressEvent } from "./types";

function showAccount(a: AccountView): void {
  const sel = $<HTMLSelectElement>("account");
  sel.replaceChildren(
    ...store.get().accounts.map((x) => {
      const o = document.createElement("option");
      o.value = x.userid;
      o.textContent = accountLabel(x) + (x.needs_reconnect ? " (reconnect needed)" : "") + (x.to_review ? ` · ${x.to_review} to review` : "");
      return o;
    }),
  );
  sel.value = a.userid;
  sel.style.borderLeft = a.colour ? "6px solid " + a.colour : "";
  document.documentElement.style.setProperty("--account", a.colour ?? "");
  $("account-badge").hidden = !a.demo;
  $("last-sync").textContent = a.last_sync_at ? "Last sync " + when(a.last_sync_at) : "Never synced";
}

function setCancel(shown: boolean): void {
  $("cancel-button").hidden = !shown;
  $<HTMLButtonElement>("cancel-button").disabled = false;
}

/** Syncs every account: one that fails never stops the others, and each says how it went. */
export async function syncNow(): Promise<void> {
  const s = store.get();
  if (s.syncing || s.accounts.length === 0) return;
  store.set({ syncing: true });
  $<HTMLButtonElement>("sync-button").disabled = true;
  setCancel(true);
  const bar = $("progress");
  bar.hidden = false;
  bar.classList.add("indeterminate");
  bar.removeAttribute("aria-valuenow");
  $("progress-text").textContent = "Contacting Withings…";
  // Said once the screen shows what the sync brought (the chart, figures and health panel).
  let said = "";
  try {
    const results = await commands.sync({ userid: null });
    const many = results.length > 1;
    const done = results
      .filter((r) => r.report)
      .map((r) => (many ? r.label + ": " : "Synced: ") + `${r.report!.added} new, ${r.report!.changed} changed, ${r.report!.removed} removed`);
    if (results.some((r) => r.error_code === "cancelled")) {
      done.push("Sync cancelled: what was downloaded is kept, and the next sync carries on from there");
    }
    said = done.length ? done.join(" · ") + "." : "";
    const failed = results.filter((r) => r.error && r.error_code !== "cancelled");
    if (failed.length) {
      const worst = failed.find((r) => r.error_code !== "offline") ?? failed[0];
      const text = failed.map((r) => r.label + ": " + explain({ code: r.error_code, message: r.error })).join(" ");
      showMessage(text, worst.error_code === "offline" ? "warn" : "error");
    } else {
      showMessage("");
    }
  } catch (e) {
    showMessage(explain(e), (e as { code?: string })?.code === "offline" ? "warn" : "error");
  } finally {
    store.set({ syncing: false });
    $<HTMLButtonElement>("sync-button").disabled = false;
    setCancel(false);
    bar.hidden = true;
    bar.classList.remove("indeterminate");
    try {
      await refresh();
    } finally {
      $("progress-text").textContent = said;
    }
  }
}

/** Connects (or reconnects) through `run`, which waits for the browser; then the first sync. */
export async function connectFlow(run: () => Promise<string>): Promise<void> {
  showMessage("");
  const buttons = ["connect-button", "demo-button", "reconnect-button"].map((id) => $<HTMLButtonElement>(id));
  for (const b of buttons) b.disabled = true;
  $("connect-wait").hidden = false;
  $("reconnect-button").textContent = "Waiting for your browser…";
  setCancel(true);
  try {
    const userid = await run();
    store.set({ userid });
    showMessage("Connected as user " + userid + ". Downloading your history…");
    await refresh();
    await syncNow();
  } catch (e) {
    if ((e as { code?: string })?.code === "cancelled") showMessage("Connecting was cancelled; nothing was changed.");
    else showMessage(explain(e), "error");
  } finally {
    for (const b of buttons) b.disabled = false;
    $("connect-wait").hidden = true;
    $("reconnect-button").textContent = "Reconnect";
    if (!store.get().syncing) setCancel(false);
  }
}

/** A sync's progress: pages and groups, and in a first download how much of the years is fetched. */
function progress(p: ProgressEvent): void {
  if (p.resumed) document.body.dataset.resumed = "yes";
  document.body.dataset.progressEvents = String(Number(document.body.dataset.progressEvents ?? 0) + 1);
  const what = p.phase === "fetching" ? (p.resumed ? "Carrying on with the download" : "Downloading") : p.phase === "reconciling" ? "Checking recent days" : "Done";
  let text = `${what} — ${plural(p.pages, "page")}, ${count(p.groups)} measurement groups`;
  const bar = $("progress");
  const setBar = (share: number) => {
    bar.classList.remove("indeterminate");
    $("progress-bar").style.width = (100 * share).toFixed(1) + "%";
    bar.setAttribute("aria-valuenow", String(Math.round(100 * share)));
  };
  if (p.done_permille != null) {
    // A first download: the share of the years since the first Withings scale fetched, and
    // the date back to which everything is stored.
    setBar(Math.min(0.99, p.done_permille / 1000));
    if (p.reached != null) text += ", everything back to " + date(p.reached, store.get().account?.timezone, false);
  } else if (p.phase !== "fetching") {
    setBar(p.phase === "done" ? 1 : 0.99);
  }
  $("progress-text").textContent = text;
}

/** Shows another account (its own fat / lean window), every part reloaded. */
function switchAccount(userid: string): void {
  store.set({ userid, window: null });
  void refresh();
}

/** The header's controls, and the shell's events; resolves once every listener is registered. */
export function wireHeader(): Promise<unknown> {
  $("sync-button").addEventListener("click", () => void syncNow());
  $("account").addEventListener("change", (ev) => switchAccount((ev.target as HTMLSelectElement).value));
  $("cancel-button").addEventListener("click", () => {
    $<HTMLButtonElement>("cancel-button").disabled = true;
    $("progress-text").textContent = store.get().syncing ? "Stopping after this page…" : "";
    void commands.cancel();
  });
  part({ show: showAccount });
  return Promise.all([
    on("sync-progress", progress),
    on("sync-waiting", (e) => showMessage(explain(e))),
    on("callback-rejected", (e) => {
      document.body.dataset.rejectedCallbacks = String(Number(document.body.dataset.rejectedCallbacks ?? 0) + 1);
      document.body.dataset.lastRejection = e.message;
      showMessage("An authorization callback was rejected: " + explain(e), "error");
    }),
    on("keychain-problem", (e) => showMessage(explain(e), "error")),
    // A click on a reminder about another account.
    on("open-account", switchAccount),
  ]);
}
