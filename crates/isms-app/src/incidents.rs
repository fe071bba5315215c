//! The incident register (Annex A 5.24–5.28): what happened, when it was detected and
//! reported, how severe it was, what was done, the root cause and lessons learned, and
//! the assets, risks and controls it touched. The closing rule for high and critical
//! incidents and the date rules are `isms_domain::incident`'s.

use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_number_cursor, page_limit, record,
};
use isms_db::evidence::existing_risk_numbers;
use isms_db::incidents::{self as store, IncidentFilter, IncidentRow};
use isms_db::{AsConn, Day, Ts, own_controls};
use isms_domain::ValidationError;
use isms_domain::control::{display_ref, looks_like_annex_a, parse_control_ref};
use isms_domain::evidence::{parse_risk_ref, risk_ref};
use isms_domain::incident::{
    Category, IncidentFacts, IncidentStatus, LinkKind, MAX_TEXT, MAX_TITLE, Severity,
    check_incident, closed_without_lessons, incident_ref, open_too_long,
};
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::time::{format_date, parse_date};
use isms_export::Table;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// An incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Incident {
    pub id: Uuid,
    /// `INC-001`.
    pub reference: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    /// `malware`, `phishing`, `unauthorised_access`, `data_leak`, `lost_device`,
    /// `availability`, `misconfiguration`, `supplier`, `physical` or `other`.
    pub category: String,
    pub category_label: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// `open`, `contained`, `resolved` or `closed`.
    pub status: String,
    /// YYYY-MM-DD.
    pub detected_on: String,
    /// YYYY-MM-DD, not before `detected_on`.
    pub reported_on: String,
    /// Who reported it.
    pub reported_by: String,
    /// What was done to contain and resolve it.
    pub response: String,
    pub root_cause: String,
    pub lessons_learned: String,
    /// Set when closed.
    pub closed_on: Option<String>,
    /// Affected assets (`A-0001`).
    pub assets: Vec<String>,
    /// Risks it realised or touches (`R-012`).
    pub risks: Vec<String>,
    /// Controls involved (`5.24`, `NW-07`).
    pub controls: Vec<String>,
    /// The same controls as people name them (`A.5.24`, `NW-07`).
    pub control_labels: Vec<String>,
    /// Not closed more than 30 days after it was detected.
    pub open_too_long: bool,
    /// Closed without lessons learned.
    pub closed_without_lessons: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new incident.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Default `other`.
    pub category: Option<String>,
    pub severity: String,
    /// Default `open`.
    pub status: Option<String>,
    /// YYYY-MM-DD; default today.
    pub detected_on: Option<String>,
    /// YYYY-MM-DD; default the day it was detected.
    pub reported_on: Option<String>,
    #[serde(default)]
    pub reported_by: String,
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub lessons_learned: String,
    /// YYYY-MM-DD; default today when the status is `closed`.
    pub closed_on: Option<String>,
    /// Affected assets (`A-0001`).
    #[serde(default)]
    pub assets: Vec<String>,
    /// Risks (`R-012`).
    #[serde(default)]
    pub risks: Vec<String>,
    /// Controls (`5.24`, `A.5.24`, `NW-07`).
    #[serde(default)]
    pub controls: Vec<String>,
}

/// Changes to an incident. Omitted fields keep their value; the link lists, when given,
/// replace the links. Moving away from `closed` clears `closed_on`; closing without a
/// date closes it today.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub detected_on: Option<String>,
    pub reported_on: Option<String>,
    pub reported_by: Option<String>,
    pub response: Option<String>,
    pub root_cause: Option<String>,
    pub lessons_learned: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub closed_on: Option<Option<String>>,
    pub assets: Option<Vec<String>>,
    pub risks: Option<Vec<String>>,
    pub controls: Option<Vec<String>>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct IncidentQuery {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// How many incidents there are of one status or severity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: i64,
}

/// The register's counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentCounts {
    pub total: i64,
    pub by_status: Vec<Count>,
    pub by_severity: Vec<Count>,
}

fn day_text(d: Option<Day>) -> Option<String> {
    d.map(|d| format_date(d.0))
}

/// `A-0001`, `a-1` or `1` → 1.
fn parse_asset_ref(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = match t.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("A-") => &t[2..],
        _ => t,
    };
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
}

fn asset_ref(n: i64) -> String {
    format!("A-{n:04}")
}

fn text(v: &mut ValidationError, field: &str, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        v.push(field, "must be at most 8000 characters");
    }
    s.to_owned()
}

fn date_field(v: &mut ValidationError, field: &str, s: &str) -> Option<Date> {
    let d = parse_date(s.trim());
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

fn status_of(s: &str) -> IncidentStatus {
    IncidentStatus::parse("status", s).unwrap_or(IncidentStatus::Open)
}

fn severity_of(s: &str) -> Severity {
    Severity::parse("severity", s).unwrap_or(Severity::Low)
}

fn view(r: IncidentRow, links: Vec<(String, String)>, today: Date) -> Incident {
    let status = status_of(&r.status);
    let mut assets: Vec<i64> = Vec::new();
    let mut risks: Vec<i64> = Vec::new();
    let mut controls: Vec<String> = Vec::new();
    for (kind, reference) in links {
        match LinkKind::from_stored(&kind) {
            Some(LinkKind::Asset) => assets.extend(parse_asset_ref(&reference)),
            Some(LinkKind::Risk) => risks.extend(parse_risk_ref(&reference)),
            Some(LinkKind::Control) => controls.push(reference),
            None => {}
        }
    }
    assets.sort_unstable();
    risks.sort_unstable();
    controls.sort_by_key(|c| isms_domain::control::control_order(c));
    Incident {
        id: r.id,
        reference: incident_ref(r.number),
        number: r.number,
        category_label: Category::parse("category", &r.category)
            .map(|c| c.label().to_owned())
            .unwrap_or_else(|_| r.category.clone()),
        title: r.title,
        description: r.description,
        category: r.category,
        severity: r.severity,
        status: r.status,
        detected_on: format_date(r.detected_on.0),
        reported_on: format_date(r.reported_on.0),
        reported_by: r.reported_by,
        response: r.response,
        root_cause: r.root_cause,
        open_too_long: open_too_long(status, r.detected_on.0, today),
        closed_without_lessons: closed_without_lessons(status, &r.lessons_learned),
        lessons_learned: r.lessons_learned,
        closed_on: day_text(r.closed_on),
        assets: assets.into_iter().map(asset_ref).collect(),
        risks: risks.into_iter().map(risk_ref).collect(),
        control_labels: controls.iter().map(|c| display_ref(c)).collect(),
        controls,
        created_at: r.created_at.0.rfc3339(),
        updated_at: r.updated_at.0.rfc3339(),
        version: r.version,
    }
}

fn snapshot(r: &IncidentRow, links: &[(String, String)]) -> serde_json::Value {
    serde_json::json!({
        "number": r.number, "title": r.title, "description": r.description,
        "category": r.category, "severity": r.severity, "status": r.status,
        "detected_on": format_date(r.detected_on.0), "reported_on": format_date(r.reported_on.0),
        "reported_by": r.reported_by, "response": r.response, "root_cause": r.root_cause,
        "lessons_learned": r.lessons_learned, "closed_on": day_text(r.closed_on),
        "links": links.iter().map(|(k, r)| format!("{k}:{r}")).collect::<Vec<_>>(),
    })
}

/// Links as requested, read and deduplicated, each bad one named `assets[i]`,
/// `risks[i]` or `controls[i]`.
struct Requested {
    assets: Vec<(usize, i64)>,
    risks: Vec<(usize, i64)>,
    controls: Vec<(usize, String)>,
}

fn read_links(
    v: &mut ValidationError,
    assets: &[String],
    risks: &[String],
    controls: &[String],
) -> Requested {
    let mut out = Requested {
        assets: Vec::new(),
        risks: Vec::new(),
        controls: Vec::new(),
    };
    for (i, a) in assets.iter().enumerate() {
        match parse_asset_ref(a) {
            Some(n) if !out.assets.iter().any(|(_, m)| *m == n) => out.assets.push((i, n)),
            Some(_) => {}
            None => v.push(format!("assets[{i}]"), "must be an asset like A-0001"),
        }
    }
    for (i, r) in risks.iter().enumerate() {
        match parse_risk_ref(r) {
            Some(n) if !out.risks.iter().any(|(_, m)| *m == n) => out.risks.push((i, n)),
            Some(_) => {}
            None => v.push(format!("risks[{i}]"), "must be a risk like R-012"),
        }
    }
    for (i, c) in controls.iter().enumerate() {
        if let Some(r) = v.check(parse_control_ref(&format!("controls[{i}]"), c)) {
            let key = r.key().to_owned();
            if !out.controls.iter().any(|(_, k)| *k == key) {
                out.controls.push((i, key));
            }
        }
    }
    out
}

impl App {
    /// Assets, risks and own controls named must exist in this organisation; returns the
    /// links in their stored form.
    async fn check_incident_links(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        req: &Requested,
    ) -> AppResult<Vec<(String, String)>> {
        let nums: Vec<i64> = req.assets.iter().map(|(_, n)| *n).collect();
        let known_assets = store::existing_asset_numbers(c, ctx.org.id, &nums).await?;
        let nums: Vec<i64> = req.risks.iter().map(|(_, n)| *n).collect();
        let known_risks = existing_risk_numbers(c, ctx.org.id, &nums).await?;
        let own: Vec<String> = req
            .controls
            .iter()
            .filter(|(_, k)| !looks_like_annex_a(k))
            .map(|(_, k)| k.clone())
            .collect();
        let known_own = own_controls::existing(c, ctx.org.id, &own).await?;
        let mut out = Vec::new();
        for (i, n) in &req.assets {
            if known_assets.contains(n) {
                out.push((LinkKind::Asset.as_str().to_owned(), asset_ref(*n)));
            } else {
                v.push(
                    format!("assets[{i}]"),
                    format!("there is no asset {} in this organisation", asset_ref(*n)),
                );
            }
        }
        for (i, n) in &req.risks {
            if known_risks.contains(n) {
                out.push((LinkKind::Risk.as_str().to_owned(), risk_ref(*n)));
            } else {
                v.push(
                    format!("risks[{i}]"),
                    format!("there is no risk {} in this organisation", risk_ref(*n)),
                );
            }
        }
        for (i, k) in &req.controls {
            if looks_like_annex_a(k) || known_own.contains(k) {
                out.push((LinkKind::Control.as_str().to_owned(), k.clone()));
            } else {
                v.push(
                    format!("controls[{i}]"),
                    format!("there is no own control {k} in this organisation"),
                );
            }
        }
        Ok(out)
    }

    async fn incidents_with_links(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<IncidentRow>,
    ) -> AppResult<Vec<Incident>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut by_id: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
        for l in store::links_of(c, ctx.org.id, &ids).await? {
            by_id
                .entry(l.incident_id)
                .or_default()
                .push((l.target_kind, l.target_ref));
        }
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let links = by_id.remove(&r.id).unwrap_or_default();
                view(r, links, today)
            })
            .collect())
    }

    async fn load_incident(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Incident> {
        let row = store::get(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("incident"))?;
        self.incidents_with_links(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("incident"))
    }

    /// The register, newest first, with its filters.
    pub async fn list_incidents(
        &self,
        ctx: &OrgCtx,
        q: &IncidentQuery,
    ) -> AppResult<Page<Incident>> {
        ctx.require(Permission::Read, "see the incident register")?;
        let limit = page_limit(q.limit);
        let before = decode_number_cursor(q.cursor.as_deref())?;
        let mut v = ValidationError::new();
        let mut f = IncidentFilter::default();
        if let Some(s) = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            f.status = v
                .check(IncidentStatus::parse("status", s))
                .map(|s| s.as_str().to_owned());
        }
        if let Some(s) = q
            .severity
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            f.severity = v
                .check(Severity::parse("severity", s))
                .map(|s| s.as_str().to_owned());
        }
        v.into_result()?;
        let mut c = self.db.read().await?;
        let mut rows = store::list(&mut c, ctx.org.id, &f, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| crate::encode_cursor(&r.number.to_string()))
        } else {
            None
        };
        let items = self.incidents_with_links(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    /// Counts by status and by severity, for the register's header.
    pub async fn incident_counts(&self, ctx: &OrgCtx) -> AppResult<IncidentCounts> {
        ctx.require(Permission::Read, "see the incident register")?;
        let mut c = self.db.read().await?;
        let rows = store::counts(&mut c, ctx.org.id).await?;
        let by_status = IncidentStatus::ALL
            .iter()
            .map(|s| Count {
                key: s.as_str().to_owned(),
                label: s.label().to_owned(),
                count: rows.iter().filter(|r| r.0 == s.as_str()).map(|r| r.2).sum(),
            })
            .collect();
        let by_severity = Severity::ALL
            .iter()
            .map(|s| Count {
                key: s.as_str().to_owned(),
                label: s.label().to_owned(),
                count: rows.iter().filter(|r| r.1 == s.as_str()).map(|r| r.2).sum(),
            })
            .collect();
        Ok(IncidentCounts {
            total: rows.iter().map(|r| r.2).sum(),
            by_status,
            by_severity,
        })
    }

    pub async fn get_incident(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Incident> {
        ctx.require(Permission::Read, "see the incident register")?;
        let mut c = self.db.read().await?;
        self.load_incident(&mut c, ctx, id).await
    }

    /// Record an incident; all its rules are checked first, nothing is stored on a problem.
    pub async fn create_incident(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewIncident,
    ) -> AppResult<Incident> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_incident_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record an incident inside the caller's transaction; `number` is given by an import
    /// (blank: the next free number).
    pub(crate) async fn create_incident_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewIncident,
        number: Option<i64>,
    ) -> AppResult<Incident> {
        ctx.require(Permission::Write, "record incidents")?;
        let mut v = ValidationError::new();
        let today = self.today();
        let title = v.check(parse_name("title", &input.title, MAX_TITLE));
        let category = match input
            .category
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(c) => v.check(Category::parse("category", c)),
            None => Some(Category::Other),
        };
        let severity = v.check(Severity::parse("severity", &input.severity));
        let status = match input
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => v.check(IncidentStatus::parse("status", s)),
            None => Some(IncidentStatus::Open),
        };
        let detected_on = match input
            .detected_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => date_field(&mut v, "detected_on", s),
            None => Some(today),
        };
        let reported_on = match input
            .reported_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => date_field(&mut v, "reported_on", s),
            None => detected_on,
        };
        let closed_on = match input
            .closed_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => date_field(&mut v, "closed_on", s),
            None if status == Some(IncidentStatus::Closed) => Some(today),
            None => None,
        };
        let description = text(&mut v, "description", &input.description);
        let reported_by = text(&mut v, "reported_by", &input.reported_by);
        let response = text(&mut v, "response", &input.response);
        let root_cause = text(&mut v, "root_cause", &input.root_cause);
        let lessons = text(&mut v, "lessons_learned", &input.lessons_learned);
        if let (Some(detected_on), Some(reported_on)) = (detected_on, reported_on) {
            v.check(check_incident(
                &IncidentFacts {
                    severity: severity.unwrap_or(Severity::Low),
                    status: status.unwrap_or(IncidentStatus::Open),
                    detected_on,
                    reported_on,
                    closed_on,
                    root_cause: &root_cause,
                    lessons_learned: &lessons,
                },
                today,
            ));
        }
        let req = read_links(&mut v, &input.assets, &input.risks, &input.controls);
        let links = self.check_incident_links(tx, ctx, &mut v, &req).await?;
        v.into_result()?;
        let now = Ts(self.now());
        let number = match number {
            Some(n) => n,
            None => store::next_number(tx, ctx.org.id).await?,
        };
        let row = IncidentRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            title: title.unwrap_or_default(),
            description,
            category: category.unwrap_or(Category::Other).as_str().to_owned(),
            severity: severity.unwrap_or(Severity::Low).as_str().to_owned(),
            status: status.unwrap_or(IncidentStatus::Open).as_str().to_owned(),
            detected_on: Day(detected_on.unwrap_or(today)),
            reported_on: Day(reported_on.unwrap_or(today)),
            reported_by,
            response,
            root_cause,
            lessons_learned: lessons,
            closed_on: closed_on.map(Day),
            created_by: actor.id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(tx, &row).await?;
        store::set_links(tx, ctx.org.id, row.id, &links).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "incident",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "recorded incident {} \"{}\" ({})",
                    incident_ref(number),
                    row.title,
                    row.severity
                ),
                before: None,
                after: Some(snapshot(&row, &links)),
            },
        )
        .await?;
        self.load_incident(tx, ctx, row.id).await
    }

    /// Change an incident; a stale `version` is 409.
    pub async fn update_incident(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &IncidentPatch,
    ) -> AppResult<Incident> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_incident_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change an incident inside the caller's transaction.
    pub(crate) async fn update_incident_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &IncidentPatch,
    ) -> AppResult<Incident> {
        ctx.require(Permission::Write, "change incidents")?;
        let before = store::get(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("incident"))?;
        if before.version != patch.version {
            return Err(AppError::stale("incident"));
        }
        let links_before: Vec<(String, String)> = store::links_of(tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|l| (l.target_kind, l.target_ref))
            .collect();
        let today = self.today();
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, MAX_TITLE))
        {
            row.title = t;
        }
        if let Some(s) = &patch.description {
            row.description = text(&mut v, "description", s);
        }
        if let Some(s) = &patch.category
            && let Some(c) = v.check(Category::parse("category", s))
        {
            row.category = c.as_str().to_owned();
        }
        if let Some(s) = &patch.severity
            && let Some(c) = v.check(Severity::parse("severity", s))
        {
            row.severity = c.as_str().to_owned();
        }
        if let Some(s) = &patch.status
            && let Some(c) = v.check(IncidentStatus::parse("status", s))
        {
            row.status = c.as_str().to_owned();
        }
        if let Some(s) = &patch.detected_on
            && let Some(d) = date_field(&mut v, "detected_on", s)
        {
            row.detected_on = Day(d);
        }
        if let Some(s) = &patch.reported_on
            && let Some(d) = date_field(&mut v, "reported_on", s)
        {
            row.reported_on = Day(d);
        }
        for (field, value, slot) in [
            ("reported_by", &patch.reported_by, &mut row.reported_by),
            ("response", &patch.response, &mut row.response),
            ("root_cause", &patch.root_cause, &mut row.root_cause),
            (
                "lessons_learned",
                &patch.lessons_learned,
                &mut row.lessons_learned,
            ),
        ] {
            if let Some(s) = value {
                *slot = text(&mut v, field, s);
            }
        }
        let closed = row.status == IncidentStatus::Closed.as_str();
        match patch
            .closed_on
            .as_ref()
            .map(|s| s.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        {
            Some(Some(s)) => row.closed_on = date_field(&mut v, "closed_on", s).map(Day),
            Some(None) => row.closed_on = None,
            None => {}
        }
        let explicit = matches!(patch.closed_on, Some(Some(ref s)) if !s.trim().is_empty());
        if closed && row.closed_on.is_none() && !matches!(patch.closed_on, Some(None)) {
            row.closed_on = Some(Day(today));
        }
        if !closed && !explicit {
            row.closed_on = None;
        }
        if v.is_empty() {
            v.check(check_incident(
                &IncidentFacts {
                    severity: severity_of(&row.severity),
                    status: status_of(&row.status),
                    detected_on: row.detected_on.0,
                    reported_on: row.reported_on.0,
                    closed_on: row.closed_on.map(|d| d.0),
                    root_cause: &row.root_cause,
                    lessons_learned: &row.lessons_learned,
                },
                today,
            ));
        }
        let links = if patch.assets.is_some() || patch.risks.is_some() || patch.controls.is_some() {
            let keep = |kind: LinkKind| -> Vec<String> {
                links_before
                    .iter()
                    .filter(|(k, _)| k == kind.as_str())
                    .map(|(_, r)| r.clone())
                    .collect()
            };
            let assets = patch
                .assets
                .clone()
                .unwrap_or_else(|| keep(LinkKind::Asset));
            let risks = patch.risks.clone().unwrap_or_else(|| keep(LinkKind::Risk));
            let controls = patch
                .controls
                .clone()
                .unwrap_or_else(|| keep(LinkKind::Control));
            let req = read_links(&mut v, &assets, &risks, &controls);
            Some(self.check_incident_links(tx, ctx, &mut v, &req).await?)
        } else {
            None
        };
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update(tx, &row).await? {
            return Err(AppError::stale("incident"));
        }
        row.version += 1;
        let links_after = match links {
            Some(l) => {
                store::set_links(tx, ctx.org.id, id, &l).await?;
                l
            }
            None => links_before.clone(),
        };
        let action = if row.status != before.status && closed {
            "close"
        } else {
            "update"
        };
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "incident",
                entity_id: id.to_string(),
                action,
                summary: if action == "close" {
                    format!(
                        "closed incident {} \"{}\"",
                        incident_ref(row.number),
                        row.title
                    )
                } else {
                    format!(
                        "changed incident {} \"{}\"",
                        incident_ref(row.number),
                        row.title
                    )
                },
                before: Some(snapshot(&before, &links_before)),
                after: Some(snapshot(&row, &links_after)),
            },
        )
        .await?;
        self.load_incident(tx, ctx, id).await
    }

    /// Remove an incident and its links (the audit trail keeps what it was).
    pub async fn delete_incident(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove incidents")?;
        let mut tx = self.db.begin().await?;
        let before = store::get(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("incident"))?;
        let links: Vec<(String, String)> = store::links_of(&mut tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|l| (l.target_kind, l.target_ref))
            .collect();
        store::delete(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "incident",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed incident {} \"{}\"",
                    incident_ref(before.number),
                    before.title
                ),
                before: Some(snapshot(&before, &links)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The register as a table, for `isms export incidents`.
    pub async fn incidents_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the incident register")?;
        let mut rows = Vec::new();
        let mut after = 0;
        let mut c = self.db.read().await?;
        loop {
            let page = store::all_after(&mut c, ctx.org.id, after, 500).await?;
            let n = page.len();
            if let Some(last) = page.last() {
                after = last.number;
            }
            for i in self.incidents_with_links(&mut c, ctx, page).await? {
                let mut flags = Vec::new();
                if i.open_too_long {
                    flags.push("open more than 30 days");
                }
                if i.closed_without_lessons {
                    flags.push("closed without lessons learned");
                }
                rows.push(vec![
                    i.reference,
                    i.title,
                    i.category,
                    i.severity,
                    i.status,
                    i.detected_on,
                    i.reported_on,
                    i.reported_by,
                    i.description,
                    i.response,
                    i.root_cause,
                    i.lessons_learned,
                    i.closed_on.unwrap_or_default(),
                    i.assets.join("; "),
                    i.risks.join("; "),
                    i.controls
                        .iter()
                        .map(|c| display_ref(c))
                        .collect::<Vec<_>>()
                        .join("; "),
                    flags.join("; "),
                ]);
            }
            if n < 500 {
                break;
            }
        }
        Ok(Table {
            title: format!("Incident register of {}", ctx.org.name),
            headers: [
                "reference",
                "title",
                "category",
                "severity",
                "status",
                "detected_on",
                "reported_on",
                "reported_by",
                "description",
                "response",
                "root_cause",
                "lessons_learned",
                "closed_on",
                "assets",
                "risks",
                "controls",
                "flags",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }
}

/// The columns of the incident import, as the incident export writes them (`flags` is
/// derived and ignored).
pub const INCIDENT_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "incident id"]),
        Column::req("title").aka(&["name", "summary"]),
        Column::opt("category").aka(&["type"]),
        Column::req("severity").aka(&["priority"]),
        Column::opt("status"),
        Column::opt("detected_on").aka(&["detected", "date detected"]),
        Column::opt("reported_on").aka(&["reported", "date reported"]),
        Column::opt("reported_by"),
        Column::opt("description"),
        Column::opt("response").aka(&["actions taken"]),
        Column::opt("root_cause"),
        Column::opt("lessons_learned").aka(&["lessons"]),
        Column::opt("closed_on").aka(&["closed", "date closed"]),
        Column::opt("assets").list(),
        Column::opt("risks").list(),
        Column::opt("controls").list(),
    ]
};

impl App {
    /// Import the incident register from CSV or XLSX (see `import_rows`).
    pub(crate) async fn import_incidents(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{
            Outcome, Sheet, new_list, new_opt, new_text, patch_list, patch_text,
        };
        use isms_domain::import::RowAction;
        ctx.require(Permission::Write, "import incidents")?;
        let sheet = Sheet::read(bytes, INCIDENT_COLUMNS, progress)?;
        let current = self.incidents_table(ctx).await?;
        let plan = sheet.plan("INC", INCIDENT_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let mut ids = HashMap::new();
        let mut after = 0;
        loop {
            let page = store::all_after(&mut tx, ctx.org.id, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.number;
            ids.extend(page.into_iter().map(|r| (r.number, (r.id, r.version))));
        }
        let mut out = Outcome::new("incidents", &sheet, plan.len(), dry_run);
        progress.start("importing incidents", plan.len() as u64);
        for (c, action) in &plan {
            let reference = incident_ref(action.number());
            match *action {
                RowAction::Create(n) => {
                    let input = NewIncident {
                        title: new_text(c, "title"),
                        description: new_text(c, "description"),
                        category: new_opt(c, "category"),
                        severity: new_text(c, "severity"),
                        status: new_opt(c, "status"),
                        detected_on: new_opt(c, "detected_on"),
                        reported_on: new_opt(c, "reported_on"),
                        reported_by: new_text(c, "reported_by"),
                        response: new_text(c, "response"),
                        root_cause: new_text(c, "root_cause"),
                        lessons_learned: new_text(c, "lessons_learned"),
                        closed_on: new_opt(c, "closed_on"),
                        assets: new_list(c, "assets"),
                        risks: new_list(c, "risks"),
                        controls: new_list(c, "controls"),
                    };
                    let r = self
                        .create_incident_in(&mut tx, actor, ctx, &input, Some(n))
                        .await;
                    out.row(c.line, *action, reference, r)?;
                }
                RowAction::Update(n) => {
                    let Some((id, version)) = ids.get(&n).copied() else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    let patch = IncidentPatch {
                        title: patch_text(c, "title"),
                        description: patch_text(c, "description"),
                        category: patch_text(c, "category"),
                        severity: patch_text(c, "severity"),
                        status: patch_text(c, "status"),
                        detected_on: patch_text(c, "detected_on"),
                        reported_on: patch_text(c, "reported_on"),
                        reported_by: patch_text(c, "reported_by"),
                        response: patch_text(c, "response"),
                        root_cause: patch_text(c, "root_cause"),
                        lessons_learned: patch_text(c, "lessons_learned"),
                        closed_on: c
                            .opt("closed_on")
                            .map(|s| Some(s).filter(|s| !s.is_empty()).map(str::to_owned)),
                        assets: patch_list(c, "assets"),
                        risks: patch_list(c, "risks"),
                        controls: patch_list(c, "controls"),
                        version,
                    };
                    let r = self
                        .update_incident_in(&mut tx, actor, ctx, id, &patch)
                        .await;
                    out.row(c.line, *action, reference, r)?;
                }
                RowAction::Unchanged(_) => out.unchanged(),
            }
            progress.advance(1);
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}
