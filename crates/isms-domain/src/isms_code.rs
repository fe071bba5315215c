//! ISMS as code: a whole organisation as a deterministic, git-friendly directory of YAML
//! files, and back.
//!
//! The database layer hands over every organisation-owned row (column kinds as in the
//! backup); this module replaces database ids by stable keys (the record's reference,
//! such as `R-001`, where it has one, otherwise a key made from what does not change:
//! parent keys, natural names, the creation time), expands JSON text into YAML mappings
//! with sorted keys, and writes rows sorted by key. Reading checks every file, line and
//! field before anything is written, and resolves keys to ids given by the caller.

use crate::{FieldError, ValidationError};
use serde_yaml_ng::{Mapping, Value as Y};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

pub mod rules;

/// Version of the directory format, written into README.md.
pub const FORMAT_VERSION: i64 = 1;
/// The marker line of the README the export writes.
pub const README_MARKER: &str = "isms-as-code format version";
/// The largest YAML file read (bytes).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Tables written one file per record, in a directory of their own.
pub const PER_OBJECT: &[&str] = &["isms_documents", "document_versions", "risk_methods"];
/// Columns of the organisation's own row that are exported.
pub const ORG_FIELDS: &[(&str, Col)] = &[
    ("name", Col::Text),
    ("employees", Col::Int),
    ("sites", Col::Int),
    ("other_management_system", Col::Text),
];
/// The audit-trail tag marking a reference inside text (`!ref risks/R-001`).
const REF_TAG: &str = "ref";

/// The kind of a column, as the backup knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Uuid,
    Text,
    Int,
    Bool,
    Ts,
    Day,
    Float,
    Bytes,
}

/// One value of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Uuid(Uuid),
    Text(String),
    Int(i64),
    Bool(bool),
    /// Milliseconds since the epoch.
    Ts(i64),
    /// `YYYY-MM-DD`.
    Day(String),
    Float(f64),
    Bytes(Vec<u8>),
}

/// The rows of one table; `cols` in the backup's order (`org_id` included).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub cols: Vec<(String, Col)>,
    pub rows: Vec<Vec<Cell>>,
}

/// A user account named in the organisation's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// Everything the export writes: the organisation's own fields (as `ORG_FIELDS`), the
/// users its rows name, and its tables (parents before children).
#[derive(Debug, Clone, PartialEq)]
pub struct OrgData {
    pub org: Vec<Cell>,
    pub users: Vec<User>,
    pub tables: Vec<Table>,
}

/// A directory's files by relative path (`/` separated), sorted.
pub type FileSet = BTreeMap<String, Vec<u8>>;

fn is_per_object(table: &str) -> bool {
    PER_OBJECT.contains(&table)
}

fn pad(v: Option<String>, width: usize) -> String {
    let s = v.unwrap_or_default();
    format!("{s:0>width$}")
}

/// The key of a row from its columns (`get` renders one: numbers, text, parents' keys).
fn natural_key(table: &str, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let g = |c: &str| get(c).unwrap_or_else(|| "-".into());
    let j = |cs: &[&str]| cs.iter().map(|c| g(c)).collect::<Vec<_>>().join("/");
    Some(match table {
        "memberships" => g("user_id"),
        "risk_methods" => format!("M-{}", pad(get("number"), 3)),
        "risks" => format!("R-{}", pad(get("number"), 3)),
        "assets" => format!("A-{}", pad(get("number"), 4)),
        "data_flows" => format!("DF-{}", pad(get("number"), 3)),
        "documents" => format!("DOC-{}", pad(get("number"), 3)),
        "evidence" => format!("EV-{}", pad(get("number"), 4)),
        "findings" => format!("F-{}", pad(get("number"), 3)),
        "corrective_actions" => format!("CA-{}", pad(get("number"), 3)),
        "management_reviews" => format!("MR-{}", pad(get("number"), 3)),
        "incidents" => format!("INC-{}", pad(get("number"), 3)),
        "suppliers" => format!("SUP-{}", pad(get("number"), 3)),
        "certification_audits" => format!("CBA-{}", pad(get("number"), 3)),
        "soa_versions" => format!("v{}", g("number")),
        "audits" => format!("AUD-{}-{}", g("year"), pad(get("seq"), 2)),
        "isms_documents" => format!("{}-v{}", g("kind"), g("number")),
        "isms_register_entries" => format!("{}-{}", g("register"), pad(get("number"), 3)),
        "document_versions" => format!("{}/v{}", g("document_id"), g("number")),
        "gap_items" => j(&["assessment_id", "item_key"]),
        "risk_library_entries" => j(&["kind", "code"]),
        "own_controls" => g("code"),
        "risk_controls" => j(&["risk_id", "control_id"]),
        "asset_tags" => j(&["asset_id", "tag"]),
        "risk_assets" => j(&["risk_id", "asset_id"]),
        "control_implementations" => g("control_ref"),
        "control_clauses" => j(&["control_ref", "clause_id"]),
        "document_links" => j(&["document_id", "target_kind", "target_ref"]),
        "blobs" => g("sha256"),
        "evidence_links" => j(&["evidence_id", "target_kind", "target_ref"]),
        "audit_area_members" => j(&["area_id", "user_id"]),
        "audit_programmes" | "readiness_settings" => "settings".into(),
        "audit_programme_entries" => j(&["year", "item_key"]),
        "audit_team" => j(&["audit_id", "user_id"]),
        "audit_auditee_areas" => j(&["audit_id", "area_id"]),
        "audit_scope_items" => j(&["audit_id", "item_key"]),
        "audit_checklist_items" => j(&["audit_id", "item_key"]),
        "audit_checklist_evidence" => j(&["item_id", "evidence_id"]),
        "soa_entries" => j(&["soa_id", "control_id"]),
        "finding_evidence" => j(&["finding_id", "evidence_id"]),
        "management_review_actions" => format!("{}/{}", g("review_id"), pad(get("position"), 2)),
        "incident_links" => j(&["incident_id", "target_kind", "target_ref"]),
        "measurements" => j(&["subject_kind", "subject_ref", "measured_on", "created_at"]),
        "supplier_assessments" => j(&["supplier_id", "assessed_on", "created_at"]),
        "role_competences" => j(&["job_role", "competence"]),
        "trainings" => j(&["person_id", "competence", "completed_on", "created_at"]),
        "campaign_participants" => j(&["campaign_id", "person_id"]),
        _ => return get("created_at"),
    })
}

/// Compare keys so that numbers inside them sort as numbers (`R-999` before `R-1000`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    if a.is_empty() || b.is_empty() {
        return a.cmp(b);
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, sa), (db, sb)) in ca.iter().zip(cb.iter()) {
        let o = if *da && *db {
            let (ta, tb) = (sa.trim_start_matches('0'), sb.trim_start_matches('0'));
            ta.len()
                .cmp(&tb.len())
                .then_with(|| ta.cmp(tb))
                .then_with(|| sa.cmp(sb))
        } else {
            sa.cmp(sb)
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ca.len().cmp(&cb.len()).then_with(|| a.cmp(b))
}

/// A timestamp as RFC 3339 with milliseconds, the form the files hold.
pub fn format_ts(ms: i64) -> String {
    let t = crate::time::Timestamp(ms).to_offset();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Read a timestamp written by [`format_ts`] (or any RFC 3339 text).
pub fn parse_ts(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(crate::time::Timestamp::from_offset(t).millis())
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn file_name(table: &str) -> String {
    format!("{table}.yaml")
}

fn safe_file_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Ids to references (`table/key`), built while keys are made.
struct Refs {
    map: HashMap<Uuid, String>,
}

impl Refs {
    fn get(&self, id: &Uuid) -> Option<&str> {
        self.map.get(id).map(String::as_str)
    }

    fn key_of(&self, id: &Uuid) -> Option<String> {
        self.get(id)
            .and_then(|r| r.split_once('/'))
            .map(|(_, k)| k.to_owned())
    }

    /// JSON to YAML, with every string that is a known id turned into a `!ref`.
    fn json_to_yaml(&self, v: &serde_json::Value, unknown: &str) -> Y {
        use serde_json::Value as J;
        match v {
            J::Null => Y::Null,
            J::Bool(b) => Y::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Y::from(i),
                (_, Some(u), _) => Y::from(u),
                (_, _, Some(f)) => Y::from(f),
                _ => Y::String(n.to_string()),
            },
            J::String(s) => self.text_value(s, unknown),
            J::Array(a) => Y::Sequence(a.iter().map(|x| self.json_to_yaml(x, unknown)).collect()),
            J::Object(o) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort();
                let mut m = Mapping::new();
                for k in keys {
                    m.insert(Y::String(k.clone()), self.json_to_yaml(&o[k], unknown));
                }
                Y::Mapping(m)
            }
        }
    }

    /// A text value: a `!ref` when it is a known id, `unknown` when it is an id not yet
    /// known (only while keys are made), else the text.
    fn text_value(&self, s: &str, unknown: &str) -> Y {
        if s.len() == 36
            && let Ok(u) = Uuid::parse_str(s)
        {
            if let Some(r) = self.get(&u) {
                return tagged_ref(r);
            }
            if !unknown.is_empty() {
                return Y::String(unknown.into());
            }
        }
        Y::String(s.to_owned())
    }

    /// The YAML value of a cell (None for null: the field is left out).
    fn render(&self, kind: Col, cell: &Cell, unknown: &str) -> Option<Y> {
        Some(match (kind, cell) {
            (_, Cell::Null) => return None,
            (_, Cell::Uuid(u)) => match self.get(u) {
                Some(r) => Y::String(r.to_owned()),
                None if !unknown.is_empty() => Y::String(unknown.into()),
                None => Y::String(u.to_string()),
            },
            (_, Cell::Text(s)) => {
                let t = s.trim_start();
                if t.starts_with('{') || t.starts_with('[') {
                    match serde_json::from_str::<serde_json::Value>(s) {
                        Ok(j @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
                            self.json_to_yaml(&j, unknown)
                        }
                        _ => Y::String(s.clone()),
                    }
                } else {
                    self.text_value(s, unknown)
                }
            }
            (_, Cell::Int(i)) => Y::from(*i),
            (_, Cell::Bool(b)) => Y::Bool(*b),
            (_, Cell::Ts(ms)) => Y::String(format_ts(*ms)),
            (_, Cell::Day(d)) => Y::String(d.clone()),
            (_, Cell::Float(f)) => Y::from(*f),
            (_, Cell::Bytes(b)) => Y::String(sha_hex(b)),
        })
    }
}

fn tagged_ref(r: &str) -> Y {
    Y::Tagged(Box::new(serde_yaml_ng::value::TaggedValue {
        tag: serde_yaml_ng::value::Tag::new(REF_TAG),
        value: Y::String(r.to_owned()),
    }))
}

/// Whether a column is the table's own id (`id`, first) or the organisation's.
fn skipped(i: usize, name: &str, kind: Col) -> bool {
    name == "org_id" || (i == 0 && name == "id" && kind == Col::Uuid)
}

fn own_id(t: &Table, row: &[Cell]) -> Option<Uuid> {
    match (t.cols.first(), row.first()) {
        (Some((n, Col::Uuid)), Some(Cell::Uuid(u))) if n == "id" => Some(*u),
        _ => None,
    }
}

fn yaml_text(v: &Y) -> String {
    match v {
        Y::String(s) => s.clone(),
        Y::Tagged(t) => yaml_text(&t.value),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_owned(),
    }
}

fn to_yaml_bytes(v: &Y) -> Result<Vec<u8>, String> {
    serde_yaml_ng::to_string(v)
        .map(String::into_bytes)
        .map_err(|e| format!("could not write YAML: {e}"))
}

/// Make every row's key, then render the organisation as files.
pub fn export(data: &OrgData) -> Result<FileSet, String> {
    export_with_ids(data).map(|(f, _)| f)
}

/// [`export`], and the id of every reference (`table/key`) it wrote.
pub fn export_with_ids(data: &OrgData) -> Result<(FileSet, HashMap<String, Uuid>), String> {
    let mut files = FileSet::new();
    let mut refs = Refs {
        map: HashMap::new(),
    };
    let mut users: Vec<&User> = data.users.iter().collect();
    users.sort_by_key(|u| u.email.to_lowercase());
    for u in &users {
        refs.map
            .insert(u.id, format!("users/{}", u.email.to_lowercase()));
    }
    // Keys, table by table (parents first, so children can use their parents' keys).
    let mut keyed: Vec<Vec<(String, usize)>> = Vec::new();
    for t in &data.tables {
        let mut base: Vec<(String, String, usize)> = Vec::with_capacity(t.rows.len());
        for (ri, row) in t.rows.iter().enumerate() {
            let get = |c: &str| -> Option<String> {
                let i = t.cols.iter().position(|(n, _)| n == c)?;
                match row.get(i)? {
                    Cell::Uuid(u) => Some(refs.key_of(u).unwrap_or_else(|| "?".into())),
                    Cell::Null => None,
                    cell => refs.render(t.cols[i].1, cell, "?").map(|v| yaml_text(&v)),
                }
            };
            let content = {
                let mut m = Mapping::new();
                for (i, ((n, k), c)) in t.cols.iter().zip(row).enumerate() {
                    if skipped(i, n, *k) {
                        continue;
                    }
                    if let Some(v) = refs.render(*k, c, "?") {
                        m.insert(Y::String(n.clone()), v);
                    }
                }
                sha_hex(&to_yaml_bytes(&Y::Mapping(m))?)
            };
            let key = natural_key(&t.name, &get).unwrap_or_else(|| content[..12].to_owned());
            base.push((key, content, ri));
        }
        base.sort_by(|a, b| natural_cmp(&a.0, &b.0).then_with(|| a.1.cmp(&b.1)));
        let mut keys: Vec<(String, usize)> = Vec::with_capacity(base.len());
        let mut i = 0;
        while i < base.len() {
            let mut j = i + 1;
            while j < base.len() && base[j].0 == base[i].0 {
                j += 1;
            }
            for (n, (k, _, ri)) in base[i..j].iter().enumerate() {
                let key = if j - i == 1 {
                    k.clone()
                } else {
                    format!("{k}~{}", n + 1)
                };
                keys.push((key, *ri));
            }
            i = j;
        }
        for (key, ri) in &keys {
            if let Some(id) = own_id(t, &t.rows[*ri]) {
                refs.map.insert(id, format!("{}/{key}", t.name));
            }
        }
        keyed.push(keys);
    }
    // Files.
    let mut org = Mapping::new();
    for ((n, k), c) in ORG_FIELDS.iter().zip(&data.org) {
        if let Some(v) = refs.render(*k, c, "") {
            org.insert(Y::String((*n).to_owned()), v);
        }
    }
    files.insert("organisation.yaml".into(), to_yaml_bytes(&Y::Mapping(org))?);
    let mut us = Vec::new();
    for u in &users {
        let mut m = Mapping::new();
        m.insert("key".into(), Y::String(u.email.to_lowercase()));
        m.insert("name".into(), Y::String(u.name.clone()));
        us.push(Y::Mapping(m));
    }
    files.insert("users.yaml".into(), to_yaml_bytes(&Y::Sequence(us))?);
    for (t, keys) in data.tables.iter().zip(&keyed) {
        let mut seq = Vec::with_capacity(keys.len());
        for (key, ri) in keys {
            let row = &t.rows[*ri];
            let mut m = Mapping::new();
            m.insert("key".into(), Y::String(key.clone()));
            for (i, ((n, k), c)) in t.cols.iter().zip(row).enumerate() {
                if skipped(i, n, *k) {
                    continue;
                }
                if let Cell::Bytes(b) = c {
                    files.insert(format!("files/{}", sha_hex(b)), b.clone());
                }
                if let Some(v) = refs.render(*k, c, "") {
                    m.insert(Y::String(n.clone()), v);
                }
            }
            if is_per_object(&t.name) {
                files.insert(
                    format!("{}/{}.yaml", t.name, safe_file_key(key)),
                    to_yaml_bytes(&Y::Mapping(m))?,
                );
            } else {
                seq.push(Y::Mapping(m));
            }
        }
        if !is_per_object(&t.name) {
            files.insert(file_name(&t.name), to_yaml_bytes(&Y::Sequence(seq))?);
        }
    }
    files.insert("README.md".into(), readme(data).into_bytes());
    let ids = refs.map.into_iter().map(|(u, r)| (r, u)).collect();
    Ok((files, ids))
}

fn readme(data: &OrgData) -> String {
    let mut s = String::new();
    s.push_str("# ISMS as code\n\n");
    s.push_str(&format!("{README_MARKER} {FORMAT_VERSION}\n\n"));
    s.push_str(
        "This directory is one organisation of ISMS Workbench, written by `isms export yaml`.\n\
         Read it back with `isms import yaml DIR --org SLUG` (a plan first when the\n\
         organisation is not empty; `--yes` applies it, `--dry-run` only shows it).\n\n\
         - `organisation.yaml`: the organisation's name and size.\n\
         - `users.yaml`: the people with an account named in the records, by e-mail. On\n\
           import, an e-mail without an account on the target instance gets an account\n\
           without a password (no sign-in until an administrator sets one with\n\
           `isms user set-password`).\n\
         - one file per register (`TABLE.yaml`, rows sorted by `key`); documents, their\n\
           versions and the risk methods have one file per record in a directory.\n\
         - `files/SHA256`: the evidence and document files themselves.\n\n\
         Every record has a `key` (its reference, such as `R-001`, where it has one).\n\
         A field that names another record holds `TABLE/KEY` (for example\n\
         `owner_id: users/alice@example.com`); inside text and JSON bodies such a\n\
         reference is written `!ref TABLE/KEY`. Empty fields are left out. Timestamps are\n\
         UTC with milliseconds. Nothing in these files changes unless the records change.\n\n\
         Not exported: the audit trail, sessions, API tokens, recovery codes and password\n\
         hashes.\n\n\
         ## Files\n\n",
    );
    for t in &data.tables {
        let n = t.rows.len();
        if is_per_object(&t.name) {
            s.push_str(&format!("- `{}/` ({n} records)\n", t.name));
        } else {
            s.push_str(&format!("- `{}` ({n} records)\n", file_name(&t.name)));
        }
    }
    s
}

/// One record read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub key: String,
    pub file: String,
    pub line: usize,
    /// The record as read (the `key` included), for the plan's comparison.
    pub yaml: Mapping,
    /// The line of each field.
    pub lines: BTreeMap<String, usize>,
}

impl Record {
    fn line_of(&self, field: &str) -> usize {
        self.lines.get(field).copied().unwrap_or(self.line)
    }
}

/// A directory read and checked: the organisation's fields, the users (e-mail, name)
/// and every table's records, in the schema's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub org: Vec<Cell>,
    pub users: Vec<(String, String)>,
    pub tables: Vec<(String, Vec<Record>)>,
}

fn err_at(file: &str, line: usize, field: &str, msg: impl std::fmt::Display) -> FieldError {
    let field_part = if field.is_empty() {
        String::new()
    } else {
        format!(", field {field}")
    };
    FieldError::new(
        format!(
            "{file}:{line}{}",
            if field.is_empty() {
                String::new()
            } else {
                format!(":{field}")
            }
        ),
        format!("{file} line {line}{field_part}: {msg}"),
    )
}

/// The line on which the `n`th top-level record of a file starts (1-based), found from the
/// text; `field` narrows it to that field's line inside the record.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    sequence: bool,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, sequence: bool) -> Self {
        let mut starts = Vec::new();
        for (i, l) in text.lines().enumerate() {
            if sequence && (l.starts_with("- ") || l == "-") {
                starts.push(i + 1);
            }
        }
        if !sequence {
            starts.push(1);
        }
        Self {
            text,
            starts,
            sequence,
        }
    }

    fn record(&self, n: usize) -> usize {
        self.starts.get(n).copied().unwrap_or(1)
    }

    fn field(&self, n: usize, field: &str) -> usize {
        let start = self.record(n);
        let end = self.starts.get(n + 1).copied().unwrap_or(usize::MAX);
        for (i, l) in self.text.lines().enumerate().skip(start.saturating_sub(1)) {
            if i + 1 >= end {
                break;
            }
            let t = if !self.sequence {
                l
            } else if let Some(r) = l.strip_prefix("- ").or_else(|| l.strip_prefix("  ")) {
                r
            } else {
                continue;
            };
            if t.strip_prefix(field).is_some_and(|r| r.starts_with(':')) {
                return i + 1;
            }
        }
        start
    }
}

fn parse_yaml(file: &str, bytes: &[u8]) -> Result<(Y, String), FieldError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(err_at(
            file,
            1,
            "",
            format!(
                "the file has {} bytes; the limit is {} MiB",
                bytes.len(),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| err_at(file, 1, "", format!("not UTF-8 text ({e})")))?;
    let v: Y = serde_yaml_ng::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let line = duplicate_line(text, &msg)
            .or_else(|| e.location().map(|l| l.line()))
            .unwrap_or(1);
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        err_at(file, line, "", format!("not valid YAML: {msg}"))
    })?;
    Ok((v, text.to_owned()))
}

/// The line of the second `key:` of a mapping (serde_yaml_ng names the record, as
/// `.[N]`, and the key, but not the line, of a duplicate entry).
fn duplicate_line(text: &str, msg: &str) -> Option<usize> {
    let key = msg
        .split("duplicate entry with key \"")
        .nth(1)?
        .split('"')
        .next()?;
    let n: usize = msg
        .strip_prefix(".[")
        .and_then(|r| r.split(']').next())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let seq = msg.starts_with(".[");
    let lines = Lines::new(text, seq);
    let first = lines.field(n, key);
    let end = lines.starts.get(n + 1).copied().unwrap_or(usize::MAX);
    text.lines()
        .enumerate()
        .skip(first)
        .take_while(|(i, _)| i + 1 < end)
        .find(|(_, l)| {
            let t = l.trim_start_matches("- ").trim_start();
            t.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
        })
        .map(|(i, _)| i + 1)
}

fn kind_name(k: Col) -> &'static str {
    match k {
        Col::Uuid => "a reference (TABLE/KEY)",
        Col::Text => "text",
        Col::Int => "a whole number",
        Col::Bool => "true or false",
        Col::Ts => "a timestamp (2026-01-31T09:00:00.000Z)",
        Col::Day => "a date (YYYY-MM-DD)",
        Col::Float => "a number",
        Col::Bytes => "a file's SHA-256",
    }
}

/// A value not yet resolved: references stay as text until ids are known.
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    Cell(Cell),
    Ref(String),
    /// JSON with `!ref` strings inside.
    Json(serde_json::Value),
}

fn yaml_to_json(v: &Y, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    if depth > 64 {
        return Err("nested too deeply (more than 64 levels)".into());
    }
    Ok(match v {
        Y::Null => J::Null,
        Y::Bool(b) => J::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(J::Number)
                    .ok_or_else(|| format!("{n} is not a number JSON can hold"))?
            }
        }
        Y::String(s) => J::String(s.clone()),
        Y::Sequence(a) => J::Array(
            a.iter()
                .map(|x| yaml_to_json(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut o = serde_json::Map::new();
            for (k, x) in m {
                let k = k
                    .as_str()
                    .ok_or_else(|| "a mapping key is not text".to_owned())?;
                o.insert(k.to_owned(), yaml_to_json(x, depth + 1)?);
            }
            J::Object(o)
        }
        Y::Tagged(t) if t.tag == REF_TAG => match &t.value {
            Y::String(s) => J::String(format!("\u{0}ref:{s}")),
            _ => return Err("!ref needs TABLE/KEY text".into()),
        },
        Y::Tagged(t) => return Err(format!("unknown tag {}", t.tag)),
    })
}

fn read_cell(kind: Col, v: &Y) -> Result<Raw, String> {
    let wrong = || format!("expected {}", kind_name(kind));
    Ok(match (kind, v) {
        (_, Y::Null) => Raw::Cell(Cell::Null),
        (Col::Uuid, Y::String(s)) => match Uuid::parse_str(s) {
            Ok(u) if s.len() == 36 => Raw::Cell(Cell::Uuid(u)),
            _ if s.contains('/') => Raw::Ref(s.clone()),
            _ => return Err(format!("{s:?} is not a reference (TABLE/KEY)")),
        },
        (Col::Text, Y::String(s)) => Raw::Cell(Cell::Text(s.clone())),
        (Col::Text, Y::Tagged(t)) if t.tag == REF_TAG => match &t.value {
            Y::String(s) => Raw::Ref(s.clone()),
            _ => return Err("!ref needs TABLE/KEY text".into()),
        },
        (Col::Text, Y::Mapping(_) | Y::Sequence(_)) => Raw::Json(yaml_to_json(v, 0)?),
        (Col::Int, Y::Number(n)) => Raw::Cell(Cell::Int(n.as_i64().ok_or_else(wrong)?)),
        (Col::Bool, Y::Bool(b)) => Raw::Cell(Cell::Bool(*b)),
        (Col::Float, Y::Number(n)) => Raw::Cell(Cell::Float(n.as_f64().ok_or_else(wrong)?)),
        (Col::Ts, Y::String(s)) => {
            Raw::Cell(Cell::Ts(parse_ts(s).ok_or_else(|| {
                format!("{s:?} is not a timestamp (2026-01-31T09:00:00.000Z)")
            })?))
        }
        (Col::Day, Y::String(s)) => match crate::time::parse_date(s) {
            Some(d) => Raw::Cell(Cell::Day(crate::time::format_date(d))),
            None => return Err(format!("{s:?} is not a date (YYYY-MM-DD)")),
        },
        (Col::Bytes, Y::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Raw::Ref(format!("files/{s}"))
        }
        _ => return Err(wrong()),
    })
}

/// Read and check a directory's files against `schema` (the tables and their columns,
/// as the export's `OrgData` has them). Every problem is named by file, line and field.
pub fn parse(
    files: &FileSet,
    schema: &[(String, Vec<(String, Col)>)],
) -> Result<Parsed, ValidationError> {
    let mut v = ValidationError::new();
    let mut known: BTreeSet<String> = BTreeSet::new();
    known.insert("README.md".into());
    // organisation.yaml
    let mut org = vec![Cell::Null; ORG_FIELDS.len()];
    match files.get("organisation.yaml") {
        None => v.push(
            "organisation.yaml",
            "organisation.yaml is missing; this is not an ISMS-as-code export",
        ),
        Some(b) => match parse_yaml("organisation.yaml", b) {
            Err(e) => v.errors.push(e),
            Ok((Y::Mapping(m), text)) => {
                let lines = Lines::new(&text, false);
                for (k, x) in &m {
                    let name = k.as_str().unwrap_or_default();
                    match ORG_FIELDS.iter().position(|(n, _)| *n == name) {
                        None => v.errors.push(err_at(
                            "organisation.yaml",
                            lines.field(0, name),
                            name,
                            "unknown field",
                        )),
                        Some(i) => match read_cell(ORG_FIELDS[i].1, x) {
                            Ok(Raw::Cell(c)) => org[i] = c,
                            Ok(_) => v.errors.push(err_at(
                                "organisation.yaml",
                                lines.field(0, name),
                                name,
                                "expected plain text",
                            )),
                            Err(e) => v.errors.push(err_at(
                                "organisation.yaml",
                                lines.field(0, name),
                                name,
                                e,
                            )),
                        },
                    }
                }
            }
            Ok(_) => v.push(
                "organisation.yaml",
                "organisation.yaml line 1: expected a mapping of fields",
            ),
        },
    }
    known.insert("organisation.yaml".into());
    // users.yaml
    let mut users = Vec::new();
    let user_cols = vec![("name".to_owned(), Col::Text)];
    if let Some(recs) = read_records(files, "users", &user_cols, false, &mut v) {
        for (r, cells) in recs {
            let name = match cells.first() {
                Some(Raw::Cell(Cell::Text(s))) => s.clone(),
                _ => {
                    v.errors
                        .push(err_at(&r.file, r.line, "name", "a user needs a name"));
                    continue;
                }
            };
            if !r.key.contains('@') {
                v.errors.push(err_at(
                    &r.file,
                    r.line,
                    "key",
                    "a user's key is their e-mail address",
                ));
            }
            users.push((r.key.clone(), name));
        }
    }
    known.insert("users.yaml".into());
    let mut tables = Vec::new();
    for (name, cols) in schema {
        let per = is_per_object(name);
        if per {
            known.extend(
                files
                    .keys()
                    .filter(|p| p.starts_with(&format!("{name}/")))
                    .cloned(),
            );
        } else {
            known.insert(file_name(name));
        }
        let recs = read_records(files, name, cols, per, &mut v).unwrap_or_default();
        tables.push((name.clone(), recs.into_iter().map(|(r, _)| r).collect()));
    }
    for p in files.keys() {
        if !known.contains(p) && !p.starts_with("files/") {
            v.push(
                p.clone(),
                format!("{p}: not a file of this format (unknown register)"),
            );
        }
    }
    v.into_result()?;
    Ok(Parsed { org, users, tables })
}

type RawRow = (Record, Vec<Raw>);

/// Read one table's records (a sequence file, or a directory of one file per record),
/// checking fields, types and the values of enumerated fields and ratings
/// ([`rules::check_value`]); duplicate keys are errors.
fn read_records(
    files: &FileSet,
    table: &str,
    cols: &[(String, Col)],
    per_object: bool,
    v: &mut ValidationError,
) -> Option<Vec<RawRow>> {
    let mut docs: Vec<(String, Y, String)> = Vec::new();
    if per_object {
        for (p, b) in files.range(format!("{table}/")..) {
            if !p.starts_with(&format!("{table}/")) {
                break;
            }
            match parse_yaml(p, b) {
                Ok((y, t)) => docs.push((p.clone(), y, t)),
                Err(e) => v.errors.push(e),
            }
        }
    } else {
        let f = file_name(table);
        let Some(b) = files.get(&f) else {
            v.push(f.clone(), format!("{f} is missing"));
            return None;
        };
        match parse_yaml(&f, b) {
            Ok((y, t)) => docs.push((f, y, t)),
            Err(e) => {
                v.errors.push(e);
                return None;
            }
        }
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    for (file, y, text) in docs {
        let (items, lines): (Vec<Y>, Lines) = match y {
            Y::Sequence(s) if !per_object => (s, Lines::new(&text, true)),
            Y::Null if !per_object => (Vec::new(), Lines::new(&text, true)),
            m @ Y::Mapping(_) if per_object => (vec![m], Lines::new(&text, false)),
            _ => {
                let what = if per_object {
                    "one record (a mapping)"
                } else {
                    "a list of records"
                };
                v.errors
                    .push(err_at(&file, 1, "", format!("expected {what}")));
                continue;
            }
        };
        for (n, item) in items.into_iter().enumerate() {
            let line = lines.record(n);
            let Y::Mapping(m) = item else {
                v.errors.push(err_at(
                    &file,
                    line,
                    "",
                    "expected a record (a mapping of fields)",
                ));
                continue;
            };
            let key = match m.get("key") {
                Some(Y::String(s)) if !s.is_empty() => s.clone(),
                Some(Y::Number(num)) => num.to_string(),
                _ => {
                    v.errors
                        .push(err_at(&file, line, "key", "every record needs a key"));
                    continue;
                }
            };
            if let Some((f0, l0)) = seen.get(&key) {
                v.errors.push(err_at(
                    &file,
                    lines.field(n, "key"),
                    "key",
                    format!("key {key:?} is used twice (first in {f0} line {l0})"),
                ));
                continue;
            }
            seen.insert(key.clone(), (file.clone(), line));
            let mut cells: Vec<Raw> = cols.iter().map(|_| Raw::Cell(Cell::Null)).collect();
            let mut field_lines = BTreeMap::new();
            let mut ok = true;
            for (k, x) in &m {
                let Some(name) = k.as_str() else {
                    v.errors
                        .push(err_at(&file, line, "", "a field name is not text"));
                    ok = false;
                    continue;
                };
                field_lines.insert(name.to_owned(), lines.field(n, name));
                if name == "key" {
                    continue;
                }
                let pos = cols
                    .iter()
                    .enumerate()
                    .position(|(i, (c, kind))| c == name && !skipped(i, c, *kind));
                match pos {
                    None => {
                        v.errors
                            .push(err_at(&file, lines.field(n, name), name, "unknown field"));
                        ok = false;
                    }
                    Some(i) => match read_cell(cols[i].1, x)
                        .and_then(|c| check_raw(table, name, &c).map(|()| c))
                    {
                        Ok(c) => cells[i] = c,
                        Err(e) => {
                            v.errors.push(err_at(&file, lines.field(n, name), name, e));
                            ok = false;
                        }
                    },
                }
            }
            if ok {
                out.push((
                    Record {
                        key,
                        file: file.clone(),
                        line,
                        yaml: m,
                        lines: field_lines,
                    },
                    cells,
                ));
            }
        }
    }
    Some(out)
}

/// The value rules of `table.column` ([`rules::check_value`]) on a value read; a
/// reference or a mapping where a ruled column wants plain text is checked as its text.
fn check_raw(table: &str, column: &str, raw: &Raw) -> Result<(), String> {
    match raw {
        Raw::Cell(c) => rules::check_value(table, column, c),
        _ if !rules::is_ruled(table, column) => Ok(()),
        Raw::Ref(r) => rules::check_value(table, column, &Cell::Text(r.clone())),
        Raw::Json(j) => rules::check_value(table, column, &Cell::Text(j.to_string())),
    }
}

/// Added, changed and removed records of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FilePlan {
    pub file: String,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// What an import would do, per file (only files with changes).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn counts(&self) -> (usize, usize, usize) {
        self.files.iter().fold((0, 0, 0), |(a, c, r), f| {
            (a + f.added.len(), c + f.changed.len(), r + f.removed.len())
        })
    }
}

fn plan_file(table: &str) -> String {
    if is_per_object(table) {
        format!("{table}/")
    } else {
        file_name(table)
    }
}

/// Compare what the organisation holds now (`old`, read from its own export) with `new`.
pub fn plan(old: &Parsed, new: &Parsed) -> Plan {
    let mut p = Plan::default();
    let mut org = FilePlan {
        file: "organisation.yaml".into(),
        ..FilePlan::default()
    };
    if old.org != new.org {
        org.changed.push("organisation".into());
        p.files.push(org);
    } else {
        p.unchanged += 1;
    }
    let mut uf = FilePlan {
        file: "users.yaml".into(),
        ..FilePlan::default()
    };
    let olds: BTreeMap<&str, &str> = old
        .users
        .iter()
        .map(|(e, n)| (e.as_str(), n.as_str()))
        .collect();
    let news: BTreeMap<&str, &str> = new
        .users
        .iter()
        .map(|(e, n)| (e.as_str(), n.as_str()))
        .collect();
    for (e, n) in &news {
        match olds.get(e) {
            None => uf.added.push((*e).to_owned()),
            Some(o) if o != n => uf.changed.push((*e).to_owned()),
            Some(_) => p.unchanged += 1,
        }
    }
    uf.removed = olds
        .keys()
        .filter(|e| !news.contains_key(*e))
        .map(|e| (*e).to_owned())
        .collect();
    if !(uf.added.is_empty() && uf.changed.is_empty() && uf.removed.is_empty()) {
        p.files.push(uf);
    }
    let empty = Vec::new();
    for (name, new_recs) in &new.tables {
        let old_recs = old
            .tables
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&empty, |(_, r)| r);
        let om: HashMap<&str, &Record> = old_recs.iter().map(|r| (r.key.as_str(), r)).collect();
        let nm: HashMap<&str, &Record> = new_recs.iter().map(|r| (r.key.as_str(), r)).collect();
        let mut f = FilePlan {
            file: plan_file(name),
            ..FilePlan::default()
        };
        for r in new_recs {
            match om.get(r.key.as_str()) {
                None => f.added.push(r.key.clone()),
                Some(o) if o.yaml != r.yaml => f.changed.push(r.key.clone()),
                Some(_) => p.unchanged += 1,
            }
        }
        for r in old_recs {
            if !nm.contains_key(r.key.as_str()) {
                f.removed.push(r.key.clone());
            }
        }
        for l in [&mut f.added, &mut f.changed, &mut f.removed] {
            l.sort_by(|a, b| natural_cmp(a, b));
        }
        if !(f.added.is_empty() && f.changed.is_empty() && f.removed.is_empty()) {
            p.files.push(f);
        }
    }
    p
}

/// Turn the checked records into rows with ids. `ids` gives the id for a reference
/// (`table/key`): the existing record's when the organisation already has it, a new one
/// otherwise; `users` the account id by e-mail; `org_id` fills `org_id` columns. File
/// contents (`files/SHA256`) must be present and match their name.
pub fn resolve(
    files: &FileSet,
    parsed: &Parsed,
    schema: &[(String, Vec<(String, Col)>)],
    org_id: Uuid,
    users: &HashMap<String, Uuid>,
    ids: &mut dyn FnMut(&str) -> Uuid,
) -> Result<Vec<Table>, ValidationError> {
    let mut v = ValidationError::new();
    let mut map: HashMap<String, Uuid> = HashMap::new();
    for (email, id) in users {
        map.insert(format!("users/{email}"), *id);
    }
    for (name, recs) in &parsed.tables {
        let has_id = schema
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, c)| c.first())
            .is_some_and(|(n, k)| n == "id" && *k == Col::Uuid);
        if has_id {
            for r in recs {
                let rf = format!("{name}/{}", r.key);
                let id = ids(&rf);
                map.insert(rf, id);
            }
        }
    }
    let mut out = Vec::new();
    for ((name, cols), (_, recs)) in schema.iter().zip(&parsed.tables) {
        let mut rows = Vec::with_capacity(recs.len());
        for r in recs {
            // Re-read the cells (cheap; the records were checked already).
            let mut row = Vec::with_capacity(cols.len());
            for (i, (c, kind)) in cols.iter().enumerate() {
                if c == "org_id" {
                    row.push(Cell::Uuid(org_id));
                    continue;
                }
                if i == 0 && c == "id" && *kind == Col::Uuid {
                    row.push(Cell::Uuid(
                        map.get(&format!("{name}/{}", r.key))
                            .copied()
                            .unwrap_or_default(),
                    ));
                    continue;
                }
                let raw = match r.yaml.get(c.as_str()) {
                    None => Raw::Cell(Cell::Null),
                    Some(x) => match read_cell(*kind, x) {
                        Ok(raw) => raw,
                        Err(e) => {
                            v.errors.push(err_at(&r.file, r.line_of(c), c, e));
                            row.push(Cell::Null);
                            continue;
                        }
                    },
                };
                let lookup = |rf: &str| -> Result<Uuid, String> {
                    map.get(rf)
                        .copied()
                        .ok_or_else(|| format!("{rf} is not a record of this export"))
                };
                let cell = match raw {
                    Raw::Cell(c) => Ok(c),
                    Raw::Ref(rf) if *kind == Col::Bytes => match files.get(&rf) {
                        None => Err(format!("{rf} is missing")),
                        Some(b) if format!("files/{}", sha_hex(b)) != rf => {
                            Err(format!("{rf} does not match its SHA-256"))
                        }
                        Some(b) => Ok(Cell::Bytes(b.clone())),
                    },
                    Raw::Ref(rf) if *kind == Col::Uuid => lookup(&rf).map(Cell::Uuid),
                    Raw::Ref(rf) => lookup(&rf).map(|u| Cell::Text(u.to_string())),
                    Raw::Json(j) => resolve_json(j, &lookup).map(|j| Cell::Text(j.to_string())),
                };
                match cell {
                    Ok(c) => row.push(c),
                    Err(e) => {
                        v.errors.push(err_at(&r.file, r.line_of(c), c, e));
                        row.push(Cell::Null);
                    }
                }
            }
            rows.push(row);
        }
        out.push(Table {
            name: name.clone(),
            cols: cols.clone(),
            rows,
        });
    }
    // Blob files must match the blobs register.
    if let Some((_, recs)) = parsed.tables.iter().find(|(n, _)| n == "blobs") {
        for r in recs {
            let p = format!("files/{}", r.key);
            if !files.contains_key(&p) {
                v.errors
                    .push(err_at(&r.file, r.line, "key", format!("{p} is missing")));
            }
        }
    }
    v.into_result()?;
    Ok(out)
}

fn resolve_json(
    j: serde_json::Value,
    lookup: &dyn Fn(&str) -> Result<Uuid, String>,
) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match j {
        J::String(s) => match s.strip_prefix("\u{0}ref:") {
            Some(rf) => J::String(lookup(rf)?.to_string()),
            None => J::String(s),
        },
        J::Array(a) => J::Array(
            a.into_iter()
                .map(|x| resolve_json(x, lookup))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(o) => {
            let mut m = serde_json::Map::new();
            for (k, x) in o {
                m.insert(k, resolve_json(x, lookup)?);
            }
            J::Object(m)
        }
        other => other,
    })
}

/// The SHA-256 over a file set (paths and contents), for the audit trail.
pub fn files_digest(files: &FileSet) -> String {
    let mut h = Sha256::new();
    for (p, b) in files {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
#[path = "isms_code_tests.rs"]
mod tests;
