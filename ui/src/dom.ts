/** Small DOM helpers every view uses. */

/** The element with `id`; a missing one is a bug in index.html, said at once. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`index.html has no #${id}`);
  return e as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function button(text: string, onClick: (ev: MouseEvent) => void, className = "ghost"): HTMLButtonElement {
  const b = el("button", text, className);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

/**
 * Marks the button of a tab list or radio group whose `data-{key}` is `value` as chosen
 * (`attr`: aria-selected or aria-checked), with roving focus (WAI-ARIA): Tab reaches the
 * chosen one, the arrow keys the rest.
 */
export function setSelected(group: HTMLElement, attr: "aria-selected" | "aria-checked", value: string, key: string): void {
  for (const b of group.querySelectorAll<HTMLButtonElement>("button")) {
    const on = b.dataset[key] === value;
    b.setAttribute(attr, String(on));
    b.tabIndex = on ? 0 : -1;
  }
}

/** Arrow keys, Home and End move along a tab list or radio group and choose (WAI-ARIA). */
export function arrowKeys(group: HTMLElement): void {
  group.addEventListener("keydown", (ev) => {
    const buttons = [...group.querySelectorAll<HTMLButtonElement>("button")];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const n = buttons.length;
    const to = ({ ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: n - 1 } as Record<string, number>)[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    const b = buttons[(to + n) % n];
    b.focus();
    b.click();
  });
}

/** The banner at the top: errors interrupt (assertive), notices wait their turn. */
export function showMessage(text: string, kind: "warn" | "error" = "warn"): void {
  const m = $("message");
  m.textContent = text;
  m.className = "message" + (kind === "error" ? " error" : "");
  m.setAttribute("role", kind === "error" ? "alert" : "status");
  m.setAttribute("aria-live", kind === "error" ? "assertive" : "polite");
  m.hidden = !text;
}

/** Runs `f` once the current frame is painted. */
export function afterPaint(f: () => void): void {
  requestAnimationFrame(() => setTimeout(f, 0));
}

const disarm = new WeakMap<HTMLButtonElement, () => void>();

/**
 * A second click within five seconds does it: the first only changes the button's words to
 * say so (no modal dialog needed), and they come back after the second or the five seconds.
 */
export function armed(b: HTMLButtonElement, asking: string, act: () => void): void {
  const back = disarm.get(b);
  if (back) {
    back();
    act();
    return;
  }
  const label = b.textContent ?? "";
  const timer = setTimeout(() => reset(), 5000);
  const reset = () => {
    clearTimeout(timer);
    disarm.delete(b);
    b.textContent = label;
  };
  disarm.set(b, reset);
  b.textContent = asking;
}
