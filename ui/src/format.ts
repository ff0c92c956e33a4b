/**
 * The only place that formats dates and numbers (with Intl, in the locale the core reports:
 * the web view may not know the system's) and turns error codes into sentences.
 */
import type { UiError } from "./types";

let locale: string | undefined;
let oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
let decimalSign = ".";

/** The system locale as the core read it (BCP 47); none or a bad tag: the web view's own. */
export function setLocale(tag: string | null | undefined): void {
  try {
    locale = tag ? Intl.getCanonicalLocales(tag)[0] : undefined;
  } catch {
    locale = undefined;
  }
  oneDecimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  decimalSign = oneDecimal.format(1.5).replace(/[0-9]/g, "") || ".";
  document.documentElement.lang = locale ?? "en";
}

/**
 * A moment (Unix seconds) in the person's conventions (order, month names, 12/24-hour clock)
 * and in the account's time zone, as the charts use it.
 */
export function date(ts: number | null | undefined, timeZone: string | null | undefined, withTime = true): string {
  if (ts == null) return "";
  const opts: Intl.DateTimeFormatOptions = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  try {
    return new Intl.DateTimeFormat(locale, timeZone ? { ...opts, timeZone } : opts).format(new Date(ts * 1000));
  } catch {
    // An unknown zone name: the computer's own.
    return new Intl.DateTimeFormat(locale, opts).format(new Date(ts * 1000));
  }
}

/**
 * An average's period from its first day ("2026-11-30"): "November 2026" for a month, "Week
 * of 30.11.2026" for a week in German; the day is a calendar day, read in no time zone.
 */
export function period(start: string, monthly: boolean): string {
  const [y, m, d] = start.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(day.getTime())) return start;
  const opts: Intl.DateTimeFormatOptions = monthly
    ? { month: "long", year: "numeric", timeZone: "UTC" }
    : { dateStyle: "medium", timeZone: "UTC" };
  const text = new Intl.DateTimeFormat(locale, opts).format(day);
  return monthly ? text : "Week of " + text;
}

/** A number with one decimal: "78,4" in German. */
export function decimal(v: number): string {
  return oneDecimal.format(v);
}

/** A count: "1.234" in German. */
export function count(n: number): string {
  return n.toLocaleString(locale);
}

/** A value the core sends as a number, in a form field: the locale's decimal sign. */
export function fieldNumber(v: number, digits: number): string {
  return v.toFixed(digits).replace(".", decimalSign);
}

/** A number typed in a form field, either decimal sign accepted, as the core parses it. */
export function typedNumber(text: string): string {
  return text.trim().replace(",", ".");
}

/** "1 day", "3 days". */
export function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A thrown value as the shell sends errors (`{code, message}`), whatever was thrown. */
function asUiError(e: unknown): UiError {
  if (e && typeof e === "object" && "message" in e) {
    const { code, message } = e as { code?: unknown; message: unknown };
    return { code: (typeof code === "string" ? code : "internal") as UiError["code"], message: String(message) };
  }
  return { code: "internal", message: String(e) };
}

/** What to tell a person for an error, by its code: what happened and what to do. */
export function explain(e: unknown): string {
  const { code, message } = asUiError(e);
  switch (code) {
    case "offline":
      return `You are offline or Withings cannot be reached. Your history still works; Heft will try again. (${message})`;
    case "reconnect_needed":
      return `Withings needs you to reconnect this account (your history is kept): open Accounts and click Reconnect. ${message}`;
    case "demo_not_running":
      return "The demo simulator is not running; your demo history is still here. Sync again to start it, or Remove demo.";
    case "cancelled":
      return "Cancelled; nothing was changed.";
    default:
      // The core's own sentences say what happened and what to do (keychain, rate limit,
      // import, Withings' own errors).
      return message;
  }
}
