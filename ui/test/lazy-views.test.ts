/// <reference types="vite/client" />
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import page from "../index.html?raw";

afterEach(() => clearMocks());
beforeEach(() => localStorage.clear());

const account = {
  userid: "42", name: null, colour: null, unit: "kg", own_unit: null, goal_kg: null, goal: null, to_review: 0,
  provider: "demo", demo: true, needs_reconnect: false, last_sync_at: null, last_error: null, groups: 3, timezone: "UTC",
};

/** A fresh window whose parts count the commands they send; `parts` registers them. */
async function launch() {
  document.body.innerHTML = new DOMParser().parseFromString(page, "text/html").body.innerHTML;
  vi.resetModules();
  const asked: string[] = [];
  mockIPC((cmd) => {
    asked.push(cmd);
    return cmd === "overview" ? { configured: true, accounts: [account], unit: "kg", demo_url: null } : [];
  });
  const app = await import("../src/app");
  const nav = await import("../src/nav");
  const { commands } = await import("../src/ipc");
  app.part({ first: true, view: "overview", load: () => commands.summary({ userid: "42", unit: "kg" }).then(() => {}) });
  app.part({ view: "trends", load: () => commands.backtest({ userid: "42", unit: "kg" }).then(() => {}) });
  app.part({ view: "accounts", load: () => commands.health({ userid: "42" }).then(() => {}) });
  app.wireLazyViews();
  nav.wireNav();
  return { app, nav, asked };
}

describe("views load what they show when they are shown", () => {
  it("a refresh loads the view on screen; another view loads once when shown, again after a change", async () => {
    const { app, nav, asked } = await launch();
    await app.refresh();
    expect(asked).toEqual(["overview", "summary"]);
    nav.showView("trends");
    await vi.waitFor(() => expect(document.body.dataset.loading).toBe("0"));
    expect(asked).toEqual(["overview", "summary", "backtest"]);
    nav.showView("overview");
    nav.showView("trends");
    expect(asked.length).toBe(3);
    await app.reload();
    expect(asked.slice(3)).toEqual(["backtest"]);
    nav.showView("accounts");
    await vi.waitFor(() => expect(document.body.dataset.loading).toBe("0"));
    nav.showView("overview");
    await vi.waitFor(() => expect(document.body.dataset.loading).toBe("0"));
    expect(asked.slice(4)).toEqual(["health", "summary"]);
  });
});
