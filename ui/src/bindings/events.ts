// Generated from src-tauri/src/ipc.rs by `make bindings`; do not edit.

import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  ProgressEvent,
  UiError,
} from "./types";

/** Every event the shell sends the window, with its payload. */
export interface Events {
  "sync-progress": ProgressEvent;
  "sync-waiting": UiError;
  "callback-rejected": UiError;
  "keychain-problem": UiError;
  "open-account": string;
}

/** Listens to one of the shell's events. */
export function on<E extends keyof Events>(
  event: E,
  handler: (payload: Events[E]) => void,
): Promise<UnlistenFn> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}
