//! `redline.toml` and the command-line overrides, resolved once into one
//! [`Config`] whose fields the rest of the pipeline trusts without re-checking.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use jiff::tz::TimeZone;
use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

use crate::source::exclude::Exclude;
use crate::source::languages::{LanguageFile, Languages, SiteDefaults};
use crate::source::location::line_col;
use crate::text::attributes::{AllowedClasses, is_class_name};
use crate::text::markdown::{HtmlMode, MarkdownOptions};

/// The config file's name in the site root.
pub use crate::source::paths::CONFIG_FILE;

/// Which git date dates a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// When the change landed on the published branch (the default).
    #[default]
    Committer,
    /// When the change was written.
    Author,
}

/// `redline.toml` as written. Every key is optional; a key redline doesn't
/// know is an error, so a typo never silently does nothing.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ConfigFile {
    title: String,
    description: String,
    base_url: Option<String>,
    feed_id_base: Option<String>,
    /// The old name of `default_language`, still read.
    language: Option<String>,
    default_language: Option<String>,
    /// Whose text prevails when a translation differs from it.
    binding_language: Option<String>,
    timezone: Option<String>,
    /// None: each language's long date from CLDR.
    date_format: Option<String>,
    theme: String,
    content_dir: PathBuf,
    output_dir: PathBuf,
    exclude: Vec<String>,
    html: Option<HtmlMode>,
    allowed_classes: Vec<String>,
    /// The old spelling of `html = "trust"`, still read.
    unsafe_html: Option<bool>,
    ignore_revs_file: PathBuf,
    date_source: DateSource,
    trust_front_matter_dates: bool,
    notice_days: u32,
    nav_limit: usize,
    publish_authors: bool,
    publish_commit_subjects: bool,
    email: EmailFile,
    check: crate::source::lint_levels::CheckFile,
    languages: BTreeMap<String, LanguageFile>,
    /// Keys keep their place in the file, to point at a misplaced setting.
    extra: BTreeMap<Spanned<String>, toml::Value>,
}

/// The top-level settings of [`ConfigFile`] (the tables aside). Written under
/// `[extra]` (a line appended at the end of the file lands there), one does
/// nothing but hand a value to templates, so the build says where it is.
const TOP_LEVEL_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "feed_id_base",
    "language",
    "default_language",
    "binding_language",
    "timezone",
    "date_format",
    "theme",
    "content_dir",
    "output_dir",
    "exclude",
    "html",
    "allowed_classes",
    "unsafe_html",
    "ignore_revs_file",
    "date_source",
    "trust_front_matter_dates",
    "notice_days",
    "nav_limit",
    "publish_authors",
    "publish_commit_subjects",
];

/// The `[email]` table as written: who change notices come from.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct EmailFile {
    from: Option<String>,
    reply_to: Option<String>,
    to: Option<String>,
    subject_prefix: String,
    list_unsubscribe: OneOrMany,
}

/// A key that takes one string or a list of them.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

impl Default for ConfigFile {
    fn default() -> Self {
        ConfigFile {
            title: "Policies".into(),
            description: String::new(),
            base_url: None,
            feed_id_base: None,
            language: None,
            default_language: None,
            binding_language: None,
            timezone: None,
            date_format: None,
            theme: "default".into(),
            content_dir: "content".into(),
            output_dir: "public".into(),
            exclude: Vec::new(),
            html: None,
            allowed_classes: Vec::new(),
            unsafe_html: None,
            ignore_revs_file: ".git-blame-ignore-revs".into(),
            date_source: DateSource::Committer,
            trust_front_matter_dates: false,
            notice_days: 30,
            nav_limit: 12,
            publish_authors: false,
            publish_commit_subjects: false,
            email: EmailFile::default(),
            check: Default::default(),
            languages: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }
}

/// What the command line may override; the library's own type, so clap stops
/// at the binary's edge.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub root: PathBuf,
    pub content: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub theme: Option<String>,
    pub git_ref: Option<String>,
    pub drafts: bool,
    pub strict: bool,
    pub allow_shallow: bool,
    pub no_archive: bool,
    /// The cache folder, relative to the root (default [`crate::cache::DEFAULT_DIR`]).
    pub cache: Option<PathBuf>,
    pub no_cache: bool,
}

/// Who change notices come from, checked at load so `redline notify` never
/// finds a bad address half way through sending.
#[derive(Debug, Clone, Default)]
pub struct EmailConfig {
    pub from: Option<Mailbox>,
    pub reply_to: Option<Mailbox>,
    /// Where notices go when no recipients file is given (a mailing list).
    pub to: Option<Mailbox>,
    /// Put before every subject, e.g. `[Frameloop]`.
    pub subject_prefix: String,
    /// `mailto:` and `https:` addresses for the `List-Unsubscribe` header.
    pub list_unsubscribe: Vec<String>,
}

/// The default [`Config::archive_text_budget`]: kept, a version's text
/// takes about three times its size (HTML, blocks, contents), so a thread
/// holds at most about 6 MB of texts. A longer history is read twice, its
/// second reading taken from the build cache.
pub const ARCHIVE_TEXT_BUDGET: u64 = 2 << 20;

/// The resolved configuration of one site.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site root, absolute.
    pub root: PathBuf,
    /// The content folder, absolute.
    pub content_dir: PathBuf,
    /// The output folder, absolute.
    pub output_dir: PathBuf,
    /// Files and folders under the content folder left out of the site.
    pub exclude: Exclude,
    pub title: String,
    pub description: String,
    /// Absolute base URL ending in `/`, when the site knows where it lives.
    pub base_url: Option<String>,
    /// What feed entry ids start with instead of `base_url`: set to the old
    /// `base_url` when the site moves, so no feed shows old changes as new.
    pub feed_id_base: Option<String>,
    /// The default language's code (BCP 47, canonical).
    pub language: String,
    /// Every language of the site, the default first, with its settings.
    pub languages: Languages,
    /// The zone dates are shown in; `None` keeps each commit's own offset.
    pub timezone: Option<TimeZone>,
    pub theme: String,
    /// What raw HTML in Markdown becomes.
    pub html: HtmlMode,
    /// Classes attribute lists (`{: .note }`) may put on headings and
    /// paragraphs; others are dropped.
    pub allowed_classes: Vec<String>,
    /// The ignore-revs file, absolute (it may not exist).
    pub ignore_revs_file: PathBuf,
    pub date_source: DateSource,
    pub trust_front_matter_dates: bool,
    /// How many days a material change is announced at the top of its page.
    pub notice_days: u32,
    /// The header lists every document when there are at most this many;
    /// a larger site's header links the index instead.
    pub nav_limit: usize,
    /// Name each version's commit author on pages and in feeds and
    /// `versions.json`; off by default, as the people who edit a public
    /// policy may not want their names published.
    pub publish_authors: bool,
    /// Publish each version's raw commit subject (internal text, off by
    /// default); readers always get the `Notice:` or generated summary.
    pub publish_commit_subjects: bool,
    /// The build's day in the site's zone: notices and effective dates are
    /// judged against it. `SOURCE_DATE_EPOCH` (reproducible builds) sets it.
    pub today: jiff::civil::Date,
    /// The `[email]` table: sender and headers of change notices.
    pub email: EmailConfig,
    /// The `[check]` table: lint levels and thresholds for `redline check`.
    pub check: crate::source::lint_levels::CheckConfig,
    /// The `[extra]` table, handed to templates as `site.extra`.
    pub extra: serde_json::Value,
    /// What is legal in `redline.toml` but likely not meant.
    pub warnings: Vec<String>,
    /// The git revision to publish (default HEAD).
    pub git_ref: Option<String>,
    pub drafts: bool,
    pub strict: bool,
    pub allow_shallow: bool,
    /// Write every version's page, the redlines, the changes page and feeds.
    pub archive: bool,
    /// A document whose versions' texts add up to less than this many
    /// bytes keeps them all between the archive's two passes, so each is
    /// parsed once; a longer history is read again in the second pass, so
    /// memory does not grow with it. Not a setting of redline.toml.
    pub archive_text_budget: u64,
    /// Where `redline build` keeps what the next build can reuse, absolute;
    /// None: no cache.
    pub cache_dir: Option<PathBuf>,
}

/// `html`, or what the old `unsafe_html` meant.
fn html_mode(html: Option<HtmlMode>, unsafe_html: Option<bool>) -> Result<HtmlMode> {
    match (html, unsafe_html) {
        (Some(_), Some(_)) => bail!(
            "{CONFIG_FILE} sets both `html` and the deprecated `unsafe_html`: remove `unsafe_html`"
        ),
        (Some(mode), None) => Ok(mode),
        (None, Some(true)) => Ok(HtmlMode::Trust),
        (None, _) => Ok(HtmlMode::Sanitize),
    }
}

impl Config {
    /// How Markdown is rendered everywhere: pages, history and redlines.
    pub fn markdown_options(&self) -> MarkdownOptions {
        MarkdownOptions {
            html: self.html,
            classes: AllowedClasses::new(&self.allowed_classes),
        }
    }

    /// Reads `redline.toml` in the root (if any) and applies the overrides.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        let root = fs::canonicalize(&overrides.root).with_context(|| {
            format!("the site root {} does not exist", overrides.root.display())
        })?;
        if !root.is_dir() {
            bail!("the site root {} is not a folder", root.display());
        }
        let (file, text) = read_config_file(&root.join(CONFIG_FILE))?;
        let mut warnings = misplaced_settings(&file, &text);
        if file.unsafe_html.is_some() && file.html.is_none() {
            warnings.push(format!(
                "`unsafe_html` in {CONFIG_FILE} is deprecated: write `html = \"trust\"` \
                 (raw HTML as written) or `html = \"sanitize\"` (the default: \
                 raw HTML through an allowlist)"
            ));
        }
        let mut config = resolve(root, file, overrides)?;
        config.warnings = warnings;
        Ok(config)
    }
}

/// The file as parsed, and its text (empty when there is no file).
fn read_config_file(path: &Path) -> Result<(ConfigFile, String)> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok((ConfigFile::default(), String::new()));
        }
        Err(err) => {
            return Err(err).with_context(|| format!("cannot read {}", path.display()));
        }
    };
    let file = toml::from_str(&text).map_err(|err| {
        let (line, col) = err
            .span()
            .map(|span| line_col(&text, span.start))
            .unwrap_or((1, 1));
        anyhow::anyhow!("{CONFIG_FILE}:{line}:{col}: {}", err.message().trim_end())
    })?;
    Ok((file, text))
}

/// A warning for each top-level setting written inside `[extra]`.
fn misplaced_settings(file: &ConfigFile, text: &str) -> Vec<String> {
    file.extra
        .keys()
        .filter(|key| TOP_LEVEL_KEYS.contains(&key.get_ref().as_str()))
        .map(|key| {
            let (line, _) = line_col(text, key.span().start);
            format!(
                "`{name}` is inside [extra] in {CONFIG_FILE} (line {line}), so it only reaches templates as site.extra.{name}; move it above the [extra] table to set it",
                name = key.get_ref()
            )
        })
        .collect()
}

fn resolve(root: PathBuf, file: ConfigFile, overrides: &Overrides) -> Result<Config> {
    let content_dir = root.join(overrides.content.as_ref().unwrap_or(&file.content_dir));
    let output_dir = root.join(overrides.output.as_ref().unwrap_or(&file.output_dir));
    let base_url = overrides
        .base_url
        .clone()
        .or(file.base_url)
        .map(|url| normalize_base_url(&url))
        .transpose()?;
    let timezone = file
        .timezone
        .map(|name| {
            TimeZone::get(&name).with_context(|| {
                format!(
                    "{CONFIG_FILE}: unknown timezone `{name}`; use an IANA name such as \"Europe/Berlin\" or \"UTC\""
                )
            })
        })
        .transpose()?;
    let today = build_day(timezone.as_ref())?;
    let extra: BTreeMap<&str, &toml::Value> = file
        .extra
        .iter()
        .map(|(key, value)| (key.get_ref().as_str(), value))
        .collect();
    let extra = serde_json::to_value(extra).context("the [extra] table")?;
    let default_language = match (&file.default_language, &file.language) {
        (Some(new), Some(old)) if new != old => bail!(
            "{CONFIG_FILE} sets both `default_language = \"{new}\"` and its old name `language = \"{old}\"`; keep `default_language` only"
        ),
        (Some(code), _) | (None, Some(code)) => code.clone(),
        (None, None) => "en".to_string(),
    };
    let languages = Languages::resolve(
        &default_language,
        file.binding_language.as_deref(),
        file.languages,
        &SiteDefaults {
            title: &file.title,
            description: &file.description,
            date_format: file.date_format.as_deref(),
            extra: &extra,
        },
        (&root, &content_dir),
    )?;
    let email = resolve_email(file.email)?;
    let check = crate::source::lint_levels::CheckConfig::resolve(file.check)?;
    let exclude = Exclude::new(file.exclude, CONFIG_FILE)?;
    if let Some(bad) = file.allowed_classes.iter().find(|c| !is_class_name(c)) {
        bail!(
            "{CONFIG_FILE}: `allowed_classes` lists {bad:?}, which is not a class name; use letters, digits, `-` and `_`, starting with a letter (write `note`, not `.note`)"
        );
    }
    let cache_dir = (!overrides.no_cache).then(|| {
        let dir = overrides.cache.as_deref();
        root.join(dir.unwrap_or(Path::new(crate::cache::DEFAULT_DIR)))
    });
    Ok(Config {
        ignore_revs_file: root.join(&file.ignore_revs_file),
        root,
        content_dir,
        output_dir,
        exclude,
        title: file.title,
        description: file.description,
        base_url,
        feed_id_base: file.feed_id_base,
        language: languages.default_language().code.clone(),
        languages,
        timezone,
        theme: overrides.theme.clone().unwrap_or(file.theme),
        html: html_mode(file.html, file.unsafe_html)?,
        allowed_classes: file.allowed_classes,
        date_source: file.date_source,
        trust_front_matter_dates: file.trust_front_matter_dates,
        notice_days: file.notice_days,
        nav_limit: file.nav_limit,
        publish_authors: file.publish_authors,
        publish_commit_subjects: file.publish_commit_subjects,
        today,
        email,
        check,
        extra,
        warnings: Vec::new(),
        git_ref: overrides.git_ref.clone(),
        drafts: overrides.drafts,
        strict: overrides.strict,
        archive: !overrides.no_archive,
        archive_text_budget: ARCHIVE_TEXT_BUDGET,
        cache_dir,
        allow_shallow: overrides.allow_shallow,
    })
}

impl Config {
    /// How dates are written in the language with `code`.
    pub fn date_format(&self, code: &str) -> &crate::source::dates::DateFormat {
        &self.languages.get(code).date_format
    }

    /// Who speaks for the site where a format wants an author (feeds):
    /// `[extra] company` when set, else the site's title.
    pub fn site_author(&self) -> String {
        self.extra
            .get("company")
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|company| !company.is_empty())
            .unwrap_or(&self.title)
            .to_string()
    }
}

/// Today in the site's zone (the system's when none is set), or the day of
/// `SOURCE_DATE_EPOCH` so a rebuild of the same commit is the same site.
fn build_day(zone: Option<&TimeZone>) -> Result<jiff::civil::Date> {
    let now = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
            .with_context(|| {
                format!("SOURCE_DATE_EPOCH `{value}` is not a number of seconds since 1970; unset it or set it like 1767225600")
            })?,
        Err(_) => jiff::Timestamp::now(),
    };
    let zone = zone.cloned().unwrap_or_else(TimeZone::system);
    Ok(now.to_zoned_datetime(zone).date())
}

/// Base URLs are absolute http(s) URLs; a trailing `/` is added so joining is
/// plain concatenation.
fn normalize_base_url(url: &str) -> Result<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.len() <= 8 {
        bail!(
            "base_url `{url}` is not an absolute http(s) URL; write it like \"https://example.com/legal/\""
        );
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    {
        bail!("base_url `{url}` contains spaces, quotes or control characters");
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

fn resolve_email(file: EmailFile) -> Result<EmailConfig> {
    let mailbox = |key: &str, value: Option<String>| -> Result<Option<Mailbox>> {
        value
            .map(|value| {
                value.trim().parse::<Mailbox>().map_err(|err| {
                    anyhow::anyhow!(
                        "{CONFIG_FILE}: [email] {key} `{value}` is not an email address ({err}); write it like \"Privacy Team <privacy@example.com>\""
                    )
                })
            })
            .transpose()
    };
    let subject_prefix = file.subject_prefix.trim().to_string();
    if subject_prefix.chars().any(char::is_control) {
        bail!(
            "{CONFIG_FILE}: [email] subject_prefix contains a line break or control character; write it on one line"
        );
    }
    let list_unsubscribe = file.list_unsubscribe.into_vec();
    for url in &list_unsubscribe {
        check_unsubscribe_url(url)?;
    }
    Ok(EmailConfig {
        from: mailbox("from", file.from)?,
        reply_to: mailbox("reply_to", file.reply_to)?,
        to: mailbox("to", file.to)?,
        subject_prefix,
        list_unsubscribe,
    })
}

/// `List-Unsubscribe` takes `<mailto:…>` and `<https://…>` addresses
/// (RFC 2369, RFC 8058); anything that could close the `<…>` or the header is
/// refused.
fn check_unsubscribe_url(url: &str) -> Result<()> {
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("mailto:")
        || lower.starts_with("https://")
        || lower.starts_with("http://");
    let clean = !url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','))
        && url.is_ascii();
    if !scheme_ok || !clean {
        bail!(
            "{CONFIG_FILE}: [email] list_unsubscribe `{url}` is not a mailto: or https: address without spaces; write it like \"mailto:unsubscribe@example.com\" or \"https://example.com/unsubscribe\""
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_are_exactly_the_settings_besides_the_tables() {
        // serde lists every field it expects when it meets an unknown one.
        let err = toml::from_str::<ConfigFile>("no_such_key = 1\n")
            .expect_err("an unknown key is an error");
        let message = err.message();
        let expected: Vec<&str> = message
            .split('`')
            .skip(3)
            .step_by(2)
            .filter(|name| !matches!(*name, "email" | "check" | "languages" | "extra"))
            .collect();
        assert_eq!(expected, TOP_LEVEL_KEYS, "{message}");
    }

    #[test]
    fn a_setting_written_under_extra_is_pointed_at_by_line() {
        let text =
            "title = \"Legal\"\n\n[extra]\nfooter = \"hi\"\nbase_url = \"https://example.com/\"\n";
        let file: ConfigFile = toml::from_str(text).expect("valid TOML");
        let warnings = misplaced_settings(&file, text);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("`base_url` is inside [extra] in redline.toml (line 5)"),
            "{warnings:?}"
        );
        assert!(file.base_url.is_none());
    }

    #[test]
    fn base_url_gets_trailing_slash() {
        assert_eq!(
            normalize_base_url("https://example.com").unwrap(),
            "https://example.com/"
        );
        assert_eq!(
            normalize_base_url("https://a.example/legal/").unwrap(),
            "https://a.example/legal/"
        );
        assert!(normalize_base_url("example.com").is_err());
        assert!(normalize_base_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn unknown_key_is_an_error_naming_the_key_and_line() {
        let text = "title = \"x\"\ntitel = \"y\"\n";
        let err: toml::de::Error = toml::from_str::<ConfigFile>(text).unwrap_err();
        assert!(err.message().contains("titel"), "{}", err.message());
        assert_eq!(line_col(text, err.span().unwrap().start).0, 2);
    }

    fn email(text: &str) -> Result<EmailConfig> {
        let file: ConfigFile = toml::from_str(text).unwrap();
        resolve_email(file.email)
    }

    #[test]
    fn email_addresses_are_checked_at_load_naming_the_key() {
        let ok = email(
            "[email]\nfrom = \"Frameloop Privacy <privacy@frameloop.example>\"\nlist_unsubscribe = \"mailto:u@frameloop.example\"\n",
        )
        .unwrap();
        assert_eq!(
            ok.from.unwrap().email.to_string(),
            "privacy@frameloop.example"
        );
        assert_eq!(ok.list_unsubscribe, ["mailto:u@frameloop.example"]);
        let err = email("[email]\nreply_to = \"not an address\"\n").unwrap_err();
        assert!(err.to_string().contains("[email] reply_to"), "{err}");
        let err = email("[email]\nlist_unsubscribe = [\"https://x.example/u>\\r\\nBcc: a@b.c\"]\n")
            .unwrap_err();
        assert!(err.to_string().contains("list_unsubscribe"), "{err}");
        assert!(toml::from_str::<ConfigFile>("[email]\nform = \"a@b.c\"\n").is_err());
    }
}
