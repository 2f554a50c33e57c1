//! What a set of templates can read of an object in their context, found
//! in their sources: a page rendered from them follows from those fields
//! only, so a change to any other field cannot change the page.
//!
//! Tera reads an object's field only by name (`d.title`, `d["title"]`,
//! `attribute="title"`) and prints a whole object as `[object]`. The few
//! ways to reach fields without naming them — a subscript by a variable,
//! iterating an object's pairs, `json_encode`, `__tera_context` — make the
//! answer "anything".

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::render::theme::TemplateSource;

/// Which fields templates may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads {
    /// Only these (each named somewhere in the templates).
    Named(BTreeSet<String>),
    /// Any field: the templates reach fields by computed names.
    Anything,
}

impl Reads {
    pub fn includes(&self, field: &str) -> bool {
        match self {
            Reads::Named(fields) => fields.contains(field),
            Reads::Anything => true,
        }
    }
}

/// The templates `roots` render with: themselves and every template they
/// extend, include or import, by name, transitively. Of two templates of
/// one name (the theme's and the site's own), the later is the one used.
pub fn reached<'a>(templates: &'a [TemplateSource], roots: &[&str]) -> Vec<&'a TemplateSource> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\{%-?\s*(?:extends|include|import)\s+(?:\[[^\]]*\]|"[^"]*"|'[^']*')"#)
            .expect("a valid pattern")
    });
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""([^"]*)"|'([^']*)'"#).expect("a valid pattern"));
    let by_name = |name: &str| templates.iter().rev().find(|t| t.name == name);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut queue: Vec<&str> = roots.to_vec();
    let mut found = Vec::new();
    while let Some(name) = queue.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(template) = by_name(name) else {
            continue;
        };
        found.push(template);
        for tag in NAMED.find_iter(&template.text) {
            for name in NAME.captures_iter(tag.as_str()) {
                if let Some(name) = name.get(1).or_else(|| name.get(2)) {
                    queue.push(name.as_str());
                }
            }
        }
    }
    found
}

/// Of `fields`, those `templates` may read.
pub fn fields_read(templates: &[&TemplateSource], fields: &[&str]) -> Reads {
    static COMPUTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"__tera_context|json_encode|\{%-?\s*for\s+\w+\s*,\s*\w+\s+in\b|\[\s*[A-Za-z_]")
            .expect("a valid pattern")
    });
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}").expect("a valid pattern"));
    let computes = |t: &&TemplateSource| {
        TAG.find_iter(&t.text)
            .any(|tag| COMPUTED.is_match(tag.as_str()))
    };
    if templates.iter().any(computes) {
        return Reads::Anything;
    }
    let named = fields
        .iter()
        .filter(|field| templates.iter().any(|t| t.text.contains(*field)))
        .map(|field| field.to_string())
        .collect();
    Reads::Named(named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::template;

    #[test]
    fn the_templates_reached_follow_extends_include_and_import_and_the_later_of_a_name() {
        let templates = [
            template("base.html", "theme's base"),
            template("page.html", "{% extends \"base.html\" %}"),
            template(
                "version.html",
                "{% extends \"base.html\" %}{% include \"meta.html\" %}",
            ),
            template("meta.html", "{%- import 'macros.html' as m %}"),
            template("macros.html", "{% macro x() %}{% endmacro %}"),
            template(
                "base.html",
                "site's base {% include [\"missing.html\", \"nav.html\"] ignore missing %}",
            ),
            template("nav.html", "nav"),
        ];
        let mut names: Vec<&str> = reached(&templates, &["version.html"])
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "base.html",
                "macros.html",
                "meta.html",
                "nav.html",
                "version.html"
            ]
        );
        let base = reached(&templates, &["version.html"])
            .into_iter()
            .find(|t| t.name == "base.html")
            .unwrap();
        assert!(base.text.starts_with("site's base"));
    }

    #[test]
    fn fields_are_read_by_name_unless_a_template_computes_names() {
        let fields = ["title", "url", "last_updated"];
        let named = |text: &str| fields_read(&[&template("t.html", text)], &fields);
        assert_eq!(
            named("{% for d in navigation %}<a href=\"{{ d.url }}\">{{ d.title }}</a>{% endfor %}"),
            Reads::Named(["title".to_string(), "url".to_string()].into())
        );
        assert!(named("{{ d[\"last_updated\"] }}").includes("last_updated"));
        assert!(
            named("{{ navigation | map(attribute=\"last_updated\") }}").includes("last_updated")
        );
        assert!(!named("{{ navigation[0].title }}").includes("last_updated"));
        assert!(
            !matches!(
                named("<style>[data-x] { }</style>{{ d.title }}"),
                Reads::Anything
            ),
            "markup outside tags is not read"
        );
        for computed in [
            "{{ d[field] }}",
            "{% for key, value in d %}{{ value }}{% endfor %}",
            "{{ navigation | json_encode }}",
            "{{ __tera_context }}",
        ] {
            assert_eq!(named(computed), Reads::Anything, "{computed}");
        }
    }
}
