//! Catalogue pages: browse and filter the Annex A controls, read a control or a clause.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebUser};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::AppError;
use isms_app::catalogue::{self as cat, ClauseView, ControlQuery, ControlView, label_of};
use isms_domain::catalogue::{AttributeKind, Theme};
use serde::Deserialize;

/// One filter select: its field, label, options (value, label) and the chosen value.
pub struct FilterSelect {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<(String, String)>,
    pub selected: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct CatalogueForm {
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub control_type: String,
    #[serde(default)]
    pub security_properties: String,
    #[serde(default)]
    pub cybersecurity_concepts: String,
    #[serde(default)]
    pub operational_capabilities: String,
    #[serde(default)]
    pub security_domains: String,
    #[serde(default)]
    pub new_in_2022: String,
    #[serde(default)]
    pub q: String,
}

impl CatalogueForm {
    fn value(&self, kind: AttributeKind) -> &str {
        match kind {
            AttributeKind::ControlType => &self.control_type,
            AttributeKind::SecurityProperties => &self.security_properties,
            AttributeKind::CybersecurityConcepts => &self.cybersecurity_concepts,
            AttributeKind::OperationalCapabilities => &self.operational_capabilities,
            AttributeKind::SecurityDomains => &self.security_domains,
        }
    }

    fn query(&self) -> ControlQuery {
        ControlQuery {
            theme: Some(self.theme.clone()),
            attributes: AttributeKind::ALL
                .iter()
                .map(|k| (k.column().to_owned(), self.value(*k).to_owned()))
                .collect(),
            new_in_2022: (self.new_in_2022 == "yes").then_some(true),
            q: Some(self.q.clone()),
        }
    }

    fn is_filtered(&self) -> bool {
        !(self.theme.is_empty()
            && AttributeKind::ALL.iter().all(|k| self.value(*k).is_empty())
            && self.new_in_2022.is_empty()
            && self.q.trim().is_empty())
    }
}

#[derive(Template)]
#[template(path = "catalogue.html")]
pub struct CataloguePage {
    pub l: Layout,
    pub controls: Vec<ControlView>,
    pub selects: Vec<FilterSelect>,
    pub f: CatalogueForm,
    pub filtered: bool,
}

impl CataloguePage {
    pub fn value_label(&self, v: &str) -> String {
        label_of(v)
    }
}

pub async fn controls_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<CatalogueForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut l = Layout::new(&st, &u, "Annex A controls", Some(&ctx), "catalogue", flash).await;
    let mut selects = vec![FilterSelect {
        name: "theme",
        label: "Theme",
        options: Theme::ALL
            .iter()
            .map(|t| (t.as_str().to_owned(), t.label().to_owned()))
            .collect(),
        selected: f.theme.clone(),
    }];
    for k in AttributeKind::ALL {
        selects.push(FilterSelect {
            name: k.column(),
            label: k.label(),
            options: k
                .values()
                .iter()
                .map(|v| ((*v).to_owned(), label_of(v)))
                .collect(),
            selected: f.value(k).to_owned(),
        });
    }
    let (controls, status) = match cat::list_controls(&f.query()) {
        Ok(c) => (c, StatusCode::OK),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return error_page(&e),
    };
    let filtered = f.is_filtered();
    render(
        status,
        &CataloguePage {
            l,
            controls,
            selects,
            f,
            filtered,
        },
    )
}

/// (kind label, kind column, [(value, value label)])
pub type AttributeRow = (&'static str, &'static str, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "control.html")]
pub struct ControlPage {
    pub l: Layout,
    pub c: ControlView,
    pub theme_label: String,
    /// (kind label, kind column, [(value, value label)])
    pub attributes: Vec<AttributeRow>,
    pub from_2013: Vec<(String, String)>,
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub linked: Option<isms_app::tasks::Linked>,
}

pub async fn control_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let c = match cat::get_control(&id) {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let l = Layout::new(
        &st,
        &u,
        &format!("{} {}", c.label, c.title),
        Some(&ctx),
        "catalogue",
        flash,
    )
    .await;
    let catalogue = isms_domain::catalogue::catalogue();
    let attributes = AttributeKind::ALL
        .iter()
        .map(|k| {
            let vals = c.attributes.get(k.column()).cloned().unwrap_or_default();
            (
                k.label(),
                k.column(),
                vals.into_iter()
                    .map(|v| {
                        let lbl = label_of(&v);
                        (v, lbl)
                    })
                    .collect(),
            )
        })
        .collect();
    let titles_2013: std::collections::BTreeMap<&str, &str> = catalogue
        .controls_2013()
        .iter()
        .map(|o| (o.id.as_str(), o.title.as_str()))
        .collect();
    let from_2013 = c
        .from_2013
        .iter()
        .map(|o| {
            (
                o.clone(),
                titles_2013
                    .get(o.as_str())
                    .map(|t| (*t).to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let all = catalogue.controls();
    let pos = all.iter().position(|x| x.id == c.id);
    let prev = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| all.get(p))
        .map(|x| (x.id.clone(), x.label()));
    let next = pos
        .and_then(|p| all.get(p + 1))
        .map(|x| (x.id.clone(), x.label()));
    let theme_label = Theme::parse(&c.theme)
        .map(|t| t.label().to_owned())
        .unwrap_or_default();
    let linked = st
        .app
        .linked_to_item(&ctx, &format!("control:{}", c.id))
        .await
        .ok();
    render(
        StatusCode::OK,
        &ControlPage {
            l,
            c,
            theme_label,
            attributes,
            from_2013,
            prev,
            next,
            linked,
        },
    )
}

#[derive(Template)]
#[template(path = "clauses.html")]
pub struct ClausesPage {
    pub l: Layout,
    pub clauses: Vec<ClauseView>,
}

pub async fn clauses_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let l = Layout::new(&st, &u, "Clauses 4–10", Some(&ctx), "catalogue", flash).await;
    render(
        StatusCode::OK,
        &ClausesPage {
            l,
            clauses: cat::list_clauses(),
        },
    )
}

#[derive(Template)]
#[template(path = "clause.html")]
pub struct ClausePage {
    pub l: Layout,
    pub c: ClauseView,
    pub parent: Option<ClauseView>,
    pub children: Vec<ClauseView>,
    pub linked: Option<isms_app::tasks::Linked>,
}

pub async fn clause_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let c = match cat::get_clause(&id) {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let l = Layout::new(
        &st,
        &u,
        &format!("Clause {} {}", c.id, c.title),
        Some(&ctx),
        "catalogue",
        flash,
    )
    .await;
    let parent = c.parent.as_deref().and_then(|p| cat::get_clause(p).ok());
    let children = cat::list_clauses()
        .into_iter()
        .filter(|x| x.parent.as_deref() == Some(c.id.as_str()))
        .collect();
    render(
        StatusCode::OK,
        &ClausePage {
            l,
            linked: if c.is_requirement {
                st.app
                    .linked_to_item(&ctx, &format!("clause:{}", c.id))
                    .await
                    .ok()
            } else {
                None
            },
            c,
            parent,
            children,
        },
    )
}
