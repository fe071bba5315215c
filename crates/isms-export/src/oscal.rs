//! NIST OSCAL 1.1.2 JSON documents from our records: the system security plan (the ISMS
//! and its implemented controls), the assessment results (internal audits), the plan of
//! action and milestones (open corrective actions and nonconformities) and a catalog (the
//! Annex A structure and the organisation's own controls).
//!
//! Pure functions from plain input structs to `serde_json::Value`; the services gather the
//! records. Every UUID is a version 5 UUID of the organisation and the record's id, and
//! `last-modified` comes from the records (their latest change), so an organisation that
//! did not change exports byte-identical files. The catalog carries identifiers, short
//! titles and our own one-line summaries, never the standard's wording.

use isms_domain::catalogue::{Theme, catalogue};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The OSCAL version the documents follow.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of our own properties and part names.
pub const NS: &str = "urn:isms-workbench:oscal";

/// The four documents, by the name used in file names and routes.
pub const DOCUMENTS: [&str; 4] = ["ssp", "assessment-results", "poam", "catalog"];

/// The top-level key of each document (`ssp` → `system-security-plan`).
pub fn root_key(document: &str) -> Option<&'static str> {
    match document {
        "ssp" => Some("system-security-plan"),
        "assessment-results" => Some("assessment-results"),
        "poam" => Some("plan-of-action-and-milestones"),
        "catalog" => Some("catalog"),
        _ => None,
    }
}

/// When nothing in the records says otherwise: the publication of ISO/IEC 27001:2022.
pub const CATALOGUE_DATE: &str = "2022-10-25T00:00:00Z";

/// The organisation the documents describe.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// RFC 3339: the earliest date a document can carry.
    pub created_at: String,
}

/// A person named in the records (control owner, auditor, action owner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

/// One control of the system security plan.
#[derive(Debug, Clone)]
pub struct SspControl {
    /// `5.15` (Annex A) or `NW-02` (own control).
    pub control_ref: String,
    /// `A.5.15` or `NW-02`.
    pub label: String,
    pub own: bool,
    pub title: String,
    /// Our status: `not_started`, `planned`, `partially_implemented`, `implemented`,
    /// `not_applicable`.
    pub status: String,
    pub owner: Option<Person>,
    /// How the control is implemented.
    pub implementation: String,
    /// Why it is in the SoA (Annex A), in words.
    pub soa_note: String,
}

/// What the system security plan is made of.
#[derive(Debug, Clone)]
pub struct SspInput {
    pub org: Org,
    /// The approved scope statement, in words (empty when none is approved).
    pub scope: String,
    /// "Scope statement version 2".
    pub scope_label: Option<String>,
    /// "Statement of Applicability version 3, approved 2026-02-01"; `None` when no SoA
    /// is in force.
    pub soa_label: Option<String>,
    pub controls: Vec<SspControl>,
    /// RFC 3339: the latest change of any record used.
    pub last_modified: String,
}

/// An own control for the catalog.
#[derive(Debug, Clone)]
pub struct OwnControl {
    pub code: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct CatalogInput {
    pub org: Org,
    pub own: Vec<OwnControl>,
    /// RFC 3339; `CATALOGUE_DATE` when there are no own controls.
    pub last_modified: String,
}

/// One answered (or open) checklist item of an audit.
#[derive(Debug, Clone)]
pub struct CheckItem {
    pub id: Uuid,
    /// `9.2.2`, `A.5.15`, `NW-07`.
    pub item: String,
    pub title: String,
    /// `conforming`, `nonconforming`, `observation`, `opportunity_for_improvement`,
    /// `not_audited`; `None` while open.
    pub result: Option<String>,
    pub notes: String,
    pub evidence_note: String,
    /// RFC 3339.
    pub answered_at: Option<String>,
}

/// An internal audit.
#[derive(Debug, Clone)]
pub struct AuditIn {
    pub id: Uuid,
    /// `AUD-2026-01`.
    pub reference: String,
    pub title: String,
    pub criteria: String,
    /// Items in scope: `9.2.2`, `A.5.15`, `NW-07`.
    pub scope: Vec<String>,
    /// YYYY-MM-DD: actual start, else planned start.
    pub start: String,
    /// YYYY-MM-DD: actual end (when completed).
    pub end: Option<String>,
    pub status: String,
    pub lead: Option<String>,
    pub items: Vec<CheckItem>,
}

/// A finding of the findings register.
#[derive(Debug, Clone)]
pub struct FindingIn {
    pub id: Uuid,
    /// `F-001`.
    pub finding_ref: String,
    /// The internal audit it came from.
    pub audit_id: Option<Uuid>,
    pub checklist_item_id: Option<Uuid>,
    /// `major_nc`, `minor_nc`, `observation`, `ofi`.
    pub grade: String,
    pub nonconformity: bool,
    /// The clause (`9.2`) or control (`A.5.15`, `NW-07`).
    pub reference: String,
    pub title: String,
    pub description: String,
    pub evidence: String,
    /// YYYY-MM-DD.
    pub raised_on: String,
    pub status: String,
    /// YYYY-MM-DD.
    pub deadline: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AssessmentInput {
    pub org: Org,
    pub audits: Vec<AuditIn>,
    /// Findings raised in the audits above.
    pub findings: Vec<FindingIn>,
    pub last_modified: String,
}

/// An open corrective action.
#[derive(Debug, Clone)]
pub struct ActionIn {
    pub id: Uuid,
    /// `CA-001`.
    pub action_ref: String,
    pub finding_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub owner: Option<Person>,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
    /// `planned`, `in_progress`, `implemented`, `verified_ineffective`.
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct PoamInput {
    pub org: Org,
    /// Open corrective actions.
    pub actions: Vec<ActionIn>,
    /// Open nonconformities, and every finding an open action is on.
    pub findings: Vec<FindingIn>,
    pub last_modified: String,
}

/// A version 5 UUID of the organisation, the kind of record and its key.
pub fn uuid_of(org: Uuid, kind: &str, key: &str) -> String {
    let ns = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:isms-workbench:oscal");
    Uuid::new_v5(&ns, format!("{org}/{kind}/{key}").as_bytes()).to_string()
}

/// The OSCAL id of a control: `a.5.15` for Annex A (a token cannot start with a digit),
/// the code itself for an own control (`NW-02`).
pub fn control_id(control_ref: &str) -> String {
    if control_ref.starts_with(|c: char| c.is_ascii_digit()) {
        format!("a.{control_ref}")
    } else if let Some(r) = control_ref
        .strip_prefix("A.")
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    {
        format!("a.{r}")
    } else {
        control_ref.to_owned()
    }
}

/// An id for a clause or control reference in a finding target or audit scope: `a.5.15`
/// (`A.5.15`), `NW-07`, `clause-9.2` (a bare number is a clause).
fn target_id(reference: &str) -> String {
    let r = reference.trim();
    let r = r.strip_prefix("Clause ").unwrap_or(r);
    if r.starts_with(|c: char| c.is_ascii_digit()) {
        token(&format!("clause-{r}"))
    } else {
        token(&control_id(r))
    }
}

/// A token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`): anything else becomes `_`.
fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(char::is_alphabetic) && !out.starts_with('_') {
        out.insert(0, '_');
    }
    out
}

/// A single-line string with no surrounding blanks (the schemas' `StringDatatype`);
/// `None` when nothing is left.
fn line(s: &str) -> Option<String> {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// Text for a title or description, never empty.
fn text(s: &str, empty: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        empty.to_owned()
    } else {
        t.to_owned()
    }
}

/// One of our properties (`None` when the value is blank).
fn prop(name: &str, value: &str) -> Option<Value> {
    line(value).map(|v| json!({"name": name, "ns": NS, "value": v}))
}

fn props(list: Vec<Option<Value>>) -> Option<Value> {
    let v: Vec<Value> = list.into_iter().flatten().collect();
    (!v.is_empty()).then_some(Value::Array(v))
}

/// Put `value` under `key` unless it is `None`.
fn set(obj: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(map), Some(v)) = (obj.as_object_mut(), value) {
        map.insert(key.to_owned(), v);
    }
}

/// A day (YYYY-MM-DD) as the start of that day in UTC; a timestamp is kept.
pub fn day_start(d: &str) -> String {
    if d.len() == 10 {
        format!("{d}T00:00:00Z")
    } else {
        d.to_owned()
    }
}

/// A day as its last second in UTC (a deadline).
fn day_end(d: &str) -> String {
    if d.len() == 10 {
        format!("{d}T23:59:59Z")
    } else {
        d.to_owned()
    }
}

/// The party of the organisation and one per person named, in id order.
fn parties(org: &Org, people: &BTreeMap<Uuid, String>) -> Value {
    let mut out = vec![json!({
        "uuid": org_party(org),
        "type": "organization",
        "name": text(&org.name, &org.slug),
        "short-name": org.slug,
    })];
    for (id, name) in people {
        out.push(json!({
            "uuid": person_party(org, *id),
            "type": "person",
            "name": text(name, "Unnamed member"),
        }));
    }
    Value::Array(out)
}

fn org_party(org: &Org) -> String {
    uuid_of(org.id, "party", "organisation")
}

fn person_party(org: &Org, id: Uuid) -> String {
    uuid_of(org.id, "party", &id.to_string())
}

/// The metadata every document carries. `version` is filled in by [`finish`].
fn metadata(org: &Org, title: String, last_modified: &str, roles: &[(&str, &str)]) -> Value {
    let mut roles_v = vec![json!({"id": "organisation", "title": "Organisation"})];
    roles_v.extend(
        roles
            .iter()
            .map(|(id, title)| json!({"id": id, "title": title})),
    );
    json!({
        "title": title,
        "last-modified": last_modified,
        "version": "",
        "oscal-version": OSCAL_VERSION,
        "roles": roles_v,
        "responsible-parties": [{"role-id": "organisation", "party-uuids": [org_party(org)]}],
    })
}

/// Give the document its version (the day of the last change and a digest of the
/// content: the same records give the same version) and wrap it under its root key.
fn finish(root: &str, mut doc: Value, people: &BTreeMap<Uuid, String>, org: &Org) -> Value {
    if let Some(m) = doc.get_mut("metadata") {
        set(m, "parties", Some(parties(org, people)));
    }
    let digest = Uuid::new_v5(&Uuid::NAMESPACE_OID, doc.to_string().as_bytes()).simple();
    let day = doc["metadata"]["last-modified"]
        .as_str()
        .and_then(|s| s.get(..10))
        .unwrap_or("")
        .to_owned();
    let digest = digest.to_string();
    let version = format!("{day}+{}", digest.get(..8).unwrap_or(&digest));
    if let Some(m) = doc.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("version".into(), Value::String(version));
    }
    json!({ root: doc })
}

/// OSCAL's implementation state for our status.
fn implementation_state(status: &str) -> &'static str {
    match status {
        "implemented" => "implemented",
        "partially_implemented" => "partial",
        "not_applicable" => "not-applicable",
        _ => "planned",
    }
}

/// The system security plan: the ISMS as the system, each implemented control with its
/// status, owner and how it is implemented.
pub fn ssp(i: &SspInput) -> Value {
    let org = &i.org;
    let mut people = BTreeMap::new();
    let component = uuid_of(org.id, "component", "isms");
    let reqs: Vec<Value> = i
        .controls
        .iter()
        .map(|c| {
            let roles = c.owner.as_ref().map(|p| {
                people.insert(p.id, p.name.clone());
                json!([{"role-id": "control-owner", "party-uuids": [person_party(org, p.id)]}])
            });
            let mut by = json!({
                "component-uuid": component,
                "uuid": uuid_of(org.id, "by-component", &c.control_ref),
                "description": text(&c.implementation, "How the control is implemented is not described yet."),
                "implementation-status": {"state": implementation_state(&c.status)},
            });
            set(&mut by, "responsible-roles", roles.clone());
            let mut r = json!({
                "uuid": uuid_of(org.id, "implemented-requirement", &c.control_ref),
                "control-id": control_id(&c.control_ref),
                "by-components": [by],
            });
            set(
                &mut r,
                "props",
                props(vec![
                    prop("label", &c.label),
                    prop("title", &c.title),
                    prop("status", &c.status),
                    prop("kind", if c.own { "own" } else { "annex-a" }),
                ]),
            );
            set(&mut r, "responsible-roles", roles);
            set(&mut r, "remarks", line(&c.soa_note).map(Value::String));
            r
        })
        .collect();
    let scope = text(&i.scope, "No scope statement is approved yet.");
    let in_force = i.soa_label.is_some();
    let mut characteristics = json!({
        "system-ids": [{"identifier-type": NS, "id": org.slug}],
        "system-name": format!("{} ISMS", text(&org.name, &org.slug)),
        "system-name-short": org.slug,
        "description": format!("The information security management system of {} (ISO/IEC 27001:2022).", text(&org.name, &org.slug)),
        "system-information": {"information-types": [{
            "uuid": uuid_of(org.id, "information-type", "in-scope"),
            "title": "Information in the scope of the ISMS",
            "description": scope,
        }]},
        "status": {"state": if in_force { "operational" } else { "under-development" }},
        "authorization-boundary": {"description": scope},
    });
    set(
        &mut characteristics,
        "props",
        props(vec![
            prop("scope-version", i.scope_label.as_deref().unwrap_or("")),
            prop("soa", i.soa_label.as_deref().unwrap_or("")),
        ]),
    );
    let description = match &i.soa_label {
        Some(l) => format!(
            "The Annex A controls applicable in the {l}, and the organisation's own controls."
        ),
        None => "No Statement of Applicability is in force yet: every Annex A control is listed \
                 with its status until one is approved, with the organisation's own controls."
            .to_owned(),
    };
    let doc = json!({
        "uuid": uuid_of(org.id, "ssp", "plan"),
        "metadata": metadata(org, format!("System security plan: {} ISMS", text(&org.name, &org.slug)), &i.last_modified, &[("control-owner", "Control owner")]),
        "import-profile": {
            "href": "catalog.json",
            "remarks": "The controls come from the Annex A catalogue and the own controls in catalog.json, exported alongside.",
        },
        "system-characteristics": characteristics,
        "system-implementation": {
            "users": [{
                "uuid": uuid_of(org.id, "user", "control-owner"),
                "title": "Control owners",
                "role-ids": ["control-owner"],
            }],
            "components": [{
                "uuid": component,
                "type": "this-system",
                "title": format!("{} ISMS", text(&org.name, &org.slug)),
                "description": "The management system and everything in its scope.",
                "status": {"state": if in_force { "operational" } else { "under-development" }},
            }],
        },
        "control-implementation": {
            "description": description,
            "implemented-requirements": reqs,
        },
    });
    finish("system-security-plan", doc, &people, org)
}

/// Our label for a checklist result.
fn result_label(r: Option<&str>) -> &'static str {
    match r {
        Some("conforming") => "Conforming",
        Some("nonconforming") => "Nonconforming",
        Some("observation") => "Observation",
        Some("opportunity_for_improvement") => "Opportunity for improvement",
        Some("not_audited") => "Not audited",
        _ => "Not answered yet",
    }
}

fn finding_target(f: &FindingIn) -> Value {
    let (state, reason) = if f.nonconformity {
        ("not-satisfied", "fail")
    } else {
        ("satisfied", "other")
    };
    json!({
        "type": "objective-id",
        "target-id": target_id(&f.reference),
        "title": text(&f.reference, "Not referenced"),
        "status": {"state": state, "reason": reason},
    })
}

/// A finding, with the observation of the checklist item it came from.
fn finding(org: &Org, f: &FindingIn, observation: Option<String>) -> Value {
    let mut v = json!({
        "uuid": uuid_of(org.id, "finding", &f.id.to_string()),
        "title": format!("{}: {}", f.finding_ref, text(&f.title, "Untitled finding")),
        "description": text(&f.description, &text(&f.title, "No description.")),
        "target": finding_target(f),
    });
    set(
        &mut v,
        "props",
        props(vec![
            prop("finding-ref", &f.finding_ref),
            prop("grade", &f.grade),
            prop("status", &f.status),
            prop("raised-on", &f.raised_on),
            prop("deadline", f.deadline.as_deref().unwrap_or("")),
        ]),
    );
    set(
        &mut v,
        "related-observations",
        observation.map(|o| json!([{"observation-uuid": o}])),
    );
    set(&mut v, "remarks", line(&f.evidence).map(Value::String));
    v
}

/// The assessment results: each internal audit as a result with its scope, dates,
/// checklist observations and findings.
pub fn assessment_results(i: &AssessmentInput) -> Value {
    let org = &i.org;
    let programme = uuid_of(org.id, "resource", "audit-programme");
    let mut results: Vec<Value> = i
        .audits
        .iter()
        .map(|a| {
            let mut observations = Vec::new();
            let mut by_item = BTreeMap::new();
            for it in &a.items {
                let uuid = uuid_of(org.id, "observation", &it.id.to_string());
                by_item.insert(it.id, uuid.clone());
                let mut o = json!({
                    "uuid": uuid,
                    "title": format!("{}: {}", it.item, text(&it.title, "Checklist item")),
                    "description": text(&it.notes, result_label(it.result.as_deref())),
                    "methods": ["EXAMINE", "INTERVIEW"],
                    "types": ["control-objective"],
                    "collected": it.answered_at.clone().unwrap_or_else(|| day_start(&a.start)),
                });
                set(
                    &mut o,
                    "props",
                    props(vec![
                        prop("item", &it.item),
                        prop("result", it.result.as_deref().unwrap_or("open")),
                    ]),
                );
                set(&mut o, "remarks", line(&it.evidence_note).map(Value::String));
                observations.push(o);
            }
            let findings: Vec<Value> = i
                .findings
                .iter()
                .filter(|f| f.audit_id == Some(a.id))
                .map(|f| {
                    let obs = f.checklist_item_id.and_then(|c| by_item.get(&c).cloned());
                    finding(org, f, obs)
                })
                .collect();
            let controls: Vec<Value> = a
                .scope
                .iter()
                .filter(|s| !looks_like_clause(s))
                .map(|s| json!({"control-id": target_id(s)}))
                .collect();
            let mut selection = json!({
                "description": if a.scope.is_empty() {
                    "No scope recorded.".to_owned()
                } else {
                    format!("In scope: {}.", a.scope.join(", "))
                },
            });
            set(
                &mut selection,
                "include-controls",
                (!controls.is_empty()).then_some(Value::Array(controls)),
            );
            let mut r = json!({
                "uuid": uuid_of(org.id, "result", &a.id.to_string()),
                "title": format!("{}: {}", a.reference, text(&a.title, "Internal audit")),
                "description": format!("Internal audit against {}.", text(&a.criteria, "ISO/IEC 27001:2022")),
                "start": day_start(&a.start),
                "reviewed-controls": {"control-selections": [selection]},
            });
            set(&mut r, "end", a.end.as_deref().map(|e| Value::String(day_end(e))));
            set(
                &mut r,
                "props",
                props(vec![
                    prop("audit-ref", &a.reference),
                    prop("status", &a.status),
                    prop("lead-auditor", a.lead.as_deref().unwrap_or("")),
                ]),
            );
            set(
                &mut r,
                "observations",
                (!observations.is_empty()).then_some(Value::Array(observations)),
            );
            set(
                &mut r,
                "findings",
                (!findings.is_empty()).then_some(Value::Array(findings)),
            );
            r
        })
        .collect();
    if results.is_empty() {
        // The schema wants at least one result.
        results.push(json!({
            "uuid": uuid_of(org.id, "result", "none"),
            "title": "No internal audit recorded yet",
            "description": "The organisation has not recorded an internal audit yet.",
            "start": i.last_modified,
            "reviewed-controls": {"control-selections": [{"description": "Nothing audited yet."}]},
        }));
    }
    let doc = json!({
        "uuid": uuid_of(org.id, "assessment-results", "internal-audits"),
        "metadata": metadata(org, format!("Internal audit results: {} ISMS", text(&org.name, &org.slug)), &i.last_modified, &[]),
        "import-ap": {
            "href": format!("#{programme}"),
            "remarks": "The internal audit programme plans the audits; it is not exported as an OSCAL assessment plan.",
        },
        "results": results,
        "back-matter": {"resources": [{
            "uuid": programme,
            "title": "Internal audit programme",
            "description": "The programme of internal audits (ISO/IEC 27001:2022, 9.2.2) kept in ISMS Workbench.",
        }]},
    });
    finish("assessment-results", doc, &BTreeMap::new(), org)
}

/// A clause reference (`9.2.2`, `Clause 5.2`) rather than a control (`A.5.15`, `NW-07`).
fn looks_like_clause(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("Clause ") || s.starts_with(|c: char| c.is_ascii_digit())
}

/// OSCAL's risk status for an open item.
fn risk_status(status: &str) -> &'static str {
    match status {
        "in_progress" | "implemented" | "action_planned" | "verifying" => "remediating",
        _ => "open",
    }
}

/// A POA&M item to write: an open corrective action or an open nonconformity.
struct OpenItem<'a> {
    id: Uuid,
    title: String,
    description: String,
    statement: &'static str,
    status: &'a str,
    due: Option<&'a str>,
    props: Vec<Option<Value>>,
    owner: Option<Value>,
    finding: Option<Uuid>,
    remediation: Option<Value>,
}

/// The POA&M item and its risk (which carries the deadline and the remediation).
fn open_item(org: &Org, o: OpenItem<'_>) -> (Value, Value) {
    let risk_uuid = uuid_of(org.id, "risk", &o.id.to_string());
    let mut risk = json!({
        "uuid": risk_uuid,
        "title": &o.title,
        "description": &o.description,
        "statement": o.statement,
        "status": risk_status(o.status),
    });
    set(
        &mut risk,
        "deadline",
        o.due.map(|d| Value::String(day_end(d))),
    );
    set(&mut risk, "remediations", o.remediation.map(|r| json!([r])));
    let mut item = json!({
        "uuid": uuid_of(org.id, "poam-item", &o.id.to_string()),
        "title": &o.title,
        "description": &o.description,
        "related-risks": [{"risk-uuid": risk_uuid}],
    });
    let mut props_v = o.props;
    props_v.push(prop("status", o.status));
    props_v.push(prop("due-on", o.due.unwrap_or("")));
    set(&mut item, "props", props(props_v));
    set(&mut item, "origins", o.owner);
    set(
        &mut item,
        "related-findings",
        o.finding
            .map(|f| json!([{"finding-uuid": uuid_of(org.id, "finding", &f.to_string())}])),
    );
    (item, risk)
}

/// The plan of action and milestones: every open corrective action, and every open
/// nonconformity without one, with its due date, owner and status, linked to its finding.
pub fn poam(i: &PoamInput) -> Value {
    let org = &i.org;
    let mut people = BTreeMap::new();
    let mut items = Vec::new();
    let mut risks = Vec::new();
    let known: Vec<Uuid> = i.findings.iter().map(|f| f.id).collect();
    for a in &i.actions {
        let owner = a.owner.as_ref().map(|p| {
            people.insert(p.id, p.name.clone());
            json!([{"actors": [{"type": "party", "actor-uuid": person_party(org, p.id)}]}])
        });
        let description = text(&a.description, &text(&a.title, "No description."));
        let mut remediation = json!({
            "uuid": uuid_of(org.id, "remediation", &a.id.to_string()),
            "lifecycle": "planned",
            "title": text(&a.title, "Corrective action"),
            "description": description,
        });
        set(&mut remediation, "origins", owner.clone());
        let (item, risk) = open_item(
            org,
            OpenItem {
                id: a.id,
                title: format!("{}: {}", a.action_ref, text(&a.title, "Corrective action")),
                description,
                statement: "A nonconformity or weakness that the corrective action removes.",
                status: &a.status,
                due: a.due_on.as_deref(),
                props: vec![
                    prop("action-ref", &a.action_ref),
                    prop("owner", a.owner.as_ref().map_or("", |p| p.name.as_str())),
                ],
                owner,
                finding: a.finding_id.filter(|f| known.contains(f)),
                remediation: Some(remediation),
            },
        );
        items.push(item);
        risks.push(risk);
    }
    let covered: Vec<Uuid> = i.actions.iter().filter_map(|a| a.finding_id).collect();
    for f in i
        .findings
        .iter()
        .filter(|f| f.nonconformity && f.status != "closed" && !covered.contains(&f.id))
    {
        let (item, risk) = open_item(
            org,
            OpenItem {
                id: f.id,
                title: format!("{}: {}", f.finding_ref, text(&f.title, "Nonconformity")),
                description: text(&f.description, &text(&f.title, "No description.")),
                statement: "An open nonconformity without a corrective action yet.",
                status: &f.status,
                due: f.deadline.as_deref(),
                props: vec![prop("finding-ref", &f.finding_ref)],
                owner: None,
                finding: Some(f.id),
                remediation: None,
            },
        );
        items.push(item);
        risks.push(risk);
    }
    if items.is_empty() {
        // The schema wants at least one item.
        items.push(json!({
            "uuid": uuid_of(org.id, "poam-item", "none"),
            "title": "Nothing open",
            "description": "There is no open corrective action and no open nonconformity.",
        }));
    }
    let findings: Vec<Value> = i.findings.iter().map(|f| finding(org, f, None)).collect();
    let mut doc = json!({
        "uuid": uuid_of(org.id, "poam", "open-actions"),
        "metadata": metadata(org, format!("Plan of action and milestones: {} ISMS", text(&org.name, &org.slug)), &i.last_modified, &[]),
        "import-ssp": {"href": "ssp.json"},
        "system-id": {"identifier-type": NS, "id": org.slug},
        "poam-items": items,
    });
    set(
        &mut doc,
        "findings",
        (!findings.is_empty()).then_some(Value::Array(findings)),
    );
    set(
        &mut doc,
        "risks",
        (!risks.is_empty()).then_some(Value::Array(risks)),
    );
    finish("plan-of-action-and-milestones", doc, &people, org)
}

fn theme_title(t: Theme) -> &'static str {
    match t {
        Theme::Organizational => "Organisational controls",
        Theme::People => "People controls",
        Theme::Physical => "Physical controls",
        Theme::Technological => "Technological controls",
    }
}

/// The catalog: the four Annex A themes as groups, each control with its id, short title
/// and our own one-line summary; the organisation's own controls as a fifth group.
pub fn catalog(i: &CatalogInput) -> Value {
    let org = &i.org;
    let mut groups: Vec<Value> = Theme::ALL
        .iter()
        .map(|t| {
            let controls: Vec<Value> = catalogue()
                .controls()
                .iter()
                .filter(|c| c.theme == *t)
                .map(|c| {
                    let mut v = json!({
                        "id": control_id(&c.id),
                        "title": c.title,
                        "props": [{"name": "label", "value": c.label()}],
                    });
                    set(
                        &mut v,
                        "parts",
                        line(&c.summary).map(|s| {
                            json!([{
                                "id": format!("{}_ovw", control_id(&c.id)),
                                "name": "overview",
                                "ns": NS,
                                "prose": s,
                            }])
                        }),
                    );
                    v
                })
                .collect();
            json!({
                "id": t.as_str(),
                "title": theme_title(*t),
                "controls": controls,
            })
        })
        .collect();
    if !i.own.is_empty() {
        let controls: Vec<Value> = i
            .own
            .iter()
            .map(|c| {
                let id = token(&c.code);
                let mut v = json!({
                    "id": id,
                    "title": text(&c.title, &c.code),
                    "props": [{"name": "label", "value": c.code}],
                });
                set(
                    &mut v,
                    "parts",
                    (!c.description.trim().is_empty()).then(|| {
                        json!([{
                            "id": format!("{id}_ovw"),
                            "name": "overview",
                            "ns": NS,
                            "prose": c.description.trim(),
                        }])
                    }),
                );
                v
            })
            .collect();
        groups.push(json!({
            "id": "own",
            "title": format!("Own controls of {}", text(&org.name, &org.slug)),
            "controls": controls,
        }));
    }
    let mut meta = metadata(
        org,
        format!(
            "ISO/IEC 27001:2022 Annex A structure and the own controls of {}",
            text(&org.name, &org.slug)
        ),
        &i.last_modified,
        &[],
    );
    set(
        &mut meta,
        "remarks",
        Some(Value::String(
            "Identifiers and short titles of the Annex A controls, each with a one-line summary \
             in our own words. The text of the standard is not included: read it in ISO/IEC \
             27001:2022 and ISO/IEC 27002:2022."
                .into(),
        )),
    );
    let doc = json!({
        "uuid": uuid_of(org.id, "catalog", "annex-a"),
        "metadata": meta,
        "groups": groups,
    });
    finish("catalog", doc, &BTreeMap::new(), org)
}

/// A document as the bytes of its file: pretty JSON with a final newline.
pub fn to_bytes(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}
