/**
 * Heft's window: wires the views to the page and starts. Everything the first chart needs is
 * asked for at once (each is a round trip, and the first chart waits for them).
 */
import { refresh, wireLazyViews } from "./app";
import { askEarlyChart, chartShown, wireChart } from "./chart";
import { showMessage } from "./dom";
import { explain, setLocale } from "./format";
import { syncNow, wireHeader } from "./header";
import { commands } from "./ipc";
import { onShow, wireNav } from "./nav";
import { store } from "./store";
import { applyTheme } from "./theme";
import type { Preferences } from "./types";
import { wireAccounts } from "./views/accounts";
import { wireOverview } from "./views/overview";
import { applyPreferences, loadSettings, wireSettings } from "./views/settings";
import { wireTrends } from "./views/trends";
import { wireWeighIns } from "./views/weigh-ins";
import { wireWelcome } from "./views/welcome";
import { wireYourData } from "./views/your-data";

async function main(): Promise<void> {
  askEarlyChart();
  const overview = commands.overview();
  overview.catch(() => {});
  const keychainProblem = commands.keychainProblem().catch(() => null);
  const preferences = commands.preferences({ check_secret: false });
  preferences.catch(() => {});
  // The chart and the figures register first: they load before the rest.
  wireChart();
  wireOverview();
  const listening = wireHeader();
  wireWeighIns();
  wireTrends();
  wireYourData();
  wireAccounts();
  wireSettings();
  wireWelcome();
  // The chart of a view shown while it was hidden is drawn at its size; the settings are read
  // again each time they are shown.
  onShow("overview", chartShown);
  onShow("settings", () => void loadSettings());
  wireLazyViews();
  wireNav();
  await listening;
  const keychain = await keychainProblem;
  if (keychain) showMessage(explain(keychain), "error");
  let prefs: Pick<Preferences, "sync_on_launch" | "sync_every_minutes" | "theme" | "sync_every" | "locale"> = {
    sync_on_launch: true, sync_every_minutes: 60, theme: "system", sync_every: "hourly", locale: null,
  };
  try {
    prefs = await preferences;
  } catch (e) {
    showMessage("The settings could not be read (using the defaults): " + explain(e), "error");
  }
  applyTheme(prefs.theme);
  setLocale(prefs.locale);
  // A window opened from a reminder starts on the reminder's account.
  const asked = new URLSearchParams(location.hash.slice(1)).get("account");
  if (asked) store.set({ userid: asked });
  let hasAccounts = false;
  try {
    hasAccounts = await refresh(overview);
  } catch (e) {
    showMessage(explain(e), "error");
  }
  // Reminders about the account on screen wait while it is shown: the shell hears which.
  const showing = (userid: string | null) => void commands.showing({ userid }).catch(() => {});
  showing(store.get().userid);
  store.watch("userid", (s) => showing(s.userid));
  applyPreferences(prefs);
  if (hasAccounts && prefs.sync_on_launch) void syncNow();
}

void main();
