import { afterEach, describe, expect, it } from "vitest";
import { count, date, decimal, explain, fieldNumber, period, setLocale, typedNumber } from "../src/format";

afterEach(() => setLocale("en-US"));

describe("numbers in the locale the core reports", () => {
  it("writes a decimal comma in German, and a point in English", () => {
    setLocale("de-DE");
    expect(decimal(78.44)).toBe("78,4");
    expect(fieldNumber(78.44, 1)).toBe("78,4");
    expect(count(1234)).toBe("1.234");
    expect(document.documentElement.lang).toBe("de-DE");
    setLocale("en-US");
    expect(decimal(78.44)).toBe("78.4");
    expect(fieldNumber(12.345, 2)).toBe("12.35");
  });

  it("reads either decimal sign back as the core parses it", () => {
    expect(typedNumber(" 79,4 ")).toBe("79.4");
    expect(typedNumber("79.4")).toBe("79.4");
  });

  it("falls back to the web view's locale for a tag it cannot read", () => {
    setLocale("not a locale!");
    expect(document.documentElement.lang).toBe("en");
  });
});

describe("dates in the account's time zone", () => {
  // 2026-03-01 23:30 UTC: already March 2 in Tokyo, still March 1 in New York.
  const ts = Date.UTC(2026, 2, 1, 23, 30) / 1000;

  it("shows the day and time where the account is", () => {
    setLocale("en-US");
    expect(date(ts, "Asia/Tokyo", false)).toBe("Mar 2, 2026");
    expect(date(ts, "America/New_York", false)).toBe("Mar 1, 2026");
    expect(date(ts, "Asia/Tokyo")).toMatch(/^Mar 2, 2026,? 8:30\sAM$/);
  });

  it("follows the locale's order and clock", () => {
    setLocale("de-DE");
    expect(date(ts, "Asia/Tokyo")).toBe("02.03.2026, 08:30");
  });

  it("says nothing for no date", () => {
    expect(date(null, "Asia/Tokyo")).toBe("");
  });
});

describe("error sentences by code", () => {
  it("says what to do when offline, with the core's words", () => {
    const said = explain({ code: "offline", message: "connection refused" });
    expect(said).toContain("You are offline");
    expect(said).toContain("(connection refused)");
  });

  it("sends a person to Reconnect when Withings needs it", () => {
    expect(explain({ code: "reconnect_needed", message: "the refresh token was refused" })).toMatch(/^Withings needs you to reconnect.*Reconnect\. the refresh token was refused$/);
  });

  it("explains a demo whose simulator is not running", () => {
    expect(explain({ code: "demo_not_running", message: "x" })).toContain("Sync again to start it, or Remove demo");
  });

  it("gives the core's own sentence for the other codes, and any thrown value as text", () => {
    expect(explain({ code: "keychain_unavailable", message: "The keychain is locked; unlock it." })).toBe("The keychain is locked; unlock it.");
    expect(explain("plain text")).toBe("plain text");
  });
});

describe("the averages' periods in the locale", () => {
  it("names a week by its first day and a month by its name, in the person's conventions", () => {
    setLocale("de-DE");
    expect(period("2026-11-30", false)).toBe("Week of 30.11.2026");
    expect(period("2026-11-01", true)).toBe("November 2026");
    setLocale("en-US");
    expect(period("2026-11-30", false)).toBe("Week of Nov 30, 2026");
    expect(period("2026-03-01", true)).toBe("March 2026");
  });
});
