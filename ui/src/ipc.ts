/**
 * The only module that talks to the shell: every command and every event goes through here.
 * Both come from the Rust side's one list (src-tauri/src/ipc.rs), generated into
 * `./bindings/` with their argument and answer types; `make test` fails when the two disagree.
 */
export { commands } from "./bindings/commands";
export { on, type Events } from "./bindings/events";
