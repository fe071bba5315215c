//! The reference catalogue as the faces show it (read-only, the same for everyone).

use crate::{AppError, AppResult};
use isms_domain::ValidationError;
use isms_domain::catalogue::{
    AttributeKind, Clause, Control, ControlFilter, Theme, catalogue, value_label,
};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An Annex A control.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlView {
    /// `5.1` … `8.34`.
    pub id: String,
    /// `A.5.1`.
    pub label: String,
    pub title: String,
    /// `organizational`, `people`, `physical` or `technological`.
    pub theme: String,
    /// ISO/IEC 27002:2022 attribute values by kind (`control_type`, `security_properties`,
    /// `cybersecurity_concepts`, `operational_capabilities`, `security_domains`).
    pub attributes: BTreeMap<String, Vec<String>>,
    pub new_in_2022: bool,
    /// What the control is about (our words).
    pub summary: String,
    /// What an auditor typically asks to see.
    pub auditor_asks: Vec<String>,
    /// The 2013 controls it replaces.
    pub from_2013: Vec<String>,
    /// `new`, `one_to_one` or `merged`.
    pub change_from_2013: String,
}

impl From<&Control> for ControlView {
    fn from(c: &Control) -> Self {
        Self {
            id: c.id.clone(),
            label: c.label(),
            title: c.title.clone(),
            theme: c.theme.as_str().to_owned(),
            attributes: c
                .attributes
                .iter()
                .map(|(k, v)| (k.column().to_owned(), v.clone()))
                .collect(),
            new_in_2022: c.new_in_2022,
            summary: c.summary.clone(),
            auditor_asks: c.auditor_asks.clone(),
            from_2013: c.from_2013.clone(),
            change_from_2013: serde_json::to_value(c.change)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }
}

/// A clause or sub-clause of ISO/IEC 27001:2022.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseView {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
    pub summary: String,
    pub evidence: Vec<String>,
    /// Whether documented information is explicitly required (requirement clauses).
    pub documented_information: Option<bool>,
    /// A lowest-level clause an organisation is audited against.
    pub is_requirement: bool,
}

impl From<&Clause> for ClauseView {
    fn from(c: &Clause) -> Self {
        Self {
            id: c.id.clone(),
            title: c.title.clone(),
            parent: c.parent.clone(),
            summary: c.summary.clone(),
            evidence: c.evidence.clone(),
            documented_information: c.documented_information,
            is_requirement: c.is_requirement,
        }
    }
}

/// An Annex A control of ISO/IEC 27001:2013 and where it went in 2022.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Mapping2013 {
    pub id_2013: String,
    pub title_2013: String,
    pub to_2022: Vec<String>,
}

/// Filters as given by a person or a query string (attribute values by kind).
#[derive(Debug, Clone, Default)]
pub struct ControlQuery {
    pub theme: Option<String>,
    pub attributes: Vec<(String, String)>,
    pub new_in_2022: Option<bool>,
    pub q: Option<String>,
}

/// Parse and check filters; unknown themes or attribute values name the field.
pub fn control_filter(q: &ControlQuery) -> AppResult<ControlFilter> {
    let mut v = ValidationError::new();
    let theme = match q.theme.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(t) => Theme::parse(t).or_else(|| {
            v.push("theme", format!("\"{t}\" is not a theme; choose organizational, people, physical or technological"));
            None
        }),
    };
    let mut attributes = Vec::new();
    for (kind, value) in q.attributes.iter().filter(|(_, v)| !v.is_empty()) {
        match AttributeKind::parse(kind) {
            Some(k) if k.values().contains(&value.as_str()) => attributes.push((k, value.clone())),
            Some(k) => v.push(
                kind.clone(),
                format!(
                    "\"{value}\" is not a value of {}; choose one of: {}",
                    k.label(),
                    k.values().join(", ")
                ),
            ),
            None => v.push(kind.clone(), "is not an attribute"),
        }
    }
    v.into_result()?;
    Ok(ControlFilter {
        theme,
        attributes,
        new_in_2022: q.new_in_2022,
        text: q.q.clone().filter(|s| !s.trim().is_empty()),
    })
}

/// The controls matching `q` (all 93 without filters).
pub fn list_controls(q: &ControlQuery) -> AppResult<Vec<ControlView>> {
    let f = control_filter(q)?;
    Ok(catalogue()
        .filter(&f)
        .into_iter()
        .map(ControlView::from)
        .collect())
}

pub fn get_control(id: &str) -> AppResult<ControlView> {
    catalogue()
        .control(id)
        .map(ControlView::from)
        .ok_or(AppError::NotFound("control"))
}

pub fn list_clauses() -> Vec<ClauseView> {
    catalogue().clauses().iter().map(ClauseView::from).collect()
}

pub fn get_clause(id: &str) -> AppResult<ClauseView> {
    catalogue()
        .clause(id)
        .map(ClauseView::from)
        .ok_or(AppError::NotFound("clause"))
}

pub fn mapping_2013() -> Vec<Mapping2013> {
    catalogue()
        .controls_2013()
        .iter()
        .map(|c| Mapping2013 {
            id_2013: c.id.clone(),
            title_2013: c.title.clone(),
            to_2022: c.to_2022.clone(),
        })
        .collect()
}

/// `supplier_relationships_security` → `Supplier relationships security`.
pub fn label_of(value: &str) -> String {
    value_label(value)
}
