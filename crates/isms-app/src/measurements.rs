//! Monitoring and measurement (9.1): values of the objectives' metrics and results of
//! control checks over time. A control check recorded here also becomes the control's
//! last check (its implementation record), in the same transaction, so the controls page
//! and the history agree. Trends and overdue flags are `isms_domain::measurement`'s.

use crate::foundation::Entry;
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::controls::{self as controls_store, ImplFilter, ImplRow};
use isms_db::measurements::{
    self as store, MeasurementFilter, MeasurementRow, MeasurementWithName,
};
use isms_db::{AsConn, Day, Ts, foundation as foundation_store};
use isms_domain::ValidationError;
use isms_domain::catalogue::catalogue;
use isms_domain::control::implementation::{CheckFrequency, ImplementationStatus, sort_key};
use isms_domain::control::{ControlRef, display_ref, parse_control_ref};
use isms_domain::foundation::registers::Objective;
use isms_domain::measurement::{
    MAX_NOTE, Outcome, Reading, SubjectKind, TrendStatus, check_reading, frequency_of,
    lower_is_better, measurement_overdue, trend,
};
use isms_domain::rbac::Permission;
use isms_domain::time::{format_date, parse_date};
use isms_export::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// One measurement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Measurement {
    pub id: Uuid,
    /// `objective` or `control`.
    pub subject_kind: String,
    /// The objective's id, or the control (`5.15`, `NW-07`).
    pub subject_ref: String,
    /// YYYY-MM-DD.
    pub measured_on: String,
    pub value: Option<f64>,
    /// Control checks: `pass`, `partial` or `fail`.
    pub result: Option<String>,
    pub note: String,
    pub recorded_by: Option<Uuid>,
    pub recorded_by_name: Option<String>,
    pub created_at: String,
}

/// A new measurement.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasurement {
    /// `objective` or `control`.
    pub subject_kind: String,
    /// An objective's id or reference (`O-002`), or a control (`5.15`, `A.5.15`, `NW-07`).
    pub subject_ref: String,
    /// YYYY-MM-DD, not in the future; default today.
    pub measured_on: Option<String>,
    /// Required for an objective's metric; optional for a control check.
    pub value: Option<f64>,
    /// Required for a control check: `pass`, `partial` or `fail`.
    pub result: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct MeasurementQuery {
    /// `objective` or `control`.
    pub subject_kind: Option<String>,
    /// With `subject_kind`: one subject's history.
    pub subject_ref: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// One point of a subject's series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPoint {
    pub measured_on: String,
    pub value: Option<f64>,
    pub result: Option<String>,
}

/// Where one subject stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectSummary {
    /// `objective` or `control`.
    pub subject_kind: String,
    /// The objective's id or the control (`5.15`).
    pub subject_ref: String,
    /// `O-002` or `A.5.15`.
    pub label: String,
    pub title: String,
    /// What is measured (objectives).
    pub metric: String,
    pub target_value: Option<f64>,
    pub target_unit: String,
    pub lower_is_better: bool,
    /// How often it is to be measured (`monthly`), if known.
    pub frequency: Option<String>,
    pub latest_on: Option<String>,
    pub latest_value: Option<f64>,
    pub latest_result: Option<String>,
    /// `on_target`, `off_target` or `no_data` (objectives); control checks: the latest
    /// result decides (pass: on target).
    pub status: String,
    /// `up`, `down` or `flat`.
    pub direction: String,
    /// The next measurement is due and not recorded.
    pub overdue: bool,
    /// The last twelve months, oldest first.
    pub points: Vec<SeriesPoint>,
}

/// One subject with its whole history (newest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectDetail {
    pub summary: SubjectSummary,
    pub history: Vec<Measurement>,
}

fn view(r: MeasurementWithName) -> Measurement {
    let m = r.m;
    Measurement {
        id: m.id,
        subject_kind: m.subject_kind,
        subject_ref: m.subject_ref,
        measured_on: format_date(m.measured_on.0),
        value: m.value,
        result: m.result,
        note: m.note,
        recorded_by: m.recorded_by,
        recorded_by_name: r.recorded_by_name,
        created_at: m.created_at.0.rfc3339(),
    }
}

fn snapshot(r: &MeasurementRow) -> serde_json::Value {
    serde_json::json!({
        "subject_kind": r.subject_kind, "subject_ref": r.subject_ref,
        "measured_on": format_date(r.measured_on.0), "value": r.value, "result": r.result,
        "note": r.note,
    })
}

/// `O-002`, `o-2` or `2` → 2.
fn parse_objective_number(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = match t.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("O-") => &t[2..],
        _ => t,
    };
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
}

/// A control's title: Annex A from the catalogue, an own control from its record.
fn control_title(key: &str, own: &HashMap<String, String>) -> String {
    catalogue()
        .control(key)
        .map(|c| c.title.clone())
        .or_else(|| own.get(key).cloned())
        .unwrap_or_default()
}

struct SubjectFacts {
    kind: SubjectKind,
    reference: String,
    label: String,
    title: String,
    metric: String,
    target: Option<f64>,
    unit: String,
    lower_better: bool,
    frequency: Option<CheckFrequency>,
}

fn summarise(
    s: &SubjectFacts,
    points: &[store::Point],
    latest: Option<Date>,
    today: Date,
) -> SubjectSummary {
    let values: Vec<(Date, f64)> = points
        .iter()
        .filter_map(|p| p.value.map(|v| (p.measured_on.0, v)))
        .collect();
    let t = trend(&values, s.target, s.lower_better);
    let last = points.last();
    let status = match s.kind {
        SubjectKind::Objective => t.status,
        SubjectKind::Control => match last
            .and_then(|p| p.result.as_deref())
            .and_then(|r| Outcome::parse("result", r).ok())
        {
            Some(Outcome::Pass) => TrendStatus::OnTarget,
            Some(_) => TrendStatus::OffTarget,
            None => TrendStatus::NoData,
        },
    };
    SubjectSummary {
        subject_kind: s.kind.as_str().to_owned(),
        subject_ref: s.reference.clone(),
        label: s.label.clone(),
        title: s.title.clone(),
        metric: s.metric.clone(),
        target_value: s.target,
        target_unit: s.unit.clone(),
        lower_is_better: s.lower_better,
        frequency: s.frequency.map(|f| f.as_str().to_owned()),
        latest_on: latest.map(format_date),
        latest_value: last.and_then(|p| p.value),
        latest_result: last.and_then(|p| p.result.clone()),
        status: status.as_str().to_owned(),
        direction: t.direction.as_str().to_owned(),
        overdue: measurement_overdue(s.frequency, latest, today),
        points: points
            .iter()
            .map(|p| SeriesPoint {
                measured_on: format_date(p.measured_on.0),
                value: p.value,
                result: p.result.clone(),
            })
            .collect(),
    }
}

fn objective_facts(e: &Entry<Objective>) -> SubjectFacts {
    let o = &e.data;
    SubjectFacts {
        kind: SubjectKind::Objective,
        reference: e.id.to_string(),
        label: e.reference.clone(),
        title: o.title.clone(),
        metric: o.metric.clone(),
        target: o.target_value,
        unit: o.target_unit.clone(),
        lower_better: lower_is_better(&o.target, &o.metric),
        frequency: frequency_of(&o.metric_frequency),
    }
}

fn control_facts(key: &str, freq: Option<&str>, own: &HashMap<String, String>) -> SubjectFacts {
    SubjectFacts {
        kind: SubjectKind::Control,
        reference: key.to_owned(),
        label: display_ref(key),
        title: control_title(key, own),
        metric: String::new(),
        target: None,
        unit: String::new(),
        lower_better: false,
        frequency: freq.and_then(|f| CheckFrequency::parse("check_frequency", f).ok()),
    }
}

impl App {
    /// Read a subject: an objective of this organisation (by id or `O-002`) or a control
    /// (Annex A, or an own control that exists). Returns the stored reference.
    async fn resolve_measurement_subject(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        kind: SubjectKind,
        raw: &str,
    ) -> AppResult<Result<String, ValidationError>> {
        let bad = |m: &str| Ok(Err(ValidationError::single("subject_ref", m)));
        match kind {
            SubjectKind::Objective => {
                let register = "objective";
                let found = match Uuid::parse_str(raw.trim()) {
                    Ok(id) => foundation_store::entry(c, ctx.org.id, register, id).await?,
                    Err(_) => match parse_objective_number(raw) {
                        Some(n) => foundation_store::list_entries(
                            c,
                            ctx.org.id,
                            register,
                            &Default::default(),
                            Some(n - 1),
                            1,
                        )
                        .await?
                        .into_iter()
                        .find(|e| e.entry.number == n),
                        None => None,
                    },
                };
                match found {
                    Some(e) => Ok(Ok(e.entry.id.to_string())),
                    None => bad("there is no such objective in this organisation"),
                }
            }
            SubjectKind::Control => match parse_control_ref("subject_ref", raw) {
                Err(e) => Ok(Err(e)),
                Ok(ControlRef::AnnexA(k)) => Ok(Ok(k)),
                Ok(ControlRef::Own(k)) => {
                    if isms_db::own_controls::existing(c, ctx.org.id, std::slice::from_ref(&k))
                        .await?
                        .contains(&k)
                    {
                        Ok(Ok(k))
                    } else {
                        bad("there is no such own control in this organisation")
                    }
                }
            },
        }
    }

    /// Measurements newest first, of one subject or all.
    pub async fn list_measurements(
        &self,
        ctx: &OrgCtx,
        q: &MeasurementQuery,
    ) -> AppResult<Page<Measurement>> {
        ctx.require(Permission::Read, "see measurements")?;
        let limit = page_limit(q.limit);
        let before = match decode_cursor(q.cursor.as_deref())? {
            None => None,
            Some(s) => {
                let parsed = s
                    .split_once('|')
                    .and_then(|(d, id)| Some((Day(parse_date(d)?), Uuid::parse_str(id).ok()?)));
                Some(parsed.ok_or_else(|| {
                    ValidationError::single("cursor", "is not a cursor this server issued")
                })?)
            }
        };
        let mut c = self.db.read().await?;
        let mut f = MeasurementFilter::default();
        if let Some(k) = q
            .subject_kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let kind = SubjectKind::parse("subject_kind", k)?;
            f.kind = Some(kind.as_str().to_owned());
            if let Some(r) = q
                .subject_ref
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let r = self
                    .resolve_measurement_subject(&mut c, ctx, kind, r)
                    .await??;
                f.subject = Some((kind.as_str().to_owned(), r));
            }
        } else if q
            .subject_ref
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
        {
            return Err(
                ValidationError::single("subject_kind", "is required with subject_ref").into(),
            );
        }
        let mut rows = store::list(&mut c, ctx.org.id, &f, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|r| {
                crate::encode_cursor(&format!("{}|{}", format_date(r.m.measured_on.0), r.m.id))
            })
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        })
    }

    pub async fn get_measurement(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Measurement> {
        ctx.require(Permission::Read, "see measurements")?;
        let mut c = self.db.read().await?;
        store::get(&mut c, ctx.org.id, id)
            .await?
            .map(view)
            .ok_or(AppError::NotFound("measurement"))
    }

    /// Record a measurement. A control check also becomes the control's last check when it
    /// is the newest one, in the same transaction.
    pub async fn create_measurement(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewMeasurement,
    ) -> AppResult<Measurement> {
        ctx.require(Permission::Write, "record measurements")?;
        let today = self.today();
        let mut v = ValidationError::new();
        let kind = v.check(SubjectKind::parse("subject_kind", &input.subject_kind));
        let measured_on = match input
            .measured_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(today),
            Some(s) => {
                let d = parse_date(s);
                if d.is_none() {
                    v.push("measured_on", "must be a date (YYYY-MM-DD)");
                }
                d
            }
        };
        let outcome = match input
            .result
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(r) => v.check(Outcome::parse("result", r)),
            None => None,
        };
        let note = input.note.trim().to_owned();
        if note.chars().count() > MAX_NOTE {
            v.push("note", "must be at most 2000 characters");
        }
        if let (Some(kind), Some(measured_on)) = (kind, measured_on) {
            v.check(check_reading(
                &Reading {
                    kind,
                    measured_on,
                    value: input.value,
                    outcome,
                },
                today,
            ));
        }
        let mut tx = self.db.begin().await?;
        let subject = match kind {
            Some(k) => v.check(
                self.resolve_measurement_subject(&mut tx, ctx, k, &input.subject_ref)
                    .await?,
            ),
            None => None,
        };
        v.into_result()?;
        let (Some(kind), Some(subject), Some(measured_on)) = (kind, subject, measured_on) else {
            return Err(AppError::Internal("measurement checked above".into()));
        };
        let row = MeasurementRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            subject_kind: kind.as_str().to_owned(),
            subject_ref: subject.clone(),
            measured_on: Day(measured_on),
            value: input.value,
            result: outcome.map(|o| o.as_str().to_owned()),
            note,
            recorded_by: actor.id(),
            created_at: Ts(self.now()),
        };
        store::insert(&mut tx, &row).await?;
        let label = match kind {
            SubjectKind::Objective => "an objective".to_owned(),
            SubjectKind::Control => display_ref(&subject),
        };
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "measurement",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "recorded a measurement of {label} on {}{}{}",
                    format_date(measured_on),
                    row.value.map(|x| format!(": {x}")).unwrap_or_default(),
                    row.result
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                ),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        if let (SubjectKind::Control, Some(o)) = (kind, outcome) {
            self.record_check_as_last(&mut tx, actor, ctx, &subject, measured_on, o, &row.note)
                .await?;
        }
        let out = store::get(&mut tx, ctx.org.id, row.id)
            .await?
            .map(view)
            .ok_or(AppError::NotFound("measurement"))?;
        tx.commit().await?;
        Ok(out)
    }

    /// Make a check the control's last check unless a later one is recorded there.
    #[allow(clippy::too_many_arguments)]
    async fn record_check_as_last(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        key: &str,
        on: Date,
        outcome: Outcome,
        note: &str,
    ) -> AppResult<()> {
        let before = controls_store::get(tx, ctx.org.id, key)
            .await?
            .map(|r| r.row);
        if before
            .as_ref()
            .and_then(|b| b.last_check_on)
            .is_some_and(|d| d.0 > on)
        {
            return Ok(());
        }
        let now = Ts(self.now());
        let r = parse_control_ref("control", key)?;
        let current = before.as_ref().map_or(0, |b| b.version);
        let mut row = before.clone().unwrap_or_else(|| ImplRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            control_ref: key.to_owned(),
            sort_key: sort_key(&r),
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
        row.last_check_on = Some(Day(on));
        row.last_check_result = Some(outcome.check_result().as_str().to_owned());
        row.last_check_note = note.to_owned();
        row.updated_at = now;
        row.version = current + 1;
        if !controls_store::upsert(tx, &row, current).await? {
            return Err(AppError::stale("control's implementation"));
        }
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "control_implementation",
                entity_id: key.to_owned(),
                action: if before.is_some() { "update" } else { "create" },
                summary: format!(
                    "last check of {} on {}: {} (from a recorded measurement)",
                    display_ref(key),
                    format_date(on),
                    outcome.check_result().label().to_lowercase()
                ),
                before: before.as_ref().map(|b| {
                    serde_json::json!({"last_check_on": b.last_check_on.map(|d| format_date(d.0)),
                                       "last_check_result": b.last_check_result})
                }),
                after: Some(serde_json::json!({"last_check_on": format_date(on),
                                                "last_check_result": row.last_check_result})),
            },
        )
        .await?;
        Ok(())
    }

    /// Remove a measurement recorded by mistake (the audit trail keeps it). The control's
    /// last check is left as it is.
    pub async fn delete_measurement(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "remove measurements")?;
        let mut tx = self.db.begin().await?;
        let before = store::get(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("measurement"))?
            .m;
        store::delete(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "measurement",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed a measurement of {} on {}",
                    before.subject_ref,
                    format_date(before.measured_on.0)
                ),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One row per subject: every objective, then every control with a recorded check,
    /// each with its latest value, trend and the last twelve months (four queries).
    pub async fn measurement_overview(&self, ctx: &OrgCtx) -> AppResult<Vec<SubjectSummary>> {
        let objectives = self.all_entries::<Objective>(ctx).await?;
        ctx.require(Permission::Read, "see measurements")?;
        let today = self.today();
        let since = today - time::Duration::days(366);
        let mut c = self.db.read().await?;
        let mut series: HashMap<(String, String), Vec<store::Point>> = HashMap::new();
        for p in store::points_since(&mut c, ctx.org.id, Day(since)).await? {
            series
                .entry((p.subject_kind.clone(), p.subject_ref.clone()))
                .or_default()
                .push(p);
        }
        let latest: HashMap<(String, String), Date> = store::latest_dates(&mut c, ctx.org.id)
            .await?
            .into_iter()
            .map(|(k, r, d)| ((k, r), d.0))
            .collect();
        let impls =
            controls_store::list(&mut c, ctx.org.id, &ImplFilter::default(), None, None).await?;
        let own = self.own_control_titles_map(&mut c, ctx).await?;
        let mut out = Vec::new();
        for e in &objectives {
            let f = objective_facts(e);
            let key = (f.kind.as_str().to_owned(), f.reference.clone());
            let pts = series.get(&key).map(Vec::as_slice).unwrap_or(&[]);
            out.push(summarise(&f, pts, latest.get(&key).copied(), today));
        }
        let freq: HashMap<&str, Option<&str>> = impls
            .iter()
            .map(|i| (i.row.control_ref.as_str(), i.row.check_frequency.as_deref()))
            .collect();
        let mut controls: Vec<&String> = latest
            .keys()
            .filter(|(k, _)| k == SubjectKind::Control.as_str())
            .map(|(_, r)| r)
            .collect();
        controls.sort_by_key(|k| isms_domain::control::control_order(k));
        for key in controls {
            let f = control_facts(key, freq.get(key.as_str()).copied().flatten(), &own);
            let k = (f.kind.as_str().to_owned(), f.reference.clone());
            let pts = series.get(&k).map(Vec::as_slice).unwrap_or(&[]);
            out.push(summarise(&f, pts, latest.get(&k).copied(), today));
        }
        Ok(out)
    }

    async fn own_control_titles_map(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<HashMap<String, String>> {
        Ok(isms_db::own_controls::all_titles(c, ctx.org.id)
            .await?
            .into_iter()
            .collect())
    }

    /// One subject (`objective` + id or `O-002`, or `control` + `5.15`) with its whole
    /// history, for its page and chart.
    pub async fn measurement_subject(
        &self,
        ctx: &OrgCtx,
        kind: &str,
        reference: &str,
    ) -> AppResult<SubjectDetail> {
        ctx.require(Permission::Read, "see measurements")?;
        let kind = SubjectKind::parse("subject_kind", kind)?;
        let mut c = self.db.read().await?;
        let reference = match self
            .resolve_measurement_subject(&mut c, ctx, kind, reference)
            .await?
        {
            Ok(r) => r,
            Err(_) => return Err(AppError::NotFound("subject")),
        };
        let facts = match kind {
            SubjectKind::Objective => {
                let id =
                    Uuid::parse_str(&reference).map_err(|_| AppError::NotFound("objective"))?;
                drop(c);
                let e = self.get_entry::<Objective>(ctx, id).await?;
                c = self.db.read().await?;
                objective_facts(&e)
            }
            SubjectKind::Control => {
                let freq = controls_store::get(&mut c, ctx.org.id, &reference)
                    .await?
                    .and_then(|r| r.row.check_frequency);
                let own = self.own_control_titles_map(&mut c, ctx).await?;
                control_facts(&reference, freq.as_deref(), &own)
            }
        };
        let f = MeasurementFilter {
            subject: Some((kind.as_str().to_owned(), reference.clone())),
            kind: None,
        };
        let rows = store::list(&mut c, ctx.org.id, &f, None, 10_000).await?;
        let mut points: Vec<store::Point> = rows
            .iter()
            .map(|r| store::Point {
                subject_kind: r.m.subject_kind.clone(),
                subject_ref: r.m.subject_ref.clone(),
                measured_on: r.m.measured_on,
                value: r.m.value,
                result: r.m.result.clone(),
            })
            .collect();
        points.reverse();
        let latest = points.last().map(|p| p.measured_on.0);
        let summary = summarise(&facts, &points, latest, self.today());
        Ok(SubjectDetail {
            summary,
            history: rows.into_iter().map(view).collect(),
        })
    }

    /// Every measurement as a table, for `isms export measurements`.
    pub async fn measurements_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let objectives = self.all_entries::<Objective>(ctx).await?;
        ctx.require(Permission::Read, "see measurements")?;
        let names: HashMap<String, String> = objectives
            .iter()
            .map(|e| {
                (
                    e.id.to_string(),
                    format!("{} {}", e.reference, e.data.title),
                )
            })
            .collect();
        let mut rows = Vec::new();
        let mut after = None;
        let mut c = self.db.read().await?;
        loop {
            let page = store::all_after(&mut c, ctx.org.id, after, 1000).await?;
            let n = page.len();
            if let Some(last) = page.last() {
                after = Some((last.m.measured_on, last.m.id));
            }
            for r in page {
                let m = view(r);
                let subject = if m.subject_kind == "objective" {
                    names
                        .get(&m.subject_ref)
                        .cloned()
                        .unwrap_or_else(|| m.subject_ref.clone())
                } else {
                    display_ref(&m.subject_ref)
                };
                rows.push(vec![
                    m.measured_on,
                    m.subject_kind,
                    subject,
                    m.value.map(|x| x.to_string()).unwrap_or_default(),
                    m.result.unwrap_or_default(),
                    m.note,
                    m.recorded_by_name.unwrap_or_default(),
                ]);
            }
            if n < 1000 {
                break;
            }
        }
        Ok(Table {
            title: format!("Measurements of {}", ctx.org.name),
            headers: [
                "measured_on",
                "subject_kind",
                "subject",
                "value",
                "result",
                "note",
                "recorded_by",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }
}
