/** The welcome screen: connect Withings, try the demo, or import a file without connecting. */
import { $ } from "../dom";
import { commands } from "../ipc";
import { connectFlow } from "../header";
import { importChosen } from "./your-data";

export function wireWelcome(): void {
  $("credentials-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const client_id = $<HTMLInputElement>("client-id").value;
    const client_secret = $<HTMLInputElement>("client-secret").value;
    void connectFlow(async () => {
      if (client_id || client_secret) await commands.credentials({ client_id, client_secret });
      return commands.connect();
    });
  });
  $("demo-button").addEventListener("click", () => void connectFlow(() => commands.demo()));
  $("welcome-import").addEventListener("click", () => void importChosen($("welcome-import-result"), null, null, null));
  $("connect-cancel").addEventListener("click", () => void commands.cancel());
}
