//! Controls as the organisation implements them (6.1.3, 8.1, 9.1): every Annex A control
//! and every own control, with its owner, status, how it is implemented, its due date and
//! how it is monitored. A control nobody recorded anything about is "not started"
//! (version 0); the first PATCH with version 0 creates its record.
//!
//! Other areas ask for implementation status through [`status_of`] and
//! [`implemented_refs`] (inside their own transaction) or [`App::control_statuses`].

use crate::import_rows::Outcome;
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::controls::{self as store, ImplFilter, ImplRow, ImplWithOwner};
use isms_db::{AsConn, Day, Ts, own_controls};
use isms_domain::ValidationError;
use isms_domain::catalogue::{Theme, catalogue};
use isms_domain::control::implementation::{
    CheckFrequency, CheckResult, Implementation, ImplementationStatus, check_implementation,
    check_overdue, implementation_overdue, next_check_on, parse_clauses, ref_of_sort_key, sort_key,
    theme_key_range, unmonitored,
};
use isms_domain::control::import::{
    ControlAction, ciso_code, ciso_status, is_ciso_layout, next_ciso_code, plan_control_rows,
    split_words,
};
use isms_domain::control::{ControlRef, display_ref, parse_control_ref};
use isms_domain::import::{Cells, Column, Current, RowAction, SeenRefs};
use isms_domain::rbac::Permission;
use isms_domain::time::{format_date, parse_date};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// A risk that names the control among its controls.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlRisk {
    pub id: Uuid,
    /// `R-007`.
    pub reference: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
}

/// A control and how the organisation implements it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ControlImpl {
    /// `5.15` (Annex A) or `NW-02` (own control): the reference used everywhere.
    pub control_ref: String,
    /// `A.5.15` or `NW-02`.
    pub label: String,
    /// `annex_a` or `own`.
    pub kind: String,
    pub title: String,
    /// Annex A theme: `organizational`, `people`, `physical` or `technological`.
    pub theme: Option<String>,
    /// `not_started`, `planned`, `partially_implemented`, `implemented` or `not_applicable`.
    pub status: String,
    pub status_label: String,
    /// Whether the organisation has recorded anything (false: not started, version 0).
    pub recorded: bool,
    /// A member of the organisation.
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    /// How the control is implemented.
    pub implementation: String,
    /// YYYY-MM-DD: when it should be in place.
    pub due_on: Option<String>,
    /// The metric or check that shows it works.
    pub monitoring: String,
    /// `weekly`, `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub check_frequency: Option<String>,
    /// YYYY-MM-DD.
    pub last_check_on: Option<String>,
    /// `effective`, `partly_effective` or `not_effective`.
    pub last_check_result: Option<String>,
    pub last_check_note: String,
    /// YYYY-MM-DD: when the next check is due.
    pub next_check_on: Option<String>,
    /// Due date passed and not implemented.
    pub implementation_overdue: bool,
    /// The check is late, or an implemented control was never checked.
    pub check_overdue: bool,
    /// Implemented, but no check and frequency recorded.
    pub unmonitored: bool,
    /// ISO 27001 clauses (4–10) the control supports, in clause order.
    pub clauses: Vec<String>,
    /// Risks treated by the control, by number.
    pub risks: Vec<ControlRisk>,
    pub updated_at: Option<String>,
    /// 0 while nothing is recorded.
    pub version: i64,
}

/// Changes to a control's implementation. Omitted fields keep their value; `null` clears
/// the optional ones. Send the `version` you read (0 for a control not recorded yet).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPatch {
    #[serde(default, deserialize_with = "crate::risks::some")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    pub status: Option<String>,
    pub implementation: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default, deserialize_with = "crate::risks::some")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    pub monitoring: Option<String>,
    #[serde(default, deserialize_with = "crate::risks::some")]
    #[schema(value_type = Option<String>)]
    pub check_frequency: Option<Option<String>>,
    /// YYYY-MM-DD, not in the future.
    #[serde(default, deserialize_with = "crate::risks::some")]
    #[schema(value_type = Option<String>)]
    pub last_check_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::risks::some")]
    #[schema(value_type = Option<String>)]
    pub last_check_result: Option<Option<String>>,
    pub last_check_note: Option<String>,
    /// Replaces the clauses (ids of ISO 27001 clauses 4–10, e.g. `9.1`).
    pub clauses: Option<Vec<String>>,
    pub version: i64,
}

/// Filters of the control list.
#[derive(Debug, Clone, Default)]
pub struct ControlQuery {
    pub status: Option<String>,
    pub owner_id: Option<Uuid>,
    /// `overdue`, `check_overdue` or `unmonitored`.
    pub flag: Option<String>,
    /// An Annex A theme (own controls have none).
    pub theme: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// How many controls have one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub label: String,
    pub count: i64,
}

/// The list flags.
pub const FLAGS: [(&str, &str); 3] = [
    ("overdue", "Implementation overdue"),
    ("check_overdue", "Check due"),
    ("unmonitored", "No monitoring"),
];

/// One control of the organisation's universe: Annex A or own.
#[derive(Debug, Clone)]
struct Entry {
    r: ControlRef,
    key: String,
    title: String,
    theme: Option<Theme>,
}

fn annex_entries(theme: Option<Theme>) -> Vec<Entry> {
    catalogue()
        .controls()
        .iter()
        .filter(|c| theme.is_none_or(|t| c.theme == t))
        .map(|c| {
            let r = ControlRef::AnnexA(c.id.clone());
            Entry {
                key: sort_key(&r),
                r,
                title: c.title.clone(),
                theme: Some(c.theme),
            }
        })
        .collect()
}

fn own_entry(code: String, title: String) -> Entry {
    let r = ControlRef::Own(code);
    Entry {
        key: sort_key(&r),
        r,
        title,
        theme: None,
    }
}

fn status_of_row(r: &ImplRow) -> ImplementationStatus {
    ImplementationStatus::parse("status", &r.status).unwrap_or(ImplementationStatus::NotStarted)
}

fn frequency_of_row(r: &ImplRow) -> Option<CheckFrequency> {
    r.check_frequency
        .as_deref()
        .and_then(|f| CheckFrequency::parse("check_frequency", f).ok())
}

fn implementation_of_row(r: &ImplRow, clauses: Vec<String>) -> Implementation {
    Implementation {
        status: status_of_row(r),
        has_owner: r.owner_id.is_some(),
        implementation: r.implementation.clone(),
        due_on: r.due_on.map(|d| d.0),
        monitoring: r.monitoring.clone(),
        check_frequency: frequency_of_row(r),
        last_check_on: r.last_check_on.map(|d| d.0),
        last_check_result: r
            .last_check_result
            .as_deref()
            .and_then(|x| CheckResult::parse("last_check_result", x).ok()),
        last_check_note: r.last_check_note.clone(),
        clauses,
    }
}

fn snapshot(r: &ImplRow, clauses: &[String]) -> serde_json::Value {
    serde_json::json!({
        "control_ref": r.control_ref, "owner_id": r.owner_id, "status": r.status,
        "implementation": r.implementation, "due_on": r.due_on.map(|d| format_date(d.0)),
        "monitoring": r.monitoring, "check_frequency": r.check_frequency,
        "last_check_on": r.last_check_on.map(|d| format_date(d.0)),
        "last_check_result": r.last_check_result, "last_check_note": r.last_check_note,
        "clauses": clauses,
    })
}

fn view(
    e: &Entry,
    rec: Option<ImplWithOwner>,
    clauses: Vec<String>,
    risks: Vec<ControlRisk>,
    today: time::Date,
) -> ControlImpl {
    let mut out = ControlImpl {
        control_ref: e.r.key().to_owned(),
        label: display_ref(e.r.key()),
        kind: match e.r {
            ControlRef::AnnexA(_) => "annex_a",
            ControlRef::Own(_) => "own",
        }
        .to_owned(),
        title: e.title.clone(),
        theme: e.theme.map(|t| t.as_str().to_owned()),
        status: ImplementationStatus::NotStarted.as_str().to_owned(),
        status_label: ImplementationStatus::NotStarted.label().to_owned(),
        recorded: false,
        owner_id: None,
        owner_name: None,
        implementation: String::new(),
        due_on: None,
        monitoring: String::new(),
        check_frequency: None,
        last_check_on: None,
        last_check_result: None,
        last_check_note: String::new(),
        next_check_on: None,
        implementation_overdue: false,
        check_overdue: false,
        unmonitored: false,
        clauses,
        risks,
        updated_at: None,
        version: 0,
    };
    if let Some(rec) = rec {
        let r = rec.row;
        let status = status_of_row(&r);
        let freq = frequency_of_row(&r);
        let (due, last) = (r.due_on.map(|d| d.0), r.last_check_on.map(|d| d.0));
        out.status = status.as_str().to_owned();
        out.status_label = status.label().to_owned();
        out.recorded = true;
        out.owner_id = r.owner_id;
        out.owner_name = rec.owner_name;
        out.next_check_on = next_check_on(status, freq, last).map(format_date);
        out.implementation_overdue = implementation_overdue(status, due, today);
        out.check_overdue = check_overdue(status, freq, last, today);
        out.unmonitored = unmonitored(status, &r.monitoring, freq);
        out.implementation = r.implementation;
        out.due_on = due.map(format_date);
        out.monitoring = r.monitoring;
        out.check_frequency = r.check_frequency;
        out.last_check_on = last.map(format_date);
        out.last_check_result = r.last_check_result;
        out.last_check_note = r.last_check_note;
        out.updated_at = Some(r.updated_at.0.rfc3339());
        out.version = r.version;
    }
    out
}

/// The implementation status of each of `refs` (stored references: `5.15`, `NW-02`); a
/// control without a record is not started. For the SoA and evidence, inside the
/// caller's connection or transaction. One query.
pub async fn status_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    refs: &[String],
) -> AppResult<BTreeMap<String, ImplementationStatus>> {
    let mut out: BTreeMap<String, ImplementationStatus> = refs
        .iter()
        .map(|r| (r.clone(), ImplementationStatus::NotStarted))
        .collect();
    for (r, s) in store::statuses_of(c, org_id, refs).await? {
        if let Ok(s) = ImplementationStatus::parse("status", &s) {
            out.insert(r, s);
        }
    }
    Ok(out)
}

/// The references of the controls recorded as implemented, in list order (Annex A by
/// number, then own codes). For the evidence check "implemented without current
/// evidence".
pub async fn implemented_refs(c: &mut impl AsConn, org_id: Uuid) -> AppResult<Vec<String>> {
    Ok(store::refs_with_status(c, org_id, ImplementationStatus::Implemented.as_str()).await?)
}

fn parse_day(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<time::Date> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => parse_date(s).or_else(|| {
            v.push(field, "must be a date written YYYY-MM-DD");
            None
        }),
    }
}

fn parse_opt<T>(
    v: &mut ValidationError,
    field: &str,
    s: Option<&str>,
    parse: fn(&str, &str) -> Result<T, ValidationError>,
) -> Option<T> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| v.check(parse(field, s)))
}

impl App {
    /// A control of this organisation by reference (`5.15`, `A.5.15`, `nw-02`); 404 for
    /// anything that is not an Annex A control or one of its own controls.
    async fn control_entry(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        raw: &str,
    ) -> AppResult<Entry> {
        let r = parse_control_ref("control", raw).map_err(|_| AppError::NotFound("control"))?;
        match r {
            ControlRef::AnnexA(id) => annex_entries(None)
                .into_iter()
                .find(|e| e.r.key() == id)
                .ok_or(AppError::NotFound("control")),
            ControlRef::Own(code) => own_controls::by_code(c, ctx.org.id, &code)
                .await?
                .map(|o| own_entry(o.code, o.title))
                .ok_or(AppError::NotFound("control")),
        }
    }

    async fn decorate(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        page: Vec<(Entry, Option<ImplWithOwner>)>,
    ) -> AppResult<Vec<ControlImpl>> {
        let refs: Vec<String> = page.iter().map(|(e, _)| e.r.key().to_owned()).collect();
        let mut clauses: HashMap<String, Vec<String>> = HashMap::new();
        for (r, cl) in store::clauses_of(c, ctx.org.id, &refs).await? {
            clauses.entry(r).or_default().push(cl);
        }
        let mut risks: HashMap<String, Vec<ControlRisk>> = HashMap::new();
        for x in store::risks_of(c, ctx.org.id, &refs).await? {
            let label = isms_domain::risk::RiskStatus::parse("status", &x.status)
                .map(|s| s.label().to_owned())
                .unwrap_or_else(|_| x.status.clone());
            risks.entry(x.control_ref).or_default().push(ControlRisk {
                id: x.id,
                reference: format!("R-{:03}", x.number),
                title: x.title,
                status: x.status,
                status_label: label,
            });
        }
        let today = self.today();
        let pos = |id: &String| catalogue().clauses().iter().position(|c| &c.id == id);
        Ok(page
            .into_iter()
            .map(|(e, rec)| {
                let mut cl = clauses.remove(e.r.key()).unwrap_or_default();
                cl.sort_by_key(pos);
                let rk = risks.remove(e.r.key()).unwrap_or_default();
                view(&e, rec, cl, rk, today)
            })
            .collect())
    }

    /// Every Annex A control and own control with its implementation, in list order
    /// (Annex A by number, then own codes), filtered as in [`ControlQuery`].
    pub async fn list_controls(
        &self,
        ctx: &OrgCtx,
        q: &ControlQuery,
    ) -> AppResult<Page<ControlImpl>> {
        ctx.require(Permission::Read, "see the organisation's controls")?;
        let limit = page_limit(q.limit);
        let mut v = ValidationError::new();
        let after = decode_cursor(q.cursor.as_deref())?;
        if after
            .as_deref()
            .is_some_and(|a| ref_of_sort_key(a).is_none())
        {
            v.push("cursor", "is not a cursor this server issued");
        }
        let status = parse_opt(
            &mut v,
            "status",
            q.status.as_deref(),
            ImplementationStatus::parse,
        );
        let theme = match q.theme.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(t) => Theme::parse(t).or_else(|| {
                v.push(
                    "theme",
                    "must be one of: organizational, people, physical, technological",
                );
                None
            }),
        };
        let flag = q.flag.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(f) = flag
            && !FLAGS.iter().any(|(k, _)| *k == f)
        {
            v.push(
                "flag",
                "must be one of: overdue, check_overdue, unmonitored",
            );
        }
        v.into_result()?;
        let today = self.today();
        let mut f = ImplFilter {
            status: status.map(|s| s.as_str().to_owned()),
            owner_id: q.owner_id,
            key_range: theme.map(theme_key_range),
            ..Default::default()
        };
        match flag {
            Some("overdue") => f.overdue_on = Some(Day(today)),
            Some("check_overdue") => {
                f.check_cutoffs = CheckFrequency::ALL
                    .iter()
                    .map(|fr| (fr.as_str().to_owned(), Day(fr.overdue_cutoff(today))))
                    .collect();
            }
            Some(_) => f.unmonitored = true,
            None => {}
        }
        let mut c = self.db.read().await?;
        let own: Vec<Entry> = own_controls::all_titles(&mut c, ctx.org.id)
            .await?
            .into_iter()
            .map(|(code, title)| own_entry(code, title))
            .collect();
        // Only records can match a status other than "not started", an owner or a flag:
        // the database filters and pages them. Otherwise every control of the
        // organisation is listed, recorded or not.
        let records_only = status.is_some_and(|s| s != ImplementationStatus::NotStarted)
            || q.owner_id.is_some()
            || flag.is_some();
        let mut rows: Vec<(Entry, Option<ImplWithOwner>)> = Vec::new();
        if records_only {
            let by_ref: HashMap<String, Entry> = annex_entries(theme)
                .into_iter()
                .chain(own.into_iter().filter(|_| theme.is_none()))
                .map(|e| (e.r.key().to_owned(), e))
                .collect();
            let mut after = after.clone();
            // A record of a control that no longer exists is skipped; fetch on until the
            // page is full or the records end.
            loop {
                let batch =
                    store::list(&mut c, ctx.org.id, &f, after.as_deref(), Some(limit + 1)).await?;
                let n = batch.len() as i64;
                for rec in batch {
                    after = Some(rec.row.sort_key.clone());
                    if let Some(e) = by_ref.get(&rec.row.control_ref) {
                        rows.push((e.clone(), Some(rec)));
                    }
                }
                if n <= limit || rows.len() as i64 > limit {
                    break;
                }
            }
        } else {
            f.status = None;
            let mut records: HashMap<String, ImplWithOwner> =
                store::list(&mut c, ctx.org.id, &f, after.as_deref(), None)
                    .await?
                    .into_iter()
                    .map(|r| (r.row.control_ref.clone(), r))
                    .collect();
            let mut all = annex_entries(theme);
            if theme.is_none() {
                all.extend(own);
            }
            all.sort_by(|a, b| a.key.cmp(&b.key));
            for e in all {
                if after.as_deref().is_some_and(|a| e.key.as_str() <= a) {
                    continue;
                }
                let rec = records.remove(e.r.key());
                if status.is_some()
                    && rec
                        .as_ref()
                        .is_some_and(|r| status_of_row(&r.row) != ImplementationStatus::NotStarted)
                {
                    continue;
                }
                rows.push((e, rec));
                if rows.len() as i64 > limit {
                    break;
                }
            }
        }
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|(e, _)| crate::encode_cursor(&e.key))
        } else {
            None
        };
        let items = self.decorate(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    /// How many of the organisation's controls have each status (every status listed).
    pub async fn control_counts(&self, ctx: &OrgCtx) -> AppResult<Vec<StatusCount>> {
        ctx.require(Permission::Read, "see the organisation's controls")?;
        let mut c = self.db.read().await?;
        let total = catalogue().controls().len() as i64
            + own_controls::all_titles(&mut c, ctx.org.id).await?.len() as i64;
        let counts: HashMap<String, i64> = store::counts(&mut c, ctx.org.id)
            .await?
            .into_iter()
            .collect();
        let recorded: i64 = counts
            .iter()
            .filter(|(s, _)| s.as_str() != ImplementationStatus::NotStarted.as_str())
            .map(|(_, n)| n)
            .sum();
        Ok(ImplementationStatus::ALL
            .iter()
            .map(|s| StatusCount {
                status: s.as_str().to_owned(),
                label: s.label().to_owned(),
                count: if *s == ImplementationStatus::NotStarted {
                    (total - recorded).max(0)
                } else {
                    counts.get(s.as_str()).copied().unwrap_or(0)
                },
            })
            .collect())
    }

    /// One control with its implementation, clauses and the risks it treats.
    pub async fn get_control(&self, ctx: &OrgCtx, raw_ref: &str) -> AppResult<ControlImpl> {
        ctx.require(Permission::Read, "see the organisation's controls")?;
        let mut c = self.db.read().await?;
        let e = self.control_entry(&mut c, ctx, raw_ref).await?;
        let rec = store::get(&mut c, ctx.org.id, e.r.key()).await?;
        let mut out = self.decorate(&mut c, ctx, vec![(e, rec)]).await?;
        out.pop().ok_or(AppError::NotFound("control"))
    }

    /// The implementation status of each of `refs` (Read permission); absent = not started.
    pub async fn control_statuses(
        &self,
        ctx: &OrgCtx,
        refs: &[String],
    ) -> AppResult<BTreeMap<String, ImplementationStatus>> {
        ctx.require(Permission::Read, "see the organisation's controls")?;
        let mut c = self.db.read().await?;
        status_of(&mut c, ctx.org.id, refs).await
    }

    /// Record or change how a control is implemented (PATCH: omitted fields stay). With
    /// `version` 0 the record is created; a stale version is 409 and changes nothing.
    pub async fn update_control(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        raw_ref: &str,
        patch: &ControlPatch,
    ) -> AppResult<ControlImpl> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_control_in(&mut tx, actor, ctx, raw_ref, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record or change how a control is implemented inside the caller's transaction.
    pub(crate) async fn update_control_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        raw_ref: &str,
        patch: &ControlPatch,
    ) -> AppResult<ControlImpl> {
        ctx.require(Permission::Write, "change how controls are implemented")?;
        let e = self.control_entry(tx, ctx, raw_ref).await?;
        let key = e.r.key().to_owned();
        let before = store::get(tx, ctx.org.id, &key).await?.map(|r| r.row);
        let current = before.as_ref().map_or(0, |r| r.version);
        if patch.version != current {
            return Err(AppError::stale("control's implementation"));
        }
        let clauses_before: Vec<String> =
            store::clauses_of(tx, ctx.org.id, std::slice::from_ref(&key))
                .await?
                .into_iter()
                .map(|(_, c)| c)
                .collect();
        let now = Ts(self.now());
        let mut row = before.clone().unwrap_or_else(|| ImplRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            control_ref: key.clone(),
            sort_key: e.key.clone(),
            owner_id: None,
            status: ImplementationStatus::NotStarted.as_str().to_owned(),
            implementation: String::new(),
            due_on: None,
            monitoring: String::new(),
            check_frequency: None,
            last_check_on: None,
            last_check_result: None,
            last_check_note: String::new(),
            created_at: now,
            updated_at: now,
            version: 0,
        });
        let mut v = ValidationError::new();
        if let Some(o) = patch.owner_id {
            self.check_owner(tx, ctx, &mut v, o).await?;
            row.owner_id = o;
        }
        if let Some(s) = &patch.status
            && let Some(s) = v.check(ImplementationStatus::parse("status", s))
        {
            row.status = s.as_str().to_owned();
        }
        if let Some(s) = &patch.implementation {
            row.implementation = s.trim().to_owned();
        }
        if let Some(d) = &patch.due_on {
            row.due_on = parse_day(&mut v, "due_on", d.as_deref()).map(Day);
        }
        if let Some(s) = &patch.monitoring {
            row.monitoring = s.trim().to_owned();
        }
        if let Some(f) = &patch.check_frequency {
            row.check_frequency = parse_opt(
                &mut v,
                "check_frequency",
                f.as_deref(),
                CheckFrequency::parse,
            )
            .map(|f| f.as_str().to_owned());
        }
        if let Some(d) = &patch.last_check_on {
            row.last_check_on = parse_day(&mut v, "last_check_on", d.as_deref()).map(Day);
        }
        if let Some(r) = &patch.last_check_result {
            row.last_check_result = parse_opt(
                &mut v,
                "last_check_result",
                r.as_deref(),
                CheckResult::parse,
            )
            .map(|r| r.as_str().to_owned());
        }
        if let Some(s) = &patch.last_check_note {
            row.last_check_note = s.trim().to_owned();
        }
        let clauses = match &patch.clauses {
            Some(ids) => v.check(parse_clauses(ids)).unwrap_or_default(),
            None => clauses_before.clone(),
        };
        if v.is_empty() {
            v.check(check_implementation(
                &implementation_of_row(&row, clauses.clone()),
                self.today(),
            ));
        }
        v.into_result()?;
        row.updated_at = now;
        row.version = current + 1;
        if !store::upsert(tx, &row, current).await? {
            return Err(AppError::stale("control's implementation"));
        }
        if clauses != clauses_before {
            store::set_clauses(tx, ctx.org.id, &key, &clauses).await?;
        }
        let after = snapshot(&row, &clauses);
        let old = before.as_ref().map(|b| snapshot(b, &clauses_before));
        let changed: Vec<&str> = after
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, val)| {
                        old.as_ref()
                            .and_then(|o| o.get(k.as_str()))
                            .is_none_or(|o| o != *val)
                            && (old.is_some() || !val.is_null())
                    })
                    .map(|(k, _)| k.as_str())
                    .filter(|k| *k != "control_ref")
                    .collect()
            })
            .unwrap_or_default();
        let status_label = ImplementationStatus::parse("status", &row.status)
            .map(|s| s.label().to_lowercase())
            .unwrap_or_default();
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "control_implementation",
                entity_id: key.clone(),
                action: if before.is_some() { "update" } else { "create" },
                summary: format!(
                    "{} {} {}: {status_label}{}",
                    if before.is_some() {
                        "changed"
                    } else {
                        "recorded"
                    },
                    display_ref(&key),
                    e.title,
                    if changed.is_empty() || before.is_none() {
                        String::new()
                    } else {
                        format!(" (changed {})", changed.join(", "))
                    }
                ),
                before: old,
                after: Some(after),
            },
        )
        .await?;
        let rec = store::get(tx, ctx.org.id, &key).await?;
        let mut out = self.decorate(tx, ctx, vec![(e, rec)]).await?;
        out.pop().ok_or(AppError::NotFound("control"))
    }
}

/// Remove the implementation record of an own control that is being removed, with its
/// audit-trail entry, inside the caller's transaction.
pub(crate) async fn forget_own_control(
    app: &App,
    tx: &mut isms_db::Tx,
    actor: Actor<'_>,
    org_id: Uuid,
    code: &str,
) -> AppResult<()> {
    let Some(before) = store::get(tx, org_id, code).await? else {
        return Ok(());
    };
    let clauses: Vec<String> = store::clauses_of(tx, org_id, &[code.to_owned()])
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    store::delete(tx, org_id, code).await?;
    record(
        app,
        tx,
        actor,
        Change {
            org_id: Some(org_id),
            entity: "control_implementation",
            entity_id: code.to_owned(),
            action: "delete",
            summary: format!("removed the implementation record of {code} with the control"),
            before: Some(snapshot(&before.row, &clauses)),
            after: None,
        },
    )
    .await
}

/// The columns of the controls import, as the controls export writes them. The last
/// check (`last_check_on`, `last_check_result`, `last_check_note`) is a record of a check
/// that was done, entered when it is done: an import does not write it. `next_check_on`,
/// `flags` and `risks` are derived (the risks name their controls in the risk register).
/// `title` and `description` are an own control's; an Annex A control keeps the
/// catalogue's.
pub const CONTROL_COLUMNS: &[Column] = &[
    Column::req("control").aka(&["control id", "id", "reference", "ref"]),
    Column::opt("title").aka(&["name", "control name"]),
    Column::opt("status").aka(&["implementation status"]),
    Column::opt("owner").aka(&["control owner", "owner email"]),
    Column::opt("implementation").aka(&["how implemented", "implementation description"]),
    Column::opt("due_on").aka(&["due", "due date", "target date"]),
    Column::opt("monitoring"),
    Column::opt("check_frequency").aka(&["frequency"]),
    Column::opt("clauses").list(),
    Column::opt("description"),
];

/// The columns read from CISO Assistant's "applied controls" sheet (its other columns,
/// such as category, priority, csf_function, link or effort, are not ours and ignored).
pub const CISO_CONTROL_COLUMNS: &[Column] = &[
    Column::opt("ref_id").aka(&["ref id"]),
    Column::req("name"),
    Column::opt("description"),
    Column::opt("status"),
    Column::opt("owner"),
    Column::opt("eta"),
    Column::opt("observation"),
];

/// What a row asks of a control: `None` keeps the field (the file has no such column).
#[derive(Debug, Default)]
struct Wanted {
    title: Option<String>,
    description: Option<String>,
    owner: Option<Option<Uuid>>,
    status: Option<String>,
    implementation: Option<String>,
    due_on: Option<Option<String>>,
    monitoring: Option<String>,
    check_frequency: Option<Option<String>>,
    clauses: Option<Vec<String>>,
}

fn blank_none(s: &str) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `Some(value)` when `want` asks for something other than `now`.
fn changed<T: PartialEq + Clone>(want: &Option<T>, now: T) -> Option<T> {
    want.as_ref().filter(|w| **w != now).cloned()
}

/// The patch that brings `cur` to what the row asks; parsed values are compared in
/// their stored form, so `Implemented` and `implemented` are the same. A value that does
/// not parse is passed on for the update to refuse with its own message.
fn patch_for(cur: &ControlImpl, w: &Wanted) -> ControlPatch {
    let status = w.status.as_ref().map(|s| {
        let t = if s.trim().is_empty() {
            ImplementationStatus::NotStarted.as_str()
        } else {
            s.as_str()
        };
        ImplementationStatus::parse("status", t)
            .map(|x| x.as_str().to_owned())
            .unwrap_or_else(|_| s.clone())
    });
    let freq = w.check_frequency.as_ref().map(|f| {
        f.as_ref().map(|f| {
            CheckFrequency::parse("check_frequency", f)
                .map(|x| x.as_str().to_owned())
                .unwrap_or_else(|_| f.clone())
        })
    });
    let clauses = w.clauses.as_ref().and_then(|ids| match parse_clauses(ids) {
        Ok(p) if p == cur.clauses => None,
        _ => Some(ids.clone()),
    });
    ControlPatch {
        owner_id: changed(&w.owner, cur.owner_id),
        status: changed(&status, cur.status.clone()),
        implementation: changed(&w.implementation, cur.implementation.clone()),
        due_on: changed(&w.due_on, cur.due_on.clone()),
        monitoring: changed(&w.monitoring, cur.monitoring.clone()),
        check_frequency: changed(&freq, cur.check_frequency.clone()),
        last_check_on: None,
        last_check_result: None,
        last_check_note: None,
        clauses,
        version: cur.version,
    }
}

fn patch_is_empty(p: &ControlPatch) -> bool {
    p.owner_id.is_none()
        && p.status.is_none()
        && p.implementation.is_none()
        && p.due_on.is_none()
        && p.monitoring.is_none()
        && p.check_frequency.is_none()
        && p.clauses.is_none()
}

/// Name the import's columns in the update's errors (`owner_id` is the `owner` column).
fn by_column<T>(r: AppResult<T>) -> AppResult<T> {
    r.map_err(|e| match e {
        AppError::Validation(mut v) => {
            for fe in &mut v.errors {
                if fe.field == "owner_id" {
                    fe.field = "owner".into();
                }
            }
            AppError::Validation(v)
        }
        e => e,
    })
}

impl App {
    /// One control as [`App::get_control`] shows it, inside the caller's transaction.
    async fn control_in(
        &self,
        tx: &mut isms_db::Tx,
        ctx: &OrgCtx,
        key: &str,
    ) -> AppResult<ControlImpl> {
        let e = self.control_entry(tx, ctx, key).await?;
        let rec = store::get(tx, ctx.org.id, e.r.key()).await?;
        let mut out = self.decorate(tx, ctx, vec![(e, rec)]).await?;
        out.pop().ok_or(AppError::NotFound("control"))
    }

    /// Bring one control to what a row asks, through the controls' own create and
    /// update: a new own control is created first. Returns whether anything was written.
    async fn apply_control_row(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        control: &ControlRef,
        create: bool,
        w: &Wanted,
    ) -> AppResult<bool> {
        use crate::own_controls::{NewOwnControl, OwnControlPatch};
        let key = control.key();
        let mut wrote = false;
        if create {
            let input = NewOwnControl {
                code: key.to_owned(),
                title: w.title.clone().unwrap_or_default(),
                description: w.description.clone().unwrap_or_default(),
            };
            self.create_own_control_in(tx, actor, ctx, &input).await?;
            wrote = true;
        } else if let ControlRef::Own(code) = control {
            let own = own_controls::by_code(tx, ctx.org.id, code)
                .await?
                .ok_or(AppError::NotFound("control"))?;
            let patch = OwnControlPatch {
                title: changed(&w.title, own.title.clone()),
                description: changed(&w.description, own.description.clone()),
                version: own.version,
            };
            if patch.title.is_some() || patch.description.is_some() {
                self.update_own_control_in(tx, actor, ctx, code, &patch)
                    .await?;
                wrote = true;
            }
        }
        let cur = self.control_in(tx, ctx, key).await?;
        let patch = patch_for(&cur, w);
        if !patch_is_empty(&patch) {
            by_column(self.update_control_in(tx, actor, ctx, key, &patch).await)?;
            wrote = true;
        }
        Ok(wrote)
    }

    /// Import the controls register from CSV or XLSX: our export's layout, or CISO
    /// Assistant's "applied controls" sheet (see docs/import.md). Annex A rows update the
    /// control's implementation; an own control's row creates or updates it.
    pub(crate) async fn import_controls(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::Sheet;
        ctx.require(Permission::Write, "import controls")?;
        let ciso = {
            let rows = crate::imports::read_rows(bytes)?;
            rows.first().is_some_and(|h| is_ciso_layout(h))
        };
        if ciso {
            let sheet = Sheet::read(bytes, CISO_CONTROL_COLUMNS, progress)?;
            return self
                .import_ciso_controls(actor, ctx, &sheet, dry_run, progress)
                .await;
        }
        let sheet = Sheet::read(bytes, CONTROL_COLUMNS, progress)?;
        let current = self.controls_table(ctx).await?;
        let data = sheet.data()?;
        let plan = plan_control_rows(
            &data,
            &sheet.header,
            CONTROL_COLUMNS,
            Current {
                headers: &current.headers,
                rows: &current.rows,
            },
        )?;
        let mut tx = self.db.begin().await?;
        let members = self.members_index(&mut tx, ctx).await?;
        let mut out = Outcome::new("controls", &sheet, plan.len(), dry_run);
        progress.start("importing controls", plan.len() as u64);
        for ((line, row), p) in data.iter().zip(plan) {
            progress.advance(1);
            if p.action == ControlAction::Unchanged {
                out.unchanged();
                continue;
            }
            let mut c = Cells::new(*line, row, &sheet.header);
            let owner = c.opt("owner").map(|_| members.resolve(&mut c, "owner"));
            if !c.errors.is_empty() {
                out.cells(&mut c);
                continue;
            }
            let own = matches!(p.control, ControlRef::Own(_));
            let w = Wanted {
                title: c.opt("title").filter(|_| own).map(str::to_owned),
                description: c.opt("description").filter(|_| own).map(str::to_owned),
                owner,
                status: c.opt("status").map(str::to_owned),
                implementation: c.opt("implementation").map(str::to_owned),
                due_on: c.opt("due_on").map(blank_none),
                monitoring: c.opt("monitoring").map(str::to_owned),
                check_frequency: c.opt("check_frequency").map(blank_none),
                clauses: c.opt("clauses").map(split_words),
            };
            let create = p.action == ControlAction::Create;
            let r = self
                .apply_control_row(&mut tx, actor, ctx, &p.control, create, &w)
                .await;
            note_row(&mut out, *line, &p.control, create, r)?;
        }
        out.finish(self, tx, actor, ctx, progress).await
    }

    /// The CISO Assistant layout: every row is an own control, found by its `ref_id`
    /// (an own control's code) or else its name (an own control's title, any case), and
    /// created when there is none — with the `ref_id` as code when it can be one, or the
    /// next free `CA-001`.
    async fn import_ciso_controls(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        sheet: &crate::import_rows::Sheet,
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        let data = sheet.data()?;
        let mut tx = self.db.begin().await?;
        let members = self.members_index(&mut tx, ctx).await?;
        let own = own_controls::all_titles(&mut tx, ctx.org.id).await?;
        let codes: std::collections::HashSet<String> = own.iter().map(|(c, _)| c.clone()).collect();
        let mut by_title: HashMap<String, Vec<String>> = HashMap::new();
        for (code, title) in &own {
            by_title
                .entry(title.trim().to_lowercase())
                .or_default()
                .push(code.clone());
        }
        let mut new_codes: std::collections::HashSet<String> = Default::default();
        let mut seen = SeenRefs::default();
        let mut out = Outcome::new("controls", sheet, data.len(), dry_run);
        progress.start("importing controls", data.len() as u64);
        for (line, row) in &data {
            progress.advance(1);
            let mut c = Cells::new(*line, row, &sheet.header);
            let name = c.get("name");
            let ref_id = c.get("ref_id");
            let found = ciso_code(ref_id)
                .filter(|code| codes.contains(code))
                .or_else(
                    || match by_title.get(&name.to_lowercase()).map(Vec::as_slice) {
                        Some([one]) => Some(one.clone()),
                        _ => None,
                    },
                );
            let (code, create) = match found {
                Some(code) => (code, false),
                None => {
                    let code = ciso_code(ref_id)
                        .filter(|code| !new_codes.contains(code))
                        .unwrap_or_else(|| {
                            next_ciso_code(&|x: &str| codes.contains(x) || new_codes.contains(x))
                        });
                    new_codes.insert(code.clone());
                    (code, true)
                }
            };
            seen.check(&mut c, "ref_id", code.clone());
            let owner = members.resolve(&mut c, "owner");
            let eta = blank_none(c.get("eta"));
            let r = ciso_status("status", c.get("status"), owner.is_some() && eta.is_some());
            let status = c.check("status", r);
            if !c.errors.is_empty() {
                out.cells(&mut c);
                continue;
            }
            // What is done is the observation, or else the control's description.
            let implementation = match c.get("observation") {
                "" => c.opt("description"),
                o => Some(o),
            };
            let w = Wanted {
                title: Some(name.to_owned()),
                description: c.opt("description").map(str::to_owned),
                owner: c.opt("owner").map(|_| owner),
                status: c.opt("status").and(status).map(|s| s.as_str().to_owned()),
                implementation: implementation.map(str::to_owned),
                due_on: c.opt("eta").map(|_| eta),
                ..Wanted::default()
            };
            let control = ControlRef::Own(code);
            let r = self
                .apply_control_row(&mut tx, actor, ctx, &control, create, &w)
                .await;
            note_row(&mut out, *line, &control, create, r)?;
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}

/// Note a written row in the outcome: created, updated, or unchanged when nothing had
/// to be written.
fn note_row(
    out: &mut Outcome,
    line: usize,
    control: &ControlRef,
    create: bool,
    r: AppResult<bool>,
) -> AppResult<()> {
    let action = match (&r, create) {
        (Ok(false), _) => RowAction::Unchanged(0),
        (_, true) => RowAction::Create(0),
        _ => RowAction::Update(0),
    };
    out.row(line, action, display_ref(control.key()), r)
}
