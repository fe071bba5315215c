//! Starter catalogues of threats and vulnerabilities, embedded in the binary, that help
//! an organisation find its risks. All wording is our own.

use crate::ValidationError;
use serde::Serialize;
use std::sync::OnceLock;

const THREATS: &str = include_str!("data/threats.csv");
const VULNERABILITIES: &str = include_str!("data/vulnerabilities.csv");

/// The area a threat or vulnerability belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Staff, contractors and their behaviour.
    People,
    /// How work is organised and controlled.
    Process,
    /// Systems, software, networks and devices.
    Technology,
    /// Sites, equipment rooms and the environment.
    Physical,
    /// Third parties that deliver goods or services.
    Supplier,
    /// Services run by a cloud provider.
    Cloud,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 6] = [
        Category::People,
        Category::Process,
        Category::Technology,
        Category::Physical,
        Category::Supplier,
        Category::Cloud,
    ];

    /// Stable identifier (`people`, `supplier`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::People => "people",
            Category::Process => "process",
            Category::Technology => "technology",
            Category::Physical => "physical",
            Category::Supplier => "supplier",
            Category::Cloud => "cloud",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Category::People => "People",
            Category::Process => "Process",
            Category::Technology => "Technology",
            Category::Physical => "Physical & environmental",
            Category::Supplier => "Suppliers",
            Category::Cloud => "Cloud",
        }
    }

    /// Parse the identifier.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }
}

/// One threat or vulnerability of a starter catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryEntry {
    /// `T01` for threats, `V01` for vulnerabilities.
    pub id: String,
    /// Short name.
    pub name: String,
    /// The area it belongs to.
    pub category: Category,
    /// One sentence on what it means.
    pub description: String,
}

/// Parse one embedded catalogue: header `id,name,category,description`, nothing empty.
fn parse(data: &str) -> Result<Vec<LibraryEntry>, String> {
    let mut r = csv::Reader::from_reader(data.as_bytes());
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    if headers.iter().collect::<Vec<_>>() != ["id", "name", "category", "description"] {
        return Err("header must be id,name,category,description".to_owned());
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let get = |i: usize| rec.get(i).map(str::trim).unwrap_or_default().to_owned();
        let (id, name, category, description) = (get(0), get(1), get(2), get(3));
        if id.is_empty() || name.is_empty() || description.is_empty() {
            return Err(format!("row {id:?} has an empty field"));
        }
        let category = Category::parse(&category)
            .ok_or_else(|| format!("{id}: unknown category {category}"))?;
        out.push(LibraryEntry {
            id,
            name,
            category,
            description,
        });
    }
    Ok(out)
}

#[allow(clippy::panic)]
fn malformed(what: &str, e: &str) -> ! {
    panic!("the embedded {what} catalogue is malformed: {e}")
}

/// The starter threats, parsed once.
pub fn threats() -> &'static [LibraryEntry] {
    static T: OnceLock<Vec<LibraryEntry>> = OnceLock::new();
    T.get_or_init(|| match parse(THREATS) {
        Ok(t) => t,
        // The data is compiled in and checked by the tests; an error here is a build defect.
        Err(e) => malformed("threat", &e),
    })
}

/// The starter vulnerabilities, parsed once.
pub fn vulnerabilities() -> &'static [LibraryEntry] {
    static V: OnceLock<Vec<LibraryEntry>> = OnceLock::new();
    V.get_or_init(|| match parse(VULNERABILITIES) {
        Ok(v) => v,
        // The data is compiled in and checked by the tests; an error here is a build defect.
        Err(e) => malformed("vulnerability", &e),
    })
}

/// The starter threat with this id (`T07`).
pub fn threat(id: &str) -> Option<&'static LibraryEntry> {
    threats()
        .iter()
        .find(|t| t.id.eq_ignore_ascii_case(id.trim()))
}

/// The starter vulnerability with this id (`V12`).
pub fn vulnerability(id: &str) -> Option<&'static LibraryEntry> {
    vulnerabilities()
        .iter()
        .find(|v| v.id.eq_ignore_ascii_case(id.trim()))
}

/// Which of the two catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryKind {
    Threat,
    Vulnerability,
}

impl LibraryKind {
    /// Both kinds, threats first.
    pub const ALL: [LibraryKind; 2] = [LibraryKind::Threat, LibraryKind::Vulnerability];

    /// Stable identifier stored with each entry (`threat`, `vulnerability`).
    pub fn as_str(self) -> &'static str {
        match self {
            LibraryKind::Threat => "threat",
            LibraryKind::Vulnerability => "vulnerability",
        }
    }

    /// The collection name in addresses (`threats`, `vulnerabilities`).
    pub fn plural(self) -> &'static str {
        match self {
            LibraryKind::Threat => "threats",
            LibraryKind::Vulnerability => "vulnerabilities",
        }
    }

    /// Parse the collection name (or the singular).
    pub fn parse(s: &str) -> Option<LibraryKind> {
        LibraryKind::ALL
            .into_iter()
            .find(|k| k.plural() == s.trim() || k.as_str() == s.trim())
    }

    /// Name shown to people (`Threats`).
    pub fn label(self) -> &'static str {
        match self {
            LibraryKind::Threat => "Threats",
            LibraryKind::Vulnerability => "Vulnerabilities",
        }
    }

    /// The starter entries of this kind.
    pub fn starter(self) -> &'static [LibraryEntry] {
        match self {
            LibraryKind::Threat => threats(),
            LibraryKind::Vulnerability => vulnerabilities(),
        }
    }

    /// Code prefix of the organisation's own entries (`CT`, `CV`).
    fn own_prefix(self) -> &'static str {
        match self {
            LibraryKind::Threat => "CT",
            LibraryKind::Vulnerability => "CV",
        }
    }
}

/// Where an entry of an organisation's catalogue comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A starter entry as shipped.
    Starter,
    /// A starter entry whose wording the organisation changed.
    StarterChanged,
    /// Added by the organisation.
    Own,
}

impl Origin {
    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Origin::Starter => "Starter",
            Origin::StarterChanged => "Starter, changed",
            Origin::Own => "Own",
        }
    }
}

/// What an organisation stored about one entry: a change to (or retirement of) a
/// starter entry under its code, or an entry of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub description: String,
    pub retired: bool,
    pub version: i64,
}

/// One entry of an organisation's catalogue: the starter list with the organisation's
/// changes laid over it, followed by its own entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgEntry {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub description: String,
    pub origin: Origin,
    /// Retired entries stay listed (risks may still name them) but are not offered.
    pub retired: bool,
    /// 0 for a starter entry the organisation never changed.
    pub version: i64,
}

/// Whether a code names a starter entry of this kind (`T07`) rather than an own one.
pub fn is_starter_code(kind: LibraryKind, code: &str) -> bool {
    kind.starter().iter().any(|e| e.id == code)
}

/// Sort key: starter entries by number, then own entries by number.
fn order_key(kind: LibraryKind, code: &str) -> (u8, u32) {
    let own = code.starts_with(kind.own_prefix());
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    (u8::from(own), digits.parse().unwrap_or(u32::MAX))
}

/// The organisation's catalogue: every starter entry (with its stored change, if any)
/// and then every own entry, in a stable order.
pub fn merge(kind: LibraryKind, stored: &[StoredEntry]) -> Vec<OrgEntry> {
    let mut out: Vec<OrgEntry> = kind
        .starter()
        .iter()
        .map(|e| match stored.iter().find(|s| s.code == e.id) {
            Some(s) => OrgEntry {
                code: e.id.clone(),
                name: s.name.clone(),
                category: s.category,
                description: s.description.clone(),
                origin: if s.name == e.name
                    && s.category == e.category
                    && s.description == e.description
                {
                    Origin::Starter
                } else {
                    Origin::StarterChanged
                },
                retired: s.retired,
                version: s.version,
            },
            None => OrgEntry {
                code: e.id.clone(),
                name: e.name.clone(),
                category: e.category,
                description: e.description.clone(),
                origin: Origin::Starter,
                retired: false,
                version: 0,
            },
        })
        .collect();
    let mut own: Vec<OrgEntry> = stored
        .iter()
        .filter(|s| !is_starter_code(kind, &s.code))
        .map(|s| OrgEntry {
            code: s.code.clone(),
            name: s.name.clone(),
            category: s.category,
            description: s.description.clone(),
            origin: Origin::Own,
            retired: s.retired,
            version: s.version,
        })
        .collect();
    own.sort_by_key(|e| order_key(kind, &e.code));
    out.extend(own);
    out
}

/// The entries after `cursor` (a code), at most `limit`, and whether more follow.
pub fn page_after<'a>(
    kind: LibraryKind,
    entries: &'a [OrgEntry],
    cursor: Option<&str>,
    limit: usize,
) -> (&'a [OrgEntry], bool) {
    let start = match cursor {
        None => 0,
        Some(c) => {
            let key = order_key(kind, c);
            entries
                .iter()
                .position(|e| order_key(kind, &e.code) > key)
                .unwrap_or(entries.len())
        }
    };
    let end = (start + limit).min(entries.len());
    (&entries[start..end], end < entries.len())
}

/// The code for a new own entry: one more than the highest own code so far (`CT01`).
pub fn next_own_code(kind: LibraryKind, stored: &[StoredEntry]) -> String {
    let n = stored
        .iter()
        .filter(|s| order_key(kind, &s.code).0 == 1)
        .map(|s| order_key(kind, &s.code).1)
        .filter(|n| *n != u32::MAX)
        .max()
        .unwrap_or(0);
    format!("{}{:02}", kind.own_prefix(), n + 1)
}

/// Check the wording of an entry: a name of 2–80 characters that no other entry in
/// force uses (case does not count), a known category, a description of at most 500.
pub fn check_entry(
    entries: &[OrgEntry],
    except_code: Option<&str>,
    name: &str,
    category: &str,
    description: &str,
) -> Result<(String, Category, String), ValidationError> {
    let mut v = ValidationError::new();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = name.chars().count();
    if len < 2 {
        v.push("name", "give the entry a name of at least 2 characters");
    } else if len > 80 {
        v.push("name", "must be at most 80 characters");
    } else if let Some(other) = entries.iter().find(|e| {
        !e.retired
            && Some(e.code.as_str()) != except_code
            && e.name.to_lowercase() == name.to_lowercase()
    }) {
        v.push("name", format!("{} already has this name", other.code));
    }
    let category = match Category::parse(category) {
        Some(c) => Some(c),
        None => {
            v.push(
                "category",
                format!(
                    "must be one of: {}",
                    Category::ALL.map(Category::as_str).join(", ")
                ),
            );
            None
        }
    };
    let description = description.trim().to_owned();
    if description.chars().count() > 500 {
        v.push("description", "must be at most 500 characters");
    }
    v.into_result()?;
    Ok((name, category.unwrap_or(Category::Process), description))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check(entries: &[LibraryEntry], prefix: char, min: usize) {
        assert!(entries.len() >= min, "only {} entries", entries.len());
        let ids: HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), entries.len(), "duplicate ids");
        let names: HashSet<String> = entries.iter().map(|e| e.name.to_lowercase()).collect();
        assert_eq!(names.len(), entries.len(), "duplicate names");
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.id, format!("{prefix}{:02}", i + 1), "ids in order");
            assert!(!e.name.is_empty() && !e.description.is_empty());
            assert!(e.name.chars().count() <= 60, "{} name too long", e.id);
            assert!(e.description.ends_with('.'), "{} description", e.id);
        }
        for c in Category::ALL {
            assert!(
                entries.iter().filter(|e| e.category == c).count() >= 4,
                "too few {} entries",
                c.as_str()
            );
        }
    }

    #[test]
    fn threats_are_well_formed() {
        check(threats(), 'T', 40);
        assert_eq!(threats().len(), 41);
        assert_eq!(threat("t01").map(|t| t.category), Some(Category::People));
        assert!(threat("T99").is_none());
    }

    #[test]
    fn vulnerabilities_are_well_formed() {
        check(vulnerabilities(), 'V', 40);
        assert_eq!(vulnerabilities().len(), 42);
        assert_eq!(
            vulnerability("V19").map(|v| v.name.as_str()),
            Some("No multi-factor authentication")
        );
    }

    #[test]
    fn bad_data_is_refused() {
        assert!(parse("id,name,category,description\nT01,x,moon,y\n").is_err());
        assert!(parse("id,name,category,description\nT01,,people,y\n").is_err());
        assert!(parse("id,title,category,description\n").is_err());
        assert_eq!(
            parse("id,name,category,description\nT01,x,cloud,\"a, b\"\n").map(|v| v.len()),
            Ok(1)
        );
    }

    fn stored(code: &str, name: &str, retired: bool) -> StoredEntry {
        StoredEntry {
            code: code.into(),
            name: name.into(),
            category: Category::Technology,
            description: "Something.".into(),
            retired,
            version: 2,
        }
    }

    #[test]
    fn merge_lays_changes_over_the_starter_list() {
        let k = LibraryKind::Threat;
        let s = vec![
            stored("T02", "Mistakes by staff", false),
            stored("T03", &threats()[2].name, true),
            stored("CT02", "Drone over the car park", false),
            stored("CT10", "Ransom demand by e-mail", false),
        ];
        let m = merge(k, &s);
        assert_eq!(m.len(), threats().len() + 2);
        assert_eq!(m[0].origin, Origin::Starter);
        assert_eq!(m[0].version, 0);
        assert_eq!(m[1].name, "Mistakes by staff");
        assert_eq!(m[1].origin, Origin::StarterChanged);
        assert!(m[2].retired);
        let own: Vec<&str> = m[threats().len()..]
            .iter()
            .map(|e| e.code.as_str())
            .collect();
        assert_eq!(own, ["CT02", "CT10"], "own entries by number, not by text");
        assert!(m[threats().len()..].iter().all(|e| e.origin == Origin::Own));
        assert_eq!(next_own_code(k, &s), "CT11");
        assert_eq!(next_own_code(LibraryKind::Vulnerability, &[]), "CV01");
        assert!(is_starter_code(k, "T41") && !is_starter_code(k, "CT02"));
    }

    #[test]
    fn pages_follow_the_merged_order() {
        let k = LibraryKind::Threat;
        let s = vec![stored("CT01", "Own one", false)];
        let m = merge(k, &s);
        let (first, more) = page_after(k, &m, None, 40);
        assert_eq!(first.len(), 40);
        assert!(more);
        let (next, more) = page_after(k, &m, Some(&first[39].code), 40);
        assert_eq!(
            next.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
            ["T41", "CT01"]
        );
        assert!(!more);
        let (rest, more) = page_after(k, &m, Some("CT01"), 40);
        assert!(rest.is_empty() && !more);
    }

    #[test]
    fn entries_are_checked() {
        let m = merge(LibraryKind::Threat, &[stored("T05", "Old name", true)]);
        let e = check_entry(
            &m,
            None,
            "  phishing AND social   engineering ",
            "people",
            "",
        )
        .unwrap_err();
        assert_eq!(e.errors[0].field, "name");
        assert!(e.errors[0].message.contains("T01"));
        // Renaming an entry to its own name, or reusing a retired entry's name, is fine.
        assert!(
            check_entry(
                &m,
                Some("T01"),
                "Phishing and social engineering",
                "people",
                ""
            )
            .is_ok()
        );
        assert!(check_entry(&m, None, "Old name", "people", "").is_ok());
        let e = check_entry(&m, None, "x", "moon", &"y".repeat(501)).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "category", "description"]);
        let (n, c, d) = check_entry(&m, None, " Drone  flights ", "physical", " Seen. ").unwrap();
        assert_eq!(
            (n.as_str(), c, d.as_str()),
            ("Drone flights", Category::Physical, "Seen.")
        );
        assert_eq!(
            LibraryKind::parse("vulnerabilities"),
            Some(LibraryKind::Vulnerability)
        );
        assert_eq!(LibraryKind::parse("risks"), None);
    }
}
