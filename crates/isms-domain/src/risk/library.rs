//! Starter catalogues of threats and vulnerabilities, embedded in the binary, that help
//! an organisation find its risks. All wording is our own.

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
}
