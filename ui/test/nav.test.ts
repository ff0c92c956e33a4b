/// <reference types="vite/client" />
import { beforeEach, describe, expect, it, vi } from "vitest";
import page from "../index.html?raw";

/** The window's own page, and a fresh copy of the navigation module for each launch. */
async function launch(): Promise<typeof import("../src/nav")> {
  document.body.innerHTML = new DOMParser().parseFromString(page, "text/html").body.innerHTML;
  document.getElementById("app")!.hidden = false;
  vi.resetModules();
  const nav = await import("../src/nav");
  nav.wireNav();
  return nav;
}

const shown = () => [...document.querySelectorAll<HTMLElement>(".view")].filter((v) => !v.hidden).map((v) => v.id);
const selected = () => document.querySelector('#views [aria-selected="true"]')?.id;
const key = (target: EventTarget, init: KeyboardEventInit) =>
  target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init }));

beforeEach(() => localStorage.clear());

describe("the views a person moves between", () => {
  it("starts with the overview, one view shown and its tab the one Tab reaches", async () => {
    await launch();
    expect(shown()).toEqual(["view-overview"]);
    expect(selected()).toBe("tab-overview");
    const reachable = [...document.querySelectorAll<HTMLElement>("#views [role=tab]")].filter((t) => t.tabIndex === 0);
    expect(reachable.map((t) => t.id)).toEqual(["tab-overview"]);
  });

  it("moves along the tabs with the arrow keys, Home and End, focus following", async () => {
    await launch();
    const tab = (id: string) => document.getElementById(id)!;
    tab("tab-overview").focus();
    key(tab("tab-overview"), { key: "ArrowRight" });
    expect(shown()).toEqual(["view-weigh-ins"]);
    expect(document.activeElement?.id).toBe("tab-weigh-ins");
    key(document.activeElement!, { key: "End" });
    expect(shown()).toEqual(["view-settings"]);
    key(document.activeElement!, { key: "ArrowRight" });
    expect(shown()).toEqual(["view-overview"]);
    key(document.activeElement!, { key: "ArrowLeft" });
    expect(selected()).toBe("tab-settings");
    key(document.activeElement!, { key: "Home" });
    expect(shown()).toEqual(["view-overview"]);
  });

  it("has a shortcut for each view, named on its tab", async () => {
    await launch();
    const tabs = [...document.querySelectorAll<HTMLElement>("#views [role=tab]")];
    expect(tabs).toHaveLength(6);
    tabs.forEach((t, i) => {
      expect(t.getAttribute("aria-keyshortcuts")).toBe(`Alt+${i + 1}`);
      expect(t.title).toContain(`Alt+${i + 1}`);
    });
    key(document.body, { key: "3", code: "Digit3", altKey: true });
    expect(shown()).toEqual(["view-trends"]);
    expect(document.activeElement?.id).toBe("tab-trends");
    // A layout whose Alt+digit types a sign: the key's place counts.
    key(document.body, { key: "¡", code: "Digit5", altKey: true });
    expect(shown()).toEqual(["view-accounts"]);
    // Without Alt a digit is typing, not a shortcut.
    key(document.body, { key: "1", code: "Digit1" });
    expect(shown()).toEqual(["view-accounts"]);
  });

  it("remembers the last view across restarts", async () => {
    await launch();
    document.getElementById("tab-your-data")!.click();
    expect(shown()).toEqual(["view-your-data"]);
    await launch();
    expect(shown()).toEqual(["view-your-data"]);
    localStorage.setItem("heft.view", "no such view");
    await launch();
    expect(shown()).toEqual(["view-overview"]);
  });

  it("tells a view when it is shown, so a chart asked for while hidden is drawn at its size", async () => {
    const nav = await launch();
    const drawn = vi.fn();
    nav.onShow("overview", drawn);
    document.getElementById("tab-trends")!.click();
    expect(drawn).not.toHaveBeenCalled();
    document.getElementById("tab-overview")!.click();
    expect(drawn).toHaveBeenCalledTimes(1);
  });
});
