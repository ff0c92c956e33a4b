//! The person's convention for decimals: a comma in most of Europe and South America, a point
//! in English, Chinese, Japanese and elsewhere. Read once from the environment the way the C
//! library reads it (`LC_ALL`, then `LC_NUMERIC`, then `LANG`), and applied to every number
//! written for people (the window, the terminal, charts). Files for programs — CSV, JSON,
//! FIT — never change with it. Dates and times in the window are written by the window's own
//! `Intl` formatting, which follows the same system locale.

use std::sync::OnceLock;

/// How numbers are written for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Locale {
    pub decimal_comma: bool,
}

/// Languages that write "78,4" (CLDR's decimal symbol for the language's main region).
const COMMA_LANGUAGES: &[&str] = &[
    "af", "az", "be", "bg", "bs", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fo", "fr", "gl",
    "hr", "hu", "hy", "id", "is", "it", "ka", "kk", "ky", "lt", "lv", "mk", "nb", "nl", "nn", "no", "pl",
    "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "tr", "uk", "uz", "vi",
];
/// Regions of those languages that write a point instead.
const POINT_REGIONS: &[&str] = &["de_CH", "de_LI", "it_CH", "es_MX", "es_US", "es_PR", "es_DO", "es_GT"];

impl Locale {
    /// The locale the environment names (`de_DE.UTF-8`, `pt-BR`, `C`).
    pub fn from_tag(tag: &str) -> Locale {
        let base = tag.split(['.', '@']).next().unwrap_or("").replace('-', "_");
        let lang = base.split('_').next().unwrap_or("").to_ascii_lowercase();
        let decimal_comma = COMMA_LANGUAGES.contains(&lang.as_str())
            && !POINT_REGIONS.iter().any(|r| r.eq_ignore_ascii_case(&base));
        Locale { decimal_comma }
    }

    pub fn from_env() -> Locale {
        env_tag().map_or_else(Locale::default, |t| Locale::from_tag(&t))
    }

    /// A number already written with a point, in this convention.
    pub fn number(self, text: String) -> String {
        if self.decimal_comma { text.replace('.', ",") } else { text }
    }
}

/// The locale the environment names, as the C library looks for it.
fn env_tag() -> Option<String> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    var("LC_ALL").or_else(|| var("LC_NUMERIC")).or_else(|| var("LANG"))
}

/// The environment's locale as a BCP 47 tag ("de-DE") for the window's own formatting, so
/// the window and the core agree even where the C library lacks that locale; none for the
/// neutral C/POSIX locale.
pub fn bcp47_from_env() -> Option<String> {
    bcp47(&env_tag()?)
}

fn bcp47(tag: &str) -> Option<String> {
    let base = tag.split(['.', '@']).next().unwrap_or("");
    let ok = base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (ok && !base.is_empty() && base != "C" && base != "POSIX").then(|| base.replace('_', "-"))
}

static CURRENT: OnceLock<Locale> = OnceLock::new();

/// Sets the process's convention once, at start-up (the CLI and the desktop app do; a library
/// user that does not gets points).
pub fn init(locale: Locale) {
    let _ = CURRENT.set(locale);
}

pub fn current() -> Locale {
    CURRENT.get().copied().unwrap_or_default()
}

/// `text` (a number written with a point, with or without its unit) for people.
pub fn number(text: String) -> String {
    current().number(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_convention_of_each_locale() {
        for comma in ["de_DE.UTF-8", "fr_FR", "pt-BR", "ru_RU.UTF-8", "nb_NO", "es_ES@euro"] {
            assert!(Locale::from_tag(comma).decimal_comma, "{comma}");
        }
        for point in
            ["en_US.UTF-8", "en_GB", "C", "C.UTF-8", "POSIX", "ja_JP", "zh_CN", "de_CH.UTF-8", "es_MX", ""]
        {
            assert!(!Locale::from_tag(point).decimal_comma, "{point}");
        }
        assert_eq!(Locale { decimal_comma: true }.number("78.4 kg".into()), "78,4 kg");
        assert_eq!(Locale::default().number("78.4 kg".into()), "78.4 kg");
        assert_eq!(bcp47("de_DE.UTF-8").as_deref(), Some("de-DE"));
        assert_eq!(bcp47("C.UTF-8"), None);
        assert_eq!(bcp47("x\"y"), None, "nothing but a tag reaches the window");
    }
}
