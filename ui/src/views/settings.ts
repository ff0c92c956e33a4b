/**
 * Settings: the default unit, the theme, automatic syncs, reminders and the start at login,
 * the data folder and the Withings developer app. Filled from the core each time they are shown.
 */
import { refresh } from "../app";
import { $, showMessage } from "../dom";
import { explain } from "../format";
import { commands } from "../ipc";
import { applyTheme, darkQuery } from "../theme";
import type { MassUnit, Preferences, SyncEvery, ThemeChoice } from "../types";
import { loadChart } from "../chart";
import { syncNow } from "../header";

let timer: ReturnType<typeof setInterval> | undefined;

/** Theme and automatic syncs, as the settings say. */
export function applyPreferences(p: Pick<Preferences, "theme" | "sync_every" | "sync_every_minutes">): void {
  applyTheme(p.theme);
  clearInterval(timer);
  timer = p.sync_every_minutes ? setInterval(() => void syncNow(), p.sync_every_minutes * 60 * 1000) : undefined;
  document.body.dataset.syncEvery = p.sync_every;
}

const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);

/** Fills the settings from the core (with the keychain asked whether a secret is saved). */
export async function loadSettings(): Promise<void> {
  try {
    const p = await commands.preferences({ check_secret: true });
    select("pref-unit").value = p.unit;
    select("pref-theme").value = p.theme;
    input("pref-launch").checked = p.sync_on_launch;
    select("pref-every").value = p.sync_every;
    input("pref-remind").checked = p.remind_after_days !== null;
    if (p.remind_after_days !== null) input("pref-remind-days").value = String(p.remind_after_days);
    input("pref-remind-days").disabled = p.remind_after_days === null;
    // Offered where the core can (the desktop app names its program).
    $("pref-login-row").hidden = p.start_at_login === null;
    input("pref-login").checked = p.start_at_login === true;
    $("pref-dir").textContent = p.data_dir;
    $("pref-callback").textContent = p.callback_url;
    input("pref-client-id").value = p.client_id ?? "";
    input("pref-client-secret").value = "";
    input("pref-client-secret").placeholder = p.client_secret_saved ? "saved in your keychain; type to replace" : "";
    $("pref-secret-state").textContent = p.client_id_from_environment
      ? "The client id comes from HEFT_WITHINGS_CLIENT_ID, which wins over this page."
      : p.client_secret_saved
        ? "A secret for this client id is in your keychain."
        : "No secret saved yet.";
    $("settings-result").textContent = "";
  } catch (e) {
    showMessage("The settings could not be read: " + explain(e), "error");
  }
}

/** The days of the "no weigh-in" reminder (null: off); a number the core checks. */
function remindAfterDays(): number | null {
  if (!input("pref-remind").checked) return null;
  const days = Number(input("pref-remind-days").value);
  if (!Number.isInteger(days)) throw { code: "bad_input", message: "a reminder after a whole number of days" };
  return days;
}

async function saveSettings(): Promise<void> {
  const out = $("settings-result");
  try {
    const p = await commands.savePreferences({
      unit: select("pref-unit").value as MassUnit,
      sync_on_launch: input("pref-launch").checked,
      sync_every: select("pref-every").value as SyncEvery,
      theme: select("pref-theme").value as ThemeChoice,
      remind_after_days: remindAfterDays(),
      start_at_login: $("pref-login-row").hidden ? null : input("pref-login").checked,
    });
    const id = input("pref-client-id").value.trim();
    const secret = input("pref-client-secret").value;
    if (secret) await commands.credentials({ client_id: id, client_secret: secret });
    else if (id && id !== (p.client_id ?? "")) throw { code: "bad_input", message: "enter the secret of the new client id too" };
    applyPreferences(p);
    input("pref-client-secret").value = "";
    out.textContent = "Saved.";
    await refresh();
  } catch (e) {
    out.textContent = explain(e);
  }
}

export function wireSettings(): void {
  input("pref-remind").addEventListener("change", () => {
    input("pref-remind-days").disabled = !input("pref-remind").checked;
  });
  $("settings-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    void saveSettings();
  });
  $("open-folder").addEventListener("click", () =>
    commands.openDataFolder().catch((e) => {
      $("settings-result").textContent = explain(e);
    }),
  );
  $("copy-callback").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("pref-callback").textContent ?? "");
      $("settings-result").textContent = "Copied the callback URL.";
    } catch {
      // No clipboard access: select the text so Ctrl+C copies it.
      window.getSelection()?.selectAllChildren($("pref-callback"));
      $("settings-result").textContent = "Press Ctrl+C to copy the selected URL.";
    }
  });
  // A theme that follows the system redraws the chart when the system changes.
  darkQuery.addEventListener("change", () => {
    if (!document.documentElement.dataset.theme) void loadChart();
  });
}
