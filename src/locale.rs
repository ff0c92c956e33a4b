//! The person's convention for decimals: a comma in most of Europe and South America, a point
//! in English, Chinese, Japanese and elsewhere. Read once from the environment the way the C
//! library reads it (`LC_ALL`, then `LC_NUMERIC`, then `LANG`), and applied to every number
//! written for people (the window, the terminal, charts). Files for programs — CSV, JSON,
//! FIT — never change with it. Dates and times in the window are written by the window's own
//! `Intl` formatting, which follows the same system locale.

use std::sync::OnceLock;

/// How numbers are written for people, and where their week starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale {
    pub decimal_comma: bool,
    /// The first day of a week (weekly averages): CLDR's for the region, Monday by default.
    pub first_weekday: jiff::civil::Weekday,
}

impl Default for Locale {
    fn default() -> Self {
        Locale { decimal_comma: false, first_weekday: jiff::civil::Weekday::Monday }
    }
}

/// Regions whose weeks start on Sunday, and on Saturday (CLDR's `weekData`); the others start
/// on Monday.
const SUNDAY_REGIONS: &[&str] = &[
    "AG", "AS", "BD", "BR", "BS", "BT", "BW", "BZ", "CA", "CN", "CO", "DM", "DO", "ET", "GT", "GU", "HK",
    "HN", "ID", "IL", "IN", "JM", "JP", "KE", "KH", "KR", "LA", "MH", "MM", "MO", "MT", "MX", "MZ", "NI",
    "NP", "PA", "PE", "PH", "PK", "PR", "PT", "PY", "SA", "SG", "SV", "TH", "TT", "TW", "UM", "US", "VE",
    "VI", "WS", "YE", "ZA", "ZW",
];
const SATURDAY_REGIONS: &[&str] =
    &["AE", "AF", "BH", "DJ", "DZ", "EG", "IQ", "IR", "JO", "KW", "LY", "OM", "QA", "SD", "SY"];

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
        let region = base.split('_').nth(1).unwrap_or("").to_ascii_uppercase();
        let first_weekday = if SUNDAY_REGIONS.contains(&region.as_str()) {
            jiff::civil::Weekday::Sunday
        } else if SATURDAY_REGIONS.contains(&region.as_str()) {
            jiff::civil::Weekday::Saturday
        } else {
            jiff::civil::Weekday::Monday
        };
        Locale { decimal_comma, first_weekday }
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
    fn the_week_starts_where_the_region_starts_it() {
        use jiff::civil::Weekday;
        assert_eq!(Locale::from_tag("en_US.UTF-8").first_weekday, Weekday::Sunday);
        assert_eq!(Locale::from_tag("de_DE.UTF-8").first_weekday, Weekday::Monday);
        assert_eq!(Locale::from_tag("ar_EG").first_weekday, Weekday::Saturday);
        assert_eq!(Locale::from_tag("C").first_weekday, Weekday::Monday, "Monday by default");
    }

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
        assert_eq!(Locale { decimal_comma: true, ..Locale::default() }.number("78.4 kg".into()), "78,4 kg");
        assert_eq!(Locale::default().number("78.4 kg".into()), "78.4 kg");
        assert_eq!(bcp47("de_DE.UTF-8").as_deref(), Some("de-DE"));
        assert_eq!(bcp47("C.UTF-8"), None);
        assert_eq!(bcp47("x\"y"), None, "nothing but a tag reaches the window");
    }
}
