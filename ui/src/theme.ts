/** Light or dark: the person's choice in Settings, else the system's. */
import type { ThemeChoice } from "./types";

export const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

export function isDark(): boolean {
  const t = document.documentElement.dataset.theme;
  return t === "dark" || (t !== "light" && darkQuery.matches);
}

/** `data-theme` on the root; none follows the system (style.css's media query). */
export function applyTheme(theme: ThemeChoice): void {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
