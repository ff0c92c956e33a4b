import { describe, expect, it } from "vitest";
import { STALE, Store, type State } from "../src/store";

const initial: State = {
  userid: "a", account: null, accounts: [], unit: "kg", kind: "weight", range: "90d", show: "all",
  window: null, chart: null, syncing: false,
};

/** A promise and the function that answers it, for answers that arrive when the test says. */
function later<T>(): { promise: Promise<T>; answer: (v: T) => void; fail: (e: unknown) => void } {
  let answer!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((ok, no) => {
    answer = ok;
    fail = no;
  });
  return { promise, answer, fail };
}

describe("the store's guard against stale answers", () => {
  it("drops a slow older answer that arrives after a newer one", async () => {
    const store = new Store(initial);
    const slow = later<string>();
    const older = store.load("summary", () => slow.promise);
    const newer = store.load("summary", async () => "newer");
    expect(await newer).toBe("newer");
    slow.answer("older");
    expect(await older).toBe(STALE);
  });

  it("keeps answers of different kinds apart", async () => {
    const store = new Store(initial);
    const slow = later<string>();
    const chart = store.load("chart", () => slow.promise);
    expect(await store.load("summary", async () => "summary")).toBe("summary");
    slow.answer("chart");
    expect(await chart).toBe("chart");
  });

  it("drops the answer for an account once another is on screen", async () => {
    const store = new Store(initial);
    const slow = later<string>();
    const asked = store.load("summary", (s) => slow.promise.then((v) => `${v} for ${s.userid}`));
    store.set({ userid: "b" });
    slow.answer("figures");
    expect(await asked).toBe(STALE);
  });

  it("drops an answer in the old unit, and a chart of the old range, but not what the range does not change", async () => {
    const store = new Store(initial);
    const [a, b, c] = [later<string>(), later<string>(), later<string>()];
    const inKg = store.load("history", () => a.promise);
    store.set({ unit: "lb" });
    const chart = store.load("chart", () => b.promise, ["userid", "unit", "range"]);
    const summary = store.load("summary", () => c.promise);
    store.set({ range: "1y" });
    a.answer("kg");
    b.answer("90 days");
    c.answer("lb");
    expect(await inKg).toBe(STALE);
    expect(await chart).toBe(STALE);
    expect(await summary).toBe("lb");
  });

  it("throws a current request's failure and swallows a stale one's", async () => {
    const store = new Store(initial);
    const slow = later<string>();
    const older = store.load("health", () => slow.promise);
    await expect(store.load("health", () => Promise.reject({ code: "offline", message: "no network" }))).rejects.toEqual({
      code: "offline",
      message: "no network",
    });
    slow.fail(new Error("too late to matter"));
    expect(await older).toBe(STALE);
  });
});

describe("watching the account on screen", () => {
  it("hears each change of the account once, and nothing of other changes", () => {
    const store = new Store(initial);
    const heard: (string | null)[] = [];
    store.watch("userid", (s) => heard.push(s.userid));
    store.set({ unit: "lb" });
    store.set({ userid: "a", range: "1y" });
    store.set({ userid: "b" });
    store.set({ userid: "b", range: "30d" });
    store.set({ userid: null });
    expect(heard).toEqual(["b", null]);
  });
});
