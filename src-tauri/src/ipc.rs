//! The window's whole interface in one place: every command with its argument and its answer,
//! every event with its payload, and the argument types. From the two lists below come the
//! invoke handler, the permissions (build.rs reads the command list) and the TypeScript the
//! window is written against (`ui/src/bindings/`, checked by the `bindings` test), so the
//! two sides cannot drift apart unnoticed.

#[cfg(test)]
use heft::app::{
    AccountSyncView, AverageRow, BacktestRow, BodyFigure, ExportSummary, Health, Imported, Overview,
    Preferences, RenderedChart, SplitView, SummaryText, SyncLine, WeighInRow,
};
use heft::app::{SyncEvery, ThemeChoice};
use heft::chart::ChartKind;
#[cfg(test)]
use heft::imports::generic::Preview;
use heft::sync::Progress;
use heft::trend::{DayReading, Method};
use heft::units::MassUnit;
use serde::{Deserialize, Serialize};
use tauri::Emitter;
use ts_rs::TS;

use crate::errors::UiError;

/// Declares the commands: `name(Args) -> Answer;` (or `name() -> Answer;`), each implemented
/// by `commands::name`. An error is always a [`UiError`].
macro_rules! commands {
    ($($name:ident($($args:ty)?) -> $answer:ty;)*) => {
        /// Every command's name, as the window invokes it.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler for every command in the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::commands::$name),*]
        }

        /// Each command's name, argument type and answer type as written here, for the test
        /// that `commands.rs` implements them with these types.
        #[cfg(test)]
        pub const SIGNATURES: &[(&str, &str, &str)] =
            &[$((stringify!($name), concat!("" $(, stringify!($args))?), stringify!($answer))),*];

        /// Each command's name, argument type (if any) and answer type, in TypeScript.
        #[cfg(test)]
        pub fn command_types(cfg: &ts_rs::Config, types: &mut bindings::Types) -> Vec<bindings::Command> {
            vec![$({
                $(types.add::<$args>(cfg);)?
                types.add::<$answer>(cfg);
                bindings::Command {
                    name: stringify!($name),
                    args: None $(.or(Some(<$args as TS>::name(cfg))))?,
                    answer: <$answer as TS>::name(cfg),
                }
            }),*]
        }
    };
}

/// Declares the events the shell sends the window: `Variant("name", Payload)`.
macro_rules! events {
    ($($variant:ident($name:literal, $payload:ty),)*) => {
        /// Something the window hears about without asking.
        pub enum Event {
            $($variant($payload),)*
        }

        impl Event {
            /// Sends it to the window; a window that is gone has nothing to hear.
            pub fn emit(self, app: &tauri::AppHandle) {
                let sent = match self {
                    $(Event::$variant(p) => app.emit($name, p),)*
                };
                if let Err(e) = sent {
                    tracing::debug!("an event did not reach the window: {e}");
                }
            }
        }

        /// Each event's name and payload type, in TypeScript.
        #[cfg(test)]
        pub fn event_types(cfg: &ts_rs::Config, types: &mut bindings::Types) -> Vec<(&'static str, String)> {
            vec![$({
                types.add::<$payload>(cfg);
                ($name, <$payload as TS>::name(cfg))
            }),*]
        }
    };
}

commands! {
    overview() -> Overview;
    keychain_problem() -> Option<UiError>;
    credentials(CredentialsArgs) -> ();
    connect() -> String;
    demo() -> String;
    sync(AccountArgs) -> Vec<AccountSyncView>;
    chart(ChartArgs) -> RenderedChart;
    save_chart(SaveChartArgs) -> Option<String>;
    summary(UnitArgs) -> SummaryText;
    weigh_ins(WeighInsArgs) -> Vec<WeighInRow>;
    weigh_in_near(NearArgs) -> Option<WeighInRow>;
    sync_log(SyncLogArgs) -> Vec<SyncLine>;
    exclude(ExcludeArgs) -> ();
    review(ReviewArgs) -> ();
    set_note(NoteArgs) -> ();
    add_entry(EntryArgs) -> i64;
    edit_entry(EditEntryArgs) -> ();
    remove_entry(GroupArgs) -> ();
    save_account(SaveAccountArgs) -> ();
    show_unit(ShowUnitArgs) -> ();
    import_chosen(ImportArgs) -> Option<Imported>;
    preview_csv() -> Option<Preview>;
    import_csv(ImportCsvArgs) -> Imported;
    export_data(ExportArgs) -> Option<ExportSummary>;
    cancel() -> ();
    health(AccountArgs) -> Health;
    preferences(PreferencesArgs) -> Preferences;
    save_preferences(SavePreferencesArgs) -> Preferences;
    open_data_folder() -> ();
    disconnect(DisconnectArgs) -> ();
    reconnect(UseridArgs) -> String;
    set_method(MethodArgs) -> ();
    backtest(UnitArgs) -> Vec<BacktestRow>;
    averages(AveragesArgs) -> Vec<AverageRow>;
    set_day_reading(DayReadingArgs) -> ();
    split(SplitArgs) -> SplitView;
    body(AccountArgs) -> Vec<BodyFigure>;
    remove_demo(UseridArgs) -> ();
    showing(AccountArgs) -> ();
}

events! {
    SyncProgress("sync-progress", ProgressEvent),
    SyncWaiting("sync-waiting", UiError),
    CallbackRejected("callback-rejected", UiError),
    KeychainProblem("keychain-problem", UiError),
    // A click on a reminder: show this account (by userid).
    OpenAccount("open-account", String),
}

/// A sync's progress after each page, for the account it belongs to.
#[derive(Clone, Serialize, TS)]
pub struct ProgressEvent {
    pub userid: String,
    #[serde(flatten)]
    pub progress: Progress,
}

// The arguments. `userid: None` means the account the person last chose (the CLI's default).

/// Saves the Withings developer app.
#[derive(Deserialize, TS)]
pub struct CredentialsArgs {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Deserialize, TS)]
pub struct AccountArgs {
    pub userid: Option<String>,
}

#[derive(Deserialize, TS)]
pub struct UseridArgs {
    pub userid: String,
}

#[derive(Deserialize, TS)]
pub struct UnitArgs {
    pub userid: Option<String>,
    pub unit: MassUnit,
}

/// The chart the window shows; its size in CSS pixels (clamped to what can be drawn).
#[derive(Deserialize, TS)]
pub struct ChartArgs {
    pub userid: Option<String>,
    pub kind: ChartKind,
    /// "30d", "90d", "1y", "all", or "2026-01-01..2026-03-31".
    pub range: String,
    pub unit: MassUnit,
    pub dark: bool,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Png,
    Svg,
}

#[derive(Deserialize, TS)]
pub struct SaveChartArgs {
    pub chart: ChartArgs,
    pub format: ImageFormat,
}

/// Which weigh-ins the list shows.
#[derive(Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Show {
    /// The latest 30.
    All,
    /// Every one awaiting review.
    Review,
    /// Every one with an anomaly flag.
    Flagged,
}

#[derive(Deserialize, TS)]
pub struct WeighInsArgs {
    pub userid: Option<String>,
    pub unit: MassUnit,
    pub show: Show,
}

/// The weigh-in nearest to `ts` (Unix seconds), within `within` seconds.
#[derive(Deserialize, TS)]
pub struct NearArgs {
    pub userid: Option<String>,
    pub unit: MassUnit,
    pub ts: i64,
    pub within: i64,
}

#[derive(Deserialize, TS)]
pub struct SyncLogArgs {
    pub userid: Option<String>,
    pub unit: MassUnit,
    pub limit: u32,
}

#[derive(Deserialize, TS)]
pub struct ExcludeArgs {
    pub userid: Option<String>,
    pub grpid: i64,
    pub excluded: bool,
    pub reason: Option<String>,
}

#[derive(Deserialize, TS)]
pub struct ReviewArgs {
    pub userid: Option<String>,
    pub grpid: i64,
    pub mine: bool,
}

/// A note on a weigh-in; none (or only spaces) removes it.
#[derive(Deserialize, TS)]
pub struct NoteArgs {
    pub userid: Option<String>,
    pub grpid: i64,
    pub note: Option<String>,
}

#[derive(Deserialize, TS)]
pub struct GroupArgs {
    pub userid: Option<String>,
    pub grpid: i64,
}

/// A weigh-in as typed in the entry form: numbers as typed (either decimal separator), the
/// time as `datetime-local` gives it, in the account's time zone (none: now).
#[derive(Deserialize, TS)]
pub struct EntryArgs {
    pub userid: Option<String>,
    pub weight: String,
    pub unit: MassUnit,
    pub fat_ratio: Option<String>,
    pub at: Option<String>,
}

#[derive(Deserialize, TS)]
pub struct EditEntryArgs {
    pub grpid: i64,
    #[serde(flatten)]
    pub entry: EntryArgs,
}

/// An account's name, colour, own unit (none: the default) and goal in `goal_unit` (none
/// clears it).
#[derive(Deserialize, TS)]
pub struct SaveAccountArgs {
    pub userid: String,
    pub name: String,
    pub colour: Option<String>,
    pub unit: Option<MassUnit>,
    pub goal: Option<f64>,
    pub goal_unit: MassUnit,
}

#[derive(Deserialize, TS)]
pub struct ShowUnitArgs {
    pub userid: String,
    pub unit: MassUnit,
}

/// The account an export joins, the time zone of its wall-clock times and the unit of its
/// weights where the file does not say (Fitbit, openScale 3).
#[derive(Deserialize, TS)]
pub struct ImportArgs {
    pub userid: Option<String>,
    pub timezone: Option<String>,
    pub unit: Option<MassUnit>,
}

/// The CSV last previewed (`preview_csv`), read by the columns the person chose: the time, the
/// weight, optionally body fat in percent; the unit of its weights and the zone of its local
/// times.
#[derive(Deserialize, TS)]
pub struct ImportCsvArgs {
    pub userid: Option<String>,
    pub time: String,
    pub weight: String,
    pub fat: Option<String>,
    pub unit: MassUnit,
    pub zone: Option<String>,
}

#[derive(Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportChoice {
    /// Everything, losslessly: a backup Heft imports.
    Json,
    /// The account's body measurements for a spreadsheet.
    Csv,
    /// The account's weigh-ins for Garmin Connect.
    Fit,
}

#[derive(Deserialize, TS)]
pub struct ExportArgs {
    pub userid: Option<String>,
    pub format: ExportChoice,
}

/// `check_secret` also asks the keychain whether a client secret is saved (a round trip the
/// start path does not wait for).
#[derive(Deserialize, TS)]
pub struct PreferencesArgs {
    pub check_secret: bool,
}

#[derive(Deserialize, TS)]
pub struct SavePreferencesArgs {
    pub unit: MassUnit,
    pub sync_on_launch: bool,
    pub sync_every: SyncEvery,
    pub theme: ThemeChoice,
    /// Days without a weigh-in before a reminder; none: no such reminder.
    pub remind_after_days: Option<u32>,
    /// None: leave it as it is.
    pub start_at_login: Option<bool>,
}

/// Forgets the tokens; with `delete_data` the history too.
#[derive(Deserialize, TS)]
pub struct DisconnectArgs {
    pub userid: String,
    pub delete_data: bool,
}

#[derive(Deserialize, TS)]
pub struct MethodArgs {
    pub userid: Option<String>,
    pub method: Method,
}

/// Weekly (from the locale's first day) or monthly averages, in `unit`.
#[derive(Deserialize, TS)]
pub struct AveragesArgs {
    pub userid: Option<String>,
    pub unit: MassUnit,
    pub monthly: bool,
}

/// Which weigh-in stands for a day in the account's daily trends.
#[derive(Deserialize, TS)]
pub struct DayReadingArgs {
    pub userid: Option<String>,
    pub day_reading: DayReading,
}

/// The window of a fat / lean split (Unix seconds; none: the last 90 days).
#[derive(Deserialize, TS)]
pub struct SplitArgs {
    pub userid: Option<String>,
    pub unit: MassUnit,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The TypeScript side of the lists above, written to `ui/src/bindings/` and compared with
/// what is committed there.
#[cfg(test)]
pub mod bindings {
    use std::any::TypeId;
    use std::collections::{BTreeMap, HashSet};
    use std::path::PathBuf;

    use ts_rs::{Config, TS, TypeVisitor};

    /// A command as TypeScript sees it.
    pub struct Command {
        pub name: &'static str,
        pub args: Option<String>,
        pub answer: String,
    }

    /// Every named type the lists reach, declared once, in name order.
    #[derive(Default)]
    pub struct Types {
        seen: HashSet<TypeId>,
        decls: BTreeMap<String, String>,
    }

    impl Types {
        pub fn add<T: TS + 'static + ?Sized>(&mut self, cfg: &Config) {
            if !self.seen.insert(TypeId::of::<T>()) {
                return;
            }
            if T::output_path().is_some() {
                let docs = T::docs().unwrap_or_default();
                self.decls.insert(T::ident(cfg), format!("{docs}export {}", T::decl(cfg)));
            }
            struct Visit<'a>(&'a Config, &'a mut Types);
            impl TypeVisitor for Visit<'_> {
                fn visit<U: TS + 'static + ?Sized>(&mut self) {
                    self.1.add::<U>(self.0);
                }
            }
            T::visit_dependencies(&mut Visit(cfg, self));
            T::visit_generics(&mut Visit(cfg, self));
        }
    }

    const HEADER: &str = "// Generated from src-tauri/src/ipc.rs by `make bindings`; do not edit.\n";

    /// The committed files' contents as the Rust side declares them now.
    pub fn files() -> Vec<(PathBuf, String)> {
        // Every integer crossing the IPC is a Unix time, a count or a row number, all within
        // JavaScript's safe integers.
        let cfg = Config::new().with_large_int("number");
        let mut types = Types::default();
        let commands = super::command_types(&cfg, &mut types);
        let events = super::event_types(&cfg, &mut types);
        let names: Vec<&String> = types.decls.keys().collect();
        let import = format!(
            "import type {{\n{}\n}} from \"./types\";\n",
            names.iter().map(|n| format!("  {n},")).collect::<Vec<_>>().join("\n")
        );

        let mut types_ts = String::from(HEADER);
        for decl in types.decls.values() {
            types_ts.push('\n');
            types_ts.push_str(decl.trim_end());
            types_ts.push('\n');
        }

        let mut commands_ts = format!(
            "{HEADER}\nimport {{ invoke }} from \"@tauri-apps/api/core\";\n{import}\n\
             /** Every command the window may call; each rejects with a `UiError`. */\nexport const commands = {{\n"
        );
        for c in &commands {
            let js = camel(c.name);
            let line = match &c.args {
                Some(a) => format!(
                    "  {js}: (args: {a}): Promise<{}> => invoke(\"{}\", {{ args }}),\n",
                    c.answer, c.name
                ),
                None => format!("  {js}: (): Promise<{}> => invoke(\"{}\"),\n", c.answer, c.name),
            };
            commands_ts.push_str(&line);
        }
        commands_ts.push_str("};\n\nexport type CommandName = keyof typeof commands;\n");

        let mut events_ts = format!(
            "{HEADER}\nimport {{ listen, type UnlistenFn }} from \"@tauri-apps/api/event\";\n{import}\n\
             /** Every event the shell sends the window, with its payload. */\nexport interface Events {{\n"
        );
        for (name, payload) in &events {
            events_ts.push_str(&format!("  \"{name}\": {payload};\n"));
        }
        events_ts.push_str(
            "}\n\n/** Listens to one of the shell's events. */\nexport function on<E extends keyof Events>(\n  event: E,\n  handler: (payload: Events[E]) => void,\n): Promise<UnlistenFn> {\n  return listen<Events[E]>(event, (e) => handler(e.payload));\n}\n",
        );

        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        // Only the imports each file uses (TypeScript's noUnusedLocals).
        let prune = |text: String| {
            let body = text.split_once("} from \"./types\";").map(|(_, b)| b.to_string()).unwrap_or_default();
            let used: Vec<&&String> = names.iter().filter(|n| contains_word(&body, n)).collect();
            let pruned = format!(
                "import type {{\n{}\n}} from \"./types\";\n",
                used.iter().map(|n| format!("  {n},")).collect::<Vec<_>>().join("\n")
            );
            text.replace(&import, &pruned)
        };
        vec![
            (dir.join("types.ts"), types_ts),
            (dir.join("commands.ts"), prune(commands_ts)),
            (dir.join("events.ts"), prune(events_ts)),
        ]
    }

    fn contains_word(text: &str, word: &str) -> bool {
        text.match_indices(word).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !part(before) && !part(after)
        })
    }

    /// `weigh_in_near` → `weighInNear`.
    fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut up = false;
        for c in name.chars() {
            if c == '_' {
                up = true;
            } else if up {
                out.extend(c.to_uppercase());
                up = false;
            } else {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The TypeScript the window is written against says what the Rust side says. Run
    /// `make bindings` (HEFT_WRITE_BINDINGS=1) after changing a command, an event or a type
    /// they carry.
    #[test]
    fn bindings_are_current() {
        let write = std::env::var_os("HEFT_WRITE_BINDINGS").is_some_and(|v| v == "1");
        let mut stale = Vec::new();
        for (path, text) in super::bindings::files() {
            if write {
                std::fs::create_dir_all(path.parent().expect("a folder")).expect("the bindings folder");
                std::fs::write(&path, &text).expect("the bindings are written");
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        assert!(stale.is_empty(), "out of date: {stale:?}; run `make bindings` and commit them");
    }

    /// Each command in `commands.rs` takes the argument and gives the answer the list says (the
    /// TypeScript is generated from the list, so a list that lied would type the window wrong).
    #[test]
    fn the_list_matches_the_commands() {
        let source = include_str!("commands.rs");
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").replace(", )", ")");
        let fns: Vec<&str> = source.split("#[tauri::command]").skip(1).collect();
        assert_eq!(fns.len(), super::SIGNATURES.len(), "one #[tauri::command] per listed command");
        for (name, args, answer) in super::SIGNATURES {
            let f = fns
                .iter()
                .map(|f| flat(&f[..f.find('{').unwrap_or(f.len())]))
                .find(|f| f.contains(&format!("pub async fn {name}(")))
                .unwrap_or_else(|| panic!("commands.rs has no command {name}"));
            let takes =
                if args.is_empty() { !f.contains("args:") } else { f.contains(&format!("args: {args})")) };
            assert!(takes, "{name} should take {args:?}: {f}");
            assert!(
                f.contains(&format!("-> Result<{}, UiError>", flat(answer))),
                "{name} should answer {answer}: {f}"
            );
        }
    }

    /// The capability grants exactly the listed commands (and the event listener): a command
    /// added to the list but not granted would fail in the window, one granted but gone is a
    /// permission nothing needs.
    #[test]
    fn the_capability_grants_every_command_and_nothing_else() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities/default.json");
        let text = std::fs::read_to_string(path).expect("capabilities/default.json");
        let cap: serde_json::Value = serde_json::from_str(&text).expect("the capability is JSON");
        let granted: BTreeSet<String> = cap["permissions"]
            .as_array()
            .expect("a permissions list")
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(String::from)
            .collect();
        let listed: BTreeSet<String> = super::COMMANDS.iter().map(|c| c.replace('_', "-")).collect();
        assert_eq!(granted, listed, "capabilities/default.json against ipc.rs");
    }
}
