/// <reference types="vite/client" />
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import page from "../index.html?raw";
import { store } from "../src/store";
import type { WeighInRow } from "../src/types";
import { loadWeighIns } from "../src/views/weigh-ins";

afterEach(() => clearMocks());

function row(grpid: number): WeighInRow {
  return {
    grpid, ts: 1_772_400_000, date: "", local: "2026-03-01T07:15", weight: "80.0 kg", weight_kg: 80, weight_value: 80,
    fat_ratio: null, fat: "", source: "withings", standing: "counted", reason: null, flags: [], note: null, comment: null, sources: [], anomalies: [],
  };
}

describe("the weigh-ins list across an account switch", () => {
  it("shows the account on screen, never a late answer for the one before", async () => {
    document.body.innerHTML = new DOMParser().parseFromString(page, "text/html").body.innerHTML;
    const answers = new Map<string, (rows: WeighInRow[]) => void>();
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      const { userid } = (args as { args: { userid: string } }).args;
      return new Promise((answer) => answers.set(userid, answer));
    });
    store.set({ userid: "anna", unit: "kg", show: "all" });
    const forAnna = loadWeighIns();
    store.set({ userid: "ben" });
    const forBen = loadWeighIns();
    answers.get("ben")!([row(2)]);
    await forBen;
    answers.get("anna")!([row(1)]);
    await forAnna;
    const shown = [...document.querySelectorAll<HTMLElement>("#recent tr")].map((tr) => tr.dataset.grpid);
    expect(shown).toEqual(["2"]);
    expect(asked).toEqual([
      ["weigh_ins", { args: { userid: "anna", unit: "kg", show: "all" } }],
      ["weigh_ins", { args: { userid: "ben", unit: "kg", show: "all" } }],
    ]);
  });
});
