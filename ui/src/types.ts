/**
 * What the core sends the window and what the window sends it: the types generated from the
 * Rust side (`./bindings/types.ts`), and the few the window names for itself.
 */

export * from "./bindings/types";

/** The chart's ranges the window offers (the core also takes `YYYY-MM-DD..YYYY-MM-DD`). */
export type Range = "30d" | "90d" | "1y" | "all";
