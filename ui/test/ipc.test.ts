import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { commands } from "../src/ipc";

afterEach(() => clearMocks());

describe("commands through the shell", () => {
  it("sends each command by its Rust name with its one argument, as the Rust side lists them", async () => {
    const sent: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      sent.push([cmd, args]);
      return cmd === "save_chart" ? "/tmp/heft-weight.png" : -7;
    });
    const chart = { userid: "42", kind: "weight", range: "90d", unit: "kg", dark: false, width: 900, height: 378 } as const;
    expect(await commands.saveChart({ chart, format: "png" })).toBe("/tmp/heft-weight.png");
    expect(await commands.addEntry({ userid: "42", weight: "79.4", unit: "kg", fat_ratio: null, at: "2026-03-01 07:15" })).toBe(-7);
    expect(sent).toEqual([
      ["save_chart", { args: { chart: { userid: "42", kind: "weight", range: "90d", unit: "kg", dark: false, width: 900, height: 378 }, format: "png" } }],
      ["add_entry", { args: { userid: "42", weight: "79.4", unit: "kg", fat_ratio: null, at: "2026-03-01 07:15" } }],
    ]);
  });

  it("passes the shell's error through as it came", async () => {
    mockIPC(() => {
      throw { code: "no_account", message: "no account 7" };
    });
    await expect(commands.summary({ userid: "7", unit: "kg" })).rejects.toEqual({ code: "no_account", message: "no account 7" });
  });
});
