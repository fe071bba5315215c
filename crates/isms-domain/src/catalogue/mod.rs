//! The reference catalogue, embedded in the binary: ISO/IEC 27001:2022 clauses 4–10 and
//! the 93 Annex A controls with their ISO/IEC 27002:2022 attributes, and the mapping from
//! the 2013 edition. Identifiers, short titles and attribute values are facts; every
//! explanation (`summary`, `auditor_asks`, `evidence`) is our own wording.

mod attrs;

pub use attrs::{AttributeKind, Theme, value_label};

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const ANNEX_A: &str = include_str!("data/annex_a_2022.csv");
const GUIDANCE: &str = include_str!("data/annex_a_guidance.csv");
const CLAUSES: &str = include_str!("data/clauses.csv");
const MAPPING: &str = include_str!("data/mapping_2013_2022.csv");
const ANNEX_A_2013: &str = include_str!("data/annex_a_2013.csv");

/// How a 2022 control relates to the 2013 edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change2013 {
    /// New in 2022.
    New,
    /// Carried over from exactly one 2013 control.
    OneToOne,
    /// Several 2013 controls merged into this one.
    Merged,
}

/// One Annex A control of ISO/IEC 27001:2022.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// `5.1` … `8.34` (shown as A.5.1).
    pub id: String,
    pub title: String,
    pub theme: Theme,
    /// Attribute values per kind, in the canonical order of ISO/IEC 27002:2022.
    pub attributes: BTreeMap<AttributeKind, Vec<String>>,
    pub new_in_2022: bool,
    /// What the control is about, in one sentence of our own.
    pub summary: String,
    /// What a certification auditor typically asks to see.
    pub auditor_asks: Vec<String>,
    /// The 2013 controls it came from.
    pub from_2013: Vec<String>,
    pub change: Change2013,
}

impl Control {
    /// `A.5.1`.
    pub fn label(&self) -> String {
        format!("A.{}", self.id)
    }

    pub fn values(&self, kind: AttributeKind) -> &[String] {
        self.attributes.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn has(&self, kind: AttributeKind, value: &str) -> bool {
        self.values(kind).iter().any(|v| v == value)
    }

    /// Sort key so `5.9` comes before `5.10`.
    pub fn sort_key(&self) -> (u32, u32) {
        id_key(&self.id)
    }
}

fn id_key(id: &str) -> (u32, u32) {
    let mut it = id.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// A clause or sub-clause of ISO/IEC 27001:2022 (4 … 10.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
    /// What the organisation has to do, in one sentence of our own.
    pub summary: String,
    /// What auditors ask to see (requirement clauses only).
    pub evidence: Vec<String>,
    /// Whether the clause explicitly requires documented information (requirement
    /// clauses only).
    pub documented_information: Option<bool>,
    /// A lowest-level clause: something an organisation is audited against.
    pub is_requirement: bool,
}

/// An Annex A control of the 2013 edition and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control2013 {
    pub id: String,
    pub title: String,
    pub to_2022: Vec<String>,
}

/// The whole catalogue.
#[derive(Debug)]
pub struct Catalogue {
    controls: Vec<Control>,
    clauses: Vec<Clause>,
    controls_2013: Vec<Control2013>,
}

/// The embedded catalogue, parsed once.
pub fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| match Catalogue::parse() {
        Ok(c) => c,
        // The data is compiled in and checked by the tests; an error here is a build defect.
        Err(e) => unreachable_catalogue(&e),
    })
}

#[allow(clippy::panic)]
fn unreachable_catalogue(e: &str) -> ! {
    panic!("the embedded catalogue is malformed: {e}")
}

fn rows(data: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut r = csv::Reader::from_reader(data.as_bytes());
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        out.push(
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect(),
        );
    }
    Ok(out)
}

fn field<'a>(row: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, String> {
    row.get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("missing column {name}"))
}

fn list(s: &str, sep: &str) -> Vec<String> {
    s.split(sep)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Catalogue {
    fn parse() -> Result<Self, String> {
        let guidance: BTreeMap<String, (String, Vec<String>)> = rows(GUIDANCE)?
            .into_iter()
            .map(|r| {
                Ok((
                    field(&r, "id")?.to_owned(),
                    (
                        field(&r, "summary")?.to_owned(),
                        list(field(&r, "auditor_asks")?, ";"),
                    ),
                ))
            })
            .collect::<Result<_, String>>()?;
        let mapping: BTreeMap<String, (Vec<String>, Change2013)> = rows(MAPPING)?
            .into_iter()
            .map(|r| {
                let change = match field(&r, "change")? {
                    "new" => Change2013::New,
                    "one_to_one" => Change2013::OneToOne,
                    "merged" => Change2013::Merged,
                    other => return Err(format!("unknown change {other}")),
                };
                Ok((
                    field(&r, "control_2022")?.to_owned(),
                    (list(field(&r, "controls_2013")?, ";"), change),
                ))
            })
            .collect::<Result<_, String>>()?;
        let mut controls = Vec::new();
        for r in rows(ANNEX_A)? {
            let id = field(&r, "id")?.to_owned();
            let theme =
                Theme::parse(field(&r, "theme")?).ok_or_else(|| format!("{id}: bad theme"))?;
            let mut attributes = BTreeMap::new();
            for kind in AttributeKind::ALL {
                let vals = list(field(&r, kind.column())?, ";");
                for v in &vals {
                    if !kind.values().contains(&v.as_str()) {
                        return Err(format!("{id}: unknown {} value {v}", kind.column()));
                    }
                }
                attributes.insert(kind, vals);
            }
            let (summary, auditor_asks) = guidance
                .get(&id)
                .cloned()
                .ok_or_else(|| format!("{id}: no guidance"))?;
            let (from_2013, change) = mapping
                .get(&id)
                .cloned()
                .ok_or_else(|| format!("{id}: no 2013 mapping"))?;
            controls.push(Control {
                title: field(&r, "title")?.to_owned(),
                theme,
                attributes,
                new_in_2022: field(&r, "new_in_2022")? == "yes",
                summary,
                auditor_asks,
                from_2013,
                change,
                id,
            });
        }
        controls.sort_by_key(Control::sort_key);
        let raw_clauses = rows(CLAUSES)?;
        let parents: std::collections::BTreeSet<String> = raw_clauses
            .iter()
            .filter_map(|r| r.get("parent").filter(|p| !p.is_empty()).cloned())
            .collect();
        let mut clauses = Vec::new();
        for r in raw_clauses {
            let id = field(&r, "id")?.to_owned();
            let parent = Some(field(&r, "parent")?.to_owned()).filter(|p| !p.is_empty());
            let is_requirement = parent.is_some() && !parents.contains(&id);
            let di = match field(&r, "documented_information")? {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            clauses.push(Clause {
                title: field(&r, "title")?.to_owned(),
                summary: field(&r, "summary")?.to_owned(),
                evidence: list(field(&r, "evidence")?, ";"),
                documented_information: if is_requirement { di } else { None },
                parent,
                is_requirement,
                id,
            });
        }
        let controls_2013 = rows(ANNEX_A_2013)?
            .into_iter()
            .map(|r| {
                Ok(Control2013 {
                    id: field(&r, "control_2013")?.to_owned(),
                    title: field(&r, "title_2013")?.to_owned(),
                    to_2022: list(field(&r, "controls_2022")?, ";"),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            controls,
            clauses,
            controls_2013,
        })
    }

    /// All 93 controls, in numeric order (5.1, 5.2, … 5.10, …).
    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    /// A control by id; `A.5.1`, `a.5.1` and `5.1` all work.
    pub fn control(&self, id: &str) -> Option<&Control> {
        let id = normalise_control_id(id);
        self.controls.iter().find(|c| c.id == id)
    }

    /// Every clause and sub-clause, in document order.
    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// The 30 lowest-level requirement clauses.
    pub fn requirements(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| c.is_requirement)
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        let id = id.trim();
        self.clauses.iter().find(|c| c.id == id)
    }

    /// Direct children of a clause.
    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Clause> + 'a {
        self.clauses
            .iter()
            .filter(move |c| c.parent.as_deref() == Some(id))
    }

    /// The 114 controls of the 2013 edition.
    pub fn controls_2013(&self) -> &[Control2013] {
        &self.controls_2013
    }

    /// The 2022 control(s) a 2013 control id went to (`A.9.2.1` or `9.2.1`).
    pub fn map_2013(&self, id: &str) -> Option<&Control2013> {
        let id = normalise_control_id(id);
        self.controls_2013.iter().find(|c| c.id == id)
    }

    /// Controls matching every given filter.
    pub fn filter(&self, f: &ControlFilter) -> Vec<&Control> {
        let q = f
            .text
            .as_deref()
            .map(str::to_lowercase)
            .filter(|q| !q.trim().is_empty());
        self.controls
            .iter()
            .filter(|c| f.theme.is_none_or(|t| c.theme == t))
            .filter(|c| f.attributes.iter().all(|(k, v)| c.has(*k, v)))
            .filter(|c| f.new_in_2022.is_none_or(|n| c.new_in_2022 == n))
            .filter(|c| {
                q.as_deref().is_none_or(|q| {
                    c.id == q.trim_start_matches("a.")
                        || c.title.to_lowercase().contains(q)
                        || c.summary.to_lowercase().contains(q)
                })
            })
            .collect()
    }
}

/// Filters over the controls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControlFilter {
    pub theme: Option<Theme>,
    /// Every (kind, value) pair must be present.
    pub attributes: Vec<(AttributeKind, String)>,
    pub new_in_2022: Option<bool>,
    /// Id, or words in the title or summary.
    pub text: Option<String>,
}

/// `A.5.1` / `a.5.1` / ` 5.1 ` → `5.1`.
pub fn normalise_control_id(id: &str) -> String {
    let t = id.trim();
    let t = t
        .strip_prefix("A.")
        .or_else(|| t.strip_prefix("a."))
        .unwrap_or(t);
    t.to_owned()
}

#[cfg(test)]
mod tests;
