//! The evidence register: files (kept in the blob store, verified on every download) and
//! links, with when they were collected, the period they cover and how long they stay
//! valid, linked to the controls, clauses and risks they support. Coverage names the
//! controls said to be implemented that have no current evidence.

use crate::blobs::{Upload, sanitise_file_name};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::evidence::{self as store, EvidenceFilter, EvidenceRow, EvidenceWithNames, LinkRow};
use isms_db::{AsConn, Day, Ts, orgs, own_controls};
use isms_domain::ValidationError;
use isms_domain::catalogue::catalogue;
use isms_domain::control::display_ref;
use isms_domain::evidence::{
    EvidenceDates, EvidenceKind, MAX_DESCRIPTION, MAX_TITLE, Target, TargetKind, check_dates,
    evidence_ref, expiring_horizon, is_expired, is_expiring_soon, lacks_current_evidence,
    parse_risk_ref, parse_target, parse_url,
};
use isms_domain::org::parse_name;
use isms_domain::rbac::{Permission, membership_active};
use isms_domain::time::{format_date, parse_date};
use isms_export::Table;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// The stored file of a piece of evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceFile {
    /// The uploader's file name, cleaned (display and download name only).
    pub file_name: String,
    /// Sniffed from the bytes when it was uploaded.
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes; checked on every download.
    pub sha256: String,
}

/// One thing a piece of evidence supports.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct EvidenceLink {
    /// `control`, `clause` or `risk`.
    pub kind: String,
    /// `5.15`, `NW-07`, `6.1.3`, `R-012`.
    pub reference: String,
    /// `A.5.15`, `Clause 6.1.3`, `R-012`.
    pub label: String,
}

/// A piece of evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: Uuid,
    /// `EV-0001`.
    pub reference: String,
    pub number: i64,
    /// `file` or `link`.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// Kind `link`: where the evidence lives.
    pub url: Option<String>,
    /// Kind `file`: the stored file.
    pub file: Option<EvidenceFile>,
    pub collected_by: Option<Uuid>,
    pub collected_by_name: Option<String>,
    /// YYYY-MM-DD.
    pub collected_on: String,
    /// The period the evidence covers (YYYY-MM-DD).
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// The last day it counts; absent: it does not expire.
    pub valid_until: Option<String>,
    /// `valid_until` has passed.
    pub expired: bool,
    /// Valid for at most 30 more days.
    pub expiring_soon: bool,
    pub links: Vec<EvidenceLink>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A link to add: what kind of thing and which one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    /// `control`, `clause` or `risk`.
    pub kind: String,
    /// A control (`5.15`, `A.5.15`, `NW-07`), a clause (`6.1.3`) or a risk (`R-012`).
    pub reference: String,
}

/// A new piece of evidence. As JSON it is a link (`url`); a file is uploaded as
/// `multipart/form-data` with these fields and the file in `file`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// `link` (JSON) or `file` (multipart); by default `file` when a file is sent.
    pub kind: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Kind `link`: https:// or http:// only.
    pub url: Option<String>,
    /// A member of the organisation; default: whoever records it, if a member.
    pub collected_by: Option<Uuid>,
    /// YYYY-MM-DD; default today.
    pub collected_on: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// YYYY-MM-DD, on or after `collected_on`; absent: it does not expire.
    pub valid_until: Option<String>,
    #[serde(default)]
    pub links: Vec<NewLink>,
}

/// Changes to the metadata (the file never changes: upload new evidence instead).
/// Omitted fields keep their value; `null` clears the optional ones.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidencePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Kind `link` only.
    pub url: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub collected_by: Option<Option<Uuid>>,
    pub collected_on: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub period_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub period_to: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub valid_until: Option<Option<String>>,
    pub version: i64,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct EvidenceQuery {
    /// Linked to this control (`5.15`, `NW-07`).
    pub control: Option<String>,
    /// Linked to this clause (`6.1.3`).
    pub clause: Option<String>,
    /// Linked to this risk (`R-012`).
    pub risk: Option<String>,
    /// `file` or `link`.
    pub kind: Option<String>,
    /// Only expired evidence.
    pub expired: bool,
    /// Only evidence expiring within 30 days.
    pub expiring: bool,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A short reference to a piece of evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceSummary {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub valid_until: Option<String>,
}

/// A control said to be implemented (or partly) with no current evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UncoveredControl {
    /// `5.15` or `NW-07`.
    pub control_ref: String,
    /// `A.5.15` or `NW-07`.
    pub label: String,
    pub title: String,
    /// `implemented` or `partially_implemented`.
    pub status: String,
    /// The most recent evidence that has expired, if any was ever linked.
    pub latest_expired: Option<EvidenceSummary>,
}

/// Coverage of the controls that claim to operate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceCoverage {
    /// Controls recorded as implemented or partially implemented.
    pub claimed: usize,
    /// Of those, the ones without linked evidence that is still valid.
    pub uncovered: Vec<UncoveredControl>,
}

/// A file to hand out.
#[derive(Debug, Clone)]
pub struct FileDownload {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// A piece of evidence whose stored bytes no longer match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEvidence {
    pub org_slug: String,
    /// `EV-0003`, or `-` for a damaged file no evidence refers to.
    pub reference: String,
    pub title: String,
    /// The hash recorded when it was uploaded.
    pub sha256: String,
}

/// The result of `isms evidence verify`.
#[derive(Debug, Clone, Default)]
pub struct EvidenceCheck {
    pub files_checked: u64,
    pub broken: Vec<BrokenEvidence>,
}

fn day_text(d: Option<Day>) -> Option<String> {
    d.map(|d| format_date(d.0))
}

fn link_view(kind: &str, reference: &str) -> EvidenceLink {
    let label = match TargetKind::from_stored(kind) {
        Some(TargetKind::Control) => display_ref(reference),
        Some(TargetKind::Clause) => format!("Clause {reference}"),
        _ => reference.to_owned(),
    };
    EvidenceLink {
        kind: kind.to_owned(),
        reference: reference.to_owned(),
        label,
    }
}

fn link_order(a: &EvidenceLink, b: &EvidenceLink) -> std::cmp::Ordering {
    let rank = |l: &EvidenceLink| match l.kind.as_str() {
        "control" => 0,
        "clause" => 1,
        "risk" => 2,
        _ => 3,
    };
    let key = |l: &EvidenceLink| match l.kind.as_str() {
        "control" => isms_domain::control::control_order(&l.reference),
        "risk" => (
            0,
            vec![parse_risk_ref(&l.reference).unwrap_or(0) as u32],
            String::new(),
        ),
        _ => (
            0,
            l.reference
                .split('.')
                .map(|p| p.parse::<u32>().unwrap_or(0))
                .collect(),
            l.reference.clone(),
        ),
    };
    rank(a).cmp(&rank(b)).then_with(|| key(a).cmp(&key(b)))
}

fn view(r: EvidenceWithNames, links: Vec<EvidenceLink>, today: Date) -> Evidence {
    let e = r.evidence;
    let valid = e.valid_until.map(|d| d.0);
    let file = match (e.blob_sha256, e.kind.as_str()) {
        (Some(sha256), "file") => Some(EvidenceFile {
            file_name: e.file_name.unwrap_or_else(|| "file".into()),
            content_type: e.content_type.unwrap_or_default(),
            size: e.size.unwrap_or(0),
            sha256,
        }),
        _ => None,
    };
    let mut links = links;
    links.sort_by(link_order);
    Evidence {
        id: e.id,
        reference: evidence_ref(e.number),
        number: e.number,
        kind: e.kind,
        title: e.title,
        description: e.description,
        url: e.url,
        file,
        collected_by: e.collected_by,
        collected_by_name: r.collected_by_name,
        collected_on: format_date(e.collected_on.0),
        period_from: day_text(e.period_from),
        period_to: day_text(e.period_to),
        valid_until: day_text(e.valid_until),
        expired: is_expired(valid, today),
        expiring_soon: is_expiring_soon(valid, today),
        links,
        created_at: e.created_at.0.rfc3339(),
        updated_at: e.updated_at.0.rfc3339(),
        version: e.version,
    }
}

fn snapshot(r: &EvidenceRow, links: &[Target]) -> serde_json::Value {
    serde_json::json!({
        "number": r.number, "kind": r.kind, "title": r.title, "description": r.description,
        "url": r.url, "sha256": r.blob_sha256, "file_name": r.file_name, "size": r.size,
        "content_type": r.content_type, "collected_by": r.collected_by,
        "collected_on": format_date(r.collected_on.0),
        "period_from": day_text(r.period_from), "period_to": day_text(r.period_to),
        "valid_until": day_text(r.valid_until),
        "links": links.iter().map(|t| format!("{}:{}", t.kind.as_str(), t.reference)).collect::<Vec<_>>(),
    })
}

/// A date field: empty is none, anything else must be YYYY-MM-DD.
fn opt_date(v: &mut ValidationError, field: &str, s: Option<&str>) -> Option<Date> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_date(s);
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

fn description(v: &mut ValidationError, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > MAX_DESCRIPTION {
        v.push("description", "must be at most 4000 characters");
    }
    s.to_owned()
}

/// Read the links of a request, naming each bad one `links[i]`; duplicates are dropped.
fn parse_links(v: &mut ValidationError, links: &[NewLink]) -> Vec<(usize, Target)> {
    let mut out: Vec<(usize, Target)> = Vec::new();
    for (i, l) in links.iter().enumerate() {
        if let Some(t) = v.check(parse_target(&format!("links[{i}]"), &l.kind, &l.reference))
            && !out.iter().any(|(_, o)| *o == t)
        {
            out.push((i, t));
        }
    }
    out
}

impl App {
    /// Own controls and risks named by links must exist in this organisation.
    async fn check_targets(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        targets: &[(usize, Target)],
    ) -> AppResult<()> {
        let own: Vec<String> = targets
            .iter()
            .filter(|(_, t)| {
                t.kind == TargetKind::Control
                    && !isms_domain::control::looks_like_annex_a(&t.reference)
            })
            .map(|(_, t)| t.reference.clone())
            .collect();
        let known_own = own_controls::existing(c, ctx.org.id, &own).await?;
        let risks: Vec<i64> = targets
            .iter()
            .filter(|(_, t)| t.kind == TargetKind::Risk)
            .filter_map(|(_, t)| parse_risk_ref(&t.reference))
            .collect();
        let known_risks = store::existing_risk_numbers(c, ctx.org.id, &risks).await?;
        for (i, t) in targets {
            match t.kind {
                TargetKind::Control
                    if !isms_domain::control::looks_like_annex_a(&t.reference)
                        && !known_own.contains(&t.reference) =>
                {
                    v.push(
                        format!("links[{i}]"),
                        format!(
                            "there is no own control {} in this organisation",
                            t.reference
                        ),
                    );
                }
                TargetKind::Risk
                    if !parse_risk_ref(&t.reference).is_some_and(|n| known_risks.contains(&n)) =>
                {
                    v.push(
                        format!("links[{i}]"),
                        format!("there is no risk {} in this organisation", t.reference),
                    );
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The person who collected it must be a current member.
    async fn check_collector(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        who: Option<Uuid>,
    ) -> AppResult<()> {
        if let Some(u) = who {
            let ok = orgs::membership_of(c, ctx.org.id, u)
                .await?
                .is_some_and(|m| membership_active(m.expires_on.map(|d| d.0), self.today()));
            if !ok {
                v.push("collected_by", "is not a member of this organisation");
            }
        }
        Ok(())
    }

    async fn with_links(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<EvidenceWithNames>,
    ) -> AppResult<Vec<Evidence>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.evidence.id).collect();
        let mut by_id: HashMap<Uuid, Vec<EvidenceLink>> = HashMap::new();
        for l in store::links_of(c, ctx.org.id, &ids).await? {
            by_id
                .entry(l.evidence_id)
                .or_default()
                .push(link_view(&l.target_kind, &l.target_ref));
        }
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let links = by_id.remove(&r.evidence.id).unwrap_or_default();
                view(r, links, today)
            })
            .collect())
    }

    /// The register, newest first, with its filters.
    pub async fn list_evidence(
        &self,
        ctx: &OrgCtx,
        q: &EvidenceQuery,
    ) -> AppResult<Page<Evidence>> {
        ctx.require(Permission::Read, "see the evidence register")?;
        let limit = page_limit(q.limit);
        let before = match decode_cursor(q.cursor.as_deref())? {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                ValidationError::single("cursor", "is not a cursor this server issued")
            })?),
        };
        let mut v = ValidationError::new();
        let mut f = EvidenceFilter::default();
        let mut targets = 0;
        if let Some(k) = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            f.kind = v
                .check(EvidenceKind::parse("kind", k))
                .map(|k| k.as_str().to_owned());
        }
        for (field, raw) in [
            ("control", &q.control),
            ("clause", &q.clause),
            ("risk", &q.risk),
        ] {
            if let Some(r) = raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                targets += 1;
                if let Some(t) = v.check(parse_target(field, field, r)) {
                    f.target = Some((t.kind.as_str().to_owned(), t.reference));
                }
            }
        }
        if targets > 1 {
            v.push(
                "control",
                "filter by one of control, clause or risk at a time",
            );
        }
        let today = self.today();
        if q.expired {
            f.valid_before = Some(Day(today));
        }
        if q.expiring {
            f.valid_between = Some((Day(today), Day(expiring_horizon(today))));
        }
        v.into_result()?;
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, ctx.org.id, &f, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        let mut rows = rows;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| crate::encode_cursor(&r.evidence.number.to_string()))
        } else {
            None
        };
        let items = self.with_links(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    /// Every piece of evidence ever linked to a control (`5.15`, `A.5.15`, `NW-07`),
    /// newest first, expired ones included (and flagged): a control's evidence history,
    /// for the control page and the SoA row.
    pub async fn evidence_for_control(
        &self,
        ctx: &OrgCtx,
        control: &str,
    ) -> AppResult<Vec<Evidence>> {
        ctx.require(Permission::Read, "see the evidence register")?;
        let t = parse_target("control", "control", control)?;
        let f = EvidenceFilter {
            target: Some((t.kind.as_str().to_owned(), t.reference)),
            ..Default::default()
        };
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, ctx.org.id, &f, None, 10_000).await?;
        self.with_links(&mut c, ctx, rows).await
    }

    async fn load(&self, c: &mut impl AsConn, ctx: &OrgCtx, id: Uuid) -> AppResult<Evidence> {
        let row = store::get(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("evidence"))?;
        self.with_links(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("evidence"))
    }

    pub async fn get_evidence(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Evidence> {
        ctx.require(Permission::Read, "see the evidence register")?;
        let mut c = self.db.read().await?;
        self.load(&mut c, ctx, id).await
    }

    /// Record evidence: a link (no `file`), or a file stored by its SHA-256 with its
    /// type sniffed from the bytes. Links, dates and the collector are checked first;
    /// on any problem nothing is stored, the file neither.
    pub async fn create_evidence(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewEvidence,
        file: Option<&Upload>,
    ) -> AppResult<Evidence> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_evidence_in(&mut tx, actor, ctx, input, file, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record evidence inside the caller's transaction; `number` is given by an import
    /// (blank: the next free number).
    pub(crate) async fn create_evidence_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewEvidence,
        file: Option<&Upload>,
        number: Option<i64>,
    ) -> AppResult<Evidence> {
        ctx.require(Permission::Write, "add evidence")?;
        let mut v = ValidationError::new();
        let kind = match input
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(k) => v.check(EvidenceKind::parse("kind", k)),
            None if file.is_some() => Some(EvidenceKind::File),
            None => Some(EvidenceKind::Link),
        };
        let mut url = None;
        match kind {
            Some(EvidenceKind::File) => {
                if file.is_none() {
                    v.push("file", "choose a file to upload");
                }
                if input.url.as_deref().is_some_and(|u| !u.trim().is_empty()) {
                    v.push("url", "is only for links; a file has no URL");
                }
            }
            Some(EvidenceKind::Link) => {
                if file.is_some() {
                    v.push("file", "a link has no file; choose kind file to upload one");
                }
                url = v.check(parse_url("url", input.url.as_deref().unwrap_or("")));
            }
            None => {}
        }
        let title = v.check(parse_name("title", &input.title, MAX_TITLE));
        let description = description(&mut v, &input.description);
        let today = self.today();
        let collected_on = match input
            .collected_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(today),
            s => opt_date(&mut v, "collected_on", s),
        };
        let period_from = opt_date(&mut v, "period_from", input.period_from.as_deref());
        let period_to = opt_date(&mut v, "period_to", input.period_to.as_deref());
        let valid_until = opt_date(&mut v, "valid_until", input.valid_until.as_deref());
        if let Some(collected_on) = collected_on
            && let Err(e) = check_dates(&EvidenceDates {
                collected_on,
                period_from,
                period_to,
                valid_until,
            })
        {
            v.errors.extend(e.errors);
        }
        let targets = parse_links(&mut v, &input.links);
        self.check_targets(tx, ctx, &mut v, &targets).await?;
        let collected_by = match input.collected_by {
            Some(u) => Some(u),
            None => match actor.id() {
                Some(me)
                    if orgs::membership_of(&mut *tx, ctx.org.id, me)
                        .await?
                        .is_some() =>
                {
                    Some(me)
                }
                _ => None,
            },
        };
        self.check_collector(tx, ctx, &mut v, collected_by).await?;
        v.into_result()?;
        let stored = match file {
            Some(up) => Some(self.store_upload_tx(tx, ctx.org.id, up).await?),
            None => None,
        };
        let now = Ts(self.now());
        let number = match number {
            Some(n) => n,
            None => store::next_number(tx, ctx.org.id).await?,
        };
        let row = EvidenceRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            kind: kind.unwrap_or(EvidenceKind::Link).as_str().to_owned(),
            title: title.unwrap_or_default(),
            description,
            url,
            blob_sha256: stored.as_ref().map(|s| s.sha256.clone()),
            file_name: stored.as_ref().map(|s| s.file_name.clone()),
            content_type: stored.as_ref().map(|s| s.content_type.clone()),
            size: stored.as_ref().map(|s| s.size),
            collected_by,
            collected_on: Day(collected_on.unwrap_or(today)),
            period_from: period_from.map(Day),
            period_to: period_to.map(Day),
            valid_until: valid_until.map(Day),
            created_by: actor.id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(tx, &row).await?;
        for (_, t) in &targets {
            store::add_link(tx, &link_row(&row, t)).await?;
        }
        let targets: Vec<Target> = targets.into_iter().map(|(_, t)| t).collect();
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "evidence",
                entity_id: row.id.to_string(),
                action: "create",
                summary: match &stored {
                    Some(s) => format!(
                        "added evidence {} \"{}\" (file {}, SHA-256 {})",
                        evidence_ref(number),
                        row.title,
                        s.file_name,
                        s.sha256
                    ),
                    None => format!(
                        "added evidence {} \"{}\" (link)",
                        evidence_ref(number),
                        row.title
                    ),
                },
                before: None,
                after: Some(snapshot(&row, &targets)),
            },
        )
        .await?;
        self.load(tx, ctx, row.id).await
    }

    /// Change the metadata of a piece of evidence; a stale `version` is 409.
    pub async fn update_evidence(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &EvidencePatch,
    ) -> AppResult<Evidence> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_evidence_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change the metadata inside the caller's transaction.
    pub(crate) async fn update_evidence_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &EvidencePatch,
    ) -> AppResult<Evidence> {
        ctx.require(Permission::Write, "change evidence")?;
        let before = store::get(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("evidence"))?
            .evidence;
        if before.version != patch.version {
            return Err(AppError::stale("evidence"));
        }
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, MAX_TITLE))
        {
            row.title = t;
        }
        if let Some(d) = &patch.description {
            row.description = description(&mut v, d);
        }
        if let Some(u) = &patch.url {
            if row.kind == EvidenceKind::Link.as_str() {
                if let Some(u) = v.check(parse_url("url", u)) {
                    row.url = Some(u);
                }
            } else if !u.trim().is_empty() {
                v.push("url", "is only for links; a file has no URL");
            }
        }
        if let Some(c) = patch.collected_by {
            self.check_collector(tx, ctx, &mut v, c).await?;
            row.collected_by = c;
        }
        if let Some(s) = &patch.collected_on {
            match opt_date(&mut v, "collected_on", Some(s)) {
                Some(d) => row.collected_on = Day(d),
                None if s.trim().is_empty() => v.push("collected_on", "is required"),
                None => {}
            }
        }
        if let Some(s) = &patch.period_from {
            row.period_from = opt_date(&mut v, "period_from", s.as_deref()).map(Day);
        }
        if let Some(s) = &patch.period_to {
            row.period_to = opt_date(&mut v, "period_to", s.as_deref()).map(Day);
        }
        if let Some(s) = &patch.valid_until {
            row.valid_until = opt_date(&mut v, "valid_until", s.as_deref()).map(Day);
        }
        if let Err(e) = check_dates(&EvidenceDates {
            collected_on: row.collected_on.0,
            period_from: row.period_from.map(|d| d.0),
            period_to: row.period_to.map(|d| d.0),
            valid_until: row.valid_until.map(|d| d.0),
        }) {
            v.errors.extend(e.errors);
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update(tx, &row).await? {
            return Err(AppError::stale("evidence"));
        }
        row.version += 1;
        let links = self.targets_of(tx, ctx, id).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "evidence",
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "changed evidence {} \"{}\"",
                    evidence_ref(row.number),
                    row.title
                ),
                before: Some(snapshot(&before, &links)),
                after: Some(snapshot(&row, &links)),
            },
        )
        .await?;
        self.load(tx, ctx, id).await
    }

    async fn targets_of(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Vec<Target>> {
        Ok(store::links_of(c, ctx.org.id, &[id])
            .await?
            .into_iter()
            .filter_map(|l| {
                TargetKind::from_stored(&l.target_kind).map(|kind| Target {
                    kind,
                    reference: l.target_ref,
                })
            })
            .collect())
    }

    /// Remove a piece of evidence and its links. Its file stays in the blob store (the
    /// same bytes may back other records; the audit trail names the hash).
    pub async fn delete_evidence(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove evidence")?;
        let mut tx = self.db.begin().await?;
        let before = store::get(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("evidence"))?
            .evidence;
        let links = self.targets_of(&mut tx, ctx, id).await?;
        store::delete(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "evidence",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed evidence {} \"{}\"",
                    evidence_ref(before.number),
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

    /// Link a piece of evidence to a control, clause or risk (linking twice is a no-op).
    pub async fn add_evidence_link(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        link: &NewLink,
    ) -> AppResult<Evidence> {
        let mut tx = self.db.begin().await?;
        let out = self
            .add_evidence_link_in(&mut tx, actor, ctx, id, link)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a link inside the caller's transaction.
    pub(crate) async fn add_evidence_link_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        link: &NewLink,
    ) -> AppResult<Evidence> {
        ctx.require(Permission::Write, "link evidence")?;
        let mut v = ValidationError::new();
        let t = v.check(parse_target("reference", &link.kind, &link.reference));
        let row = store::get(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("evidence"))?
            .evidence;
        if let Some(t) = &t {
            let mut inner = ValidationError::new();
            self.check_targets(tx, ctx, &mut inner, &[(0, t.clone())])
                .await?;
            for e in inner.errors {
                v.push("reference", e.message);
            }
        }
        v.into_result()?;
        let Some(t) = t else {
            return Err(AppError::Internal("link checked above".into()));
        };
        if store::add_link(tx, &link_row(&row, &t)).await? {
            let label = link_view(t.kind.as_str(), &t.reference).label;
            record(
                self,
                tx,
                actor,
                Change {
                    org_id: Some(ctx.org.id),
                    entity: "evidence",
                    entity_id: id.to_string(),
                    action: "link",
                    summary: format!("linked evidence {} to {label}", evidence_ref(row.number)),
                    before: None,
                    after: Some(
                        serde_json::json!({"kind": t.kind.as_str(), "reference": t.reference}),
                    ),
                },
            )
            .await?;
        }
        self.load(tx, ctx, id).await
    }

    /// Take a link off a piece of evidence (404 when it had none such).
    pub async fn remove_evidence_link(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        kind: &str,
        reference: &str,
    ) -> AppResult<Evidence> {
        let mut tx = self.db.begin().await?;
        let out = self
            .remove_evidence_link_in(&mut tx, actor, ctx, id, kind, reference)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Take a link off inside the caller's transaction.
    pub(crate) async fn remove_evidence_link_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        kind: &str,
        reference: &str,
    ) -> AppResult<Evidence> {
        ctx.require(Permission::Write, "link evidence")?;
        let t =
            parse_target("reference", kind, reference).map_err(|_| AppError::NotFound("link"))?;
        let row = store::get(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("evidence"))?
            .evidence;
        if !store::remove_link(tx, ctx.org.id, id, t.kind.as_str(), &t.reference).await? {
            return Err(AppError::NotFound("link"));
        }
        let label = link_view(t.kind.as_str(), &t.reference).label;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "evidence",
                entity_id: id.to_string(),
                action: "unlink",
                summary: format!("took evidence {} off {label}", evidence_ref(row.number)),
                before: Some(
                    serde_json::json!({"kind": t.kind.as_str(), "reference": t.reference}),
                ),
                after: None,
            },
        )
        .await?;
        self.load(tx, ctx, id).await
    }

    /// The stored file of a piece of evidence, its SHA-256 checked: bytes that no longer
    /// match are an integrity error, never served.
    pub async fn download_evidence(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<FileDownload> {
        ctx.require(Permission::Read, "download evidence")?;
        let mut c = self.db.read().await?;
        let e = store::get(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("evidence"))?
            .evidence;
        drop(c);
        let Some(sha) = e.blob_sha256.as_deref() else {
            return Err(AppError::NotFound("file"));
        };
        let f = self.read_file(ctx, sha, &evidence_ref(e.number)).await?;
        Ok(FileDownload {
            file_name: sanitise_file_name(e.file_name.as_deref().unwrap_or("")),
            content_type: f.content_type,
            sha256: f.sha256,
            bytes: f.bytes,
        })
    }

    /// Controls recorded as implemented or partially implemented that have no linked
    /// evidence still valid, in catalogue order, each with its latest expired evidence.
    pub async fn evidence_coverage(&self, ctx: &OrgCtx) -> AppResult<EvidenceCoverage> {
        ctx.require(Permission::Read, "see the evidence register")?;
        const CLAIMED: [&str; 2] = ["implemented", "partially_implemented"];
        let today = self.today();
        let mut c = self.db.read().await?;
        let claimed = store::control_coverage(&mut c, ctx.org.id, &CLAIMED, Day(today)).await?;
        let mut uncovered = Vec::new();
        for r in &claimed {
            // The store answers whether any linked evidence is still valid; the rule of
            // what that means for the control is the domain's.
            let current = r.has_current.then_some(None);
            if !lacks_current_evidence(&r.status, current, today) {
                continue;
            }
            let latest_expired = match (r.latest_id, r.latest_number, &r.latest_title) {
                (Some(id), Some(number), Some(title))
                    if is_expired(r.latest_valid_until.map(|d| d.0), today) =>
                {
                    Some(EvidenceSummary {
                        id,
                        reference: evidence_ref(number),
                        title: title.clone(),
                        valid_until: day_text(r.latest_valid_until),
                    })
                }
                _ => None,
            };
            let title = match catalogue().control(&r.control_ref) {
                Some(entry) => entry.title.clone(),
                None if !isms_domain::control::looks_like_annex_a(&r.control_ref) => {
                    own_controls::by_code(&mut c, ctx.org.id, &r.control_ref)
                        .await?
                        .map(|o| o.title)
                        .unwrap_or_default()
                }
                None => String::new(),
            };
            uncovered.push(UncoveredControl {
                control_ref: r.control_ref.clone(),
                label: display_ref(&r.control_ref),
                title,
                status: r.status.clone(),
                latest_expired,
            });
        }
        Ok(EvidenceCoverage {
            claimed: claimed.len(),
            uncovered,
        })
    }

    /// Re-hash every stored file and name the evidence whose bytes no longer match
    /// (`isms evidence verify`; instance-wide, for the operator).
    pub async fn verify_evidence_files(&self) -> AppResult<EvidenceCheck> {
        let check = self.verify_blob_store().await?;
        let mut out = EvidenceCheck {
            files_checked: check.checked,
            broken: Vec::new(),
        };
        let mut c = self.db.read().await?;
        for bad in check.bad {
            let slug = orgs::org_by_id(&mut c, bad.org_id)
                .await?
                .map(|o| o.slug)
                .unwrap_or_else(|| bad.org_id.to_string());
            let items = store::by_blob(&mut c, bad.org_id, &bad.sha256).await?;
            if items.is_empty() {
                out.broken.push(BrokenEvidence {
                    org_slug: slug.clone(),
                    reference: "-".into(),
                    title: "(a stored file no evidence refers to)".into(),
                    sha256: bad.sha256.clone(),
                });
            }
            for (number, title) in items {
                out.broken.push(BrokenEvidence {
                    org_slug: slug.clone(),
                    reference: evidence_ref(number),
                    title,
                    sha256: bad.sha256.clone(),
                });
            }
        }
        Ok(out)
    }

    /// The register as a table (metadata only), for `isms export evidence`.
    pub async fn evidence_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the evidence register")?;
        let mut rows = Vec::new();
        let mut after = 0;
        let mut c = self.db.read().await?;
        loop {
            let page = store::all_after(&mut c, ctx.org.id, after, 500).await?;
            let n = page.len();
            if let Some(last) = page.last() {
                after = last.evidence.number;
            }
            for e in self.with_links(&mut c, ctx, page).await? {
                let (file_name, content_type, size, sha) = match &e.file {
                    Some(f) => (
                        f.file_name.clone(),
                        f.content_type.clone(),
                        f.size.to_string(),
                        f.sha256.clone(),
                    ),
                    None => Default::default(),
                };
                rows.push(vec![
                    e.reference,
                    e.kind,
                    e.title,
                    e.description,
                    e.url.unwrap_or_default(),
                    file_name,
                    content_type,
                    size,
                    sha,
                    e.collected_by_name.unwrap_or_default(),
                    e.collected_on,
                    e.period_from.unwrap_or_default(),
                    e.period_to.unwrap_or_default(),
                    e.valid_until.unwrap_or_default(),
                    if e.expired {
                        "expired"
                    } else if e.expiring_soon {
                        "expiring soon"
                    } else {
                        "current"
                    }
                    .to_owned(),
                    e.links
                        .iter()
                        .map(|l| l.label.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                ]);
            }
            if n < 500 {
                break;
            }
        }
        Ok(Table {
            title: format!("Evidence register of {}", ctx.org.name),
            headers: [
                "reference",
                "kind",
                "title",
                "description",
                "url",
                "file_name",
                "content_type",
                "size",
                "sha256",
                "collected_by",
                "collected_on",
                "period_from",
                "period_to",
                "valid_until",
                "status",
                "links",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }
}

fn link_row(e: &EvidenceRow, t: &Target) -> LinkRow {
    LinkRow {
        id: Uuid::now_v7(),
        org_id: e.org_id,
        evidence_id: e.id,
        evidence_number: e.number,
        target_kind: t.kind.as_str().to_owned(),
        target_ref: t.reference.clone(),
    }
}

/// The columns of the evidence import, as the evidence export writes them. The file's
/// name, type, size and SHA-256 come from the uploaded bytes and `status` from the
/// dates: all ignored.
pub const EVIDENCE_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "evidence id"]),
        Column::opt("kind"),
        Column::req("title").aka(&["name"]),
        Column::opt("description"),
        Column::opt("url").aka(&["link url"]),
        Column::opt("collected_by").aka(&["collector"]),
        Column::opt("collected_on").aka(&["collected", "date collected"]),
        Column::opt("period_from").aka(&["covers from"]),
        Column::opt("period_to").aka(&["covers to"]),
        Column::opt("valid_until").aka(&["expires", "expires on", "expiry"]),
        Column::opt("links").aka(&["supports"]).list(),
    ]
};

/// A link as the export writes it (`A.5.15`, `NW-07`, `Clause 6.1.3`, `R-012`), or as
/// `control:5.15`, `clause:6.1.3`, `risk:R-012`.
fn link_of_label(s: &str) -> NewLink {
    let t = s.trim();
    let starts = |p: &str| t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    for kind in ["control", "clause", "risk"] {
        if starts(&format!("{kind}:")) {
            return NewLink {
                kind: kind.to_owned(),
                reference: t.get(kind.len() + 1..).unwrap_or("").trim().to_owned(),
            };
        }
    }
    let kind = if starts("clause") {
        "clause"
    } else if starts("r") && parse_risk_ref(t).is_some() {
        "risk"
    } else {
        "control"
    };
    NewLink {
        kind: kind.to_owned(),
        reference: t.to_owned(),
    }
}

/// The links a `links` cell names, each read as the register reads a link (problems on
/// `links`), duplicates dropped.
fn wanted_links(v: &mut ValidationError, cell: &str) -> Vec<(NewLink, Target)> {
    let mut wanted: Vec<(NewLink, Target)> = Vec::new();
    for l in links_of_cell(cell) {
        if let Some(t) = v.check(parse_target("links", &l.kind, &l.reference))
            && !wanted.iter().any(|(_, w)| *w == t)
        {
            wanted.push((l, t));
        }
    }
    wanted
}

/// The links a cell names (`; `-separated labels).
fn links_of_cell(s: &str) -> Vec<NewLink> {
    isms_domain::import::split_list(s)
        .iter()
        .map(|l| link_of_label(l))
        .collect()
}

impl App {
    /// Import the evidence register's metadata from CSV or XLSX (see `import_rows`). A
    /// row updates the metadata and links of existing evidence (a file or a link), or
    /// records a new link; evidence with a file is uploaded, not imported.
    pub(crate) async fn import_evidence(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::documents::with_row_problems;
        use crate::import_rows::{Outcome, Sheet, new_opt, new_text};
        use isms_domain::import::RowAction;
        ctx.require(Permission::Write, "import evidence")?;
        let sheet = Sheet::read(bytes, EVIDENCE_COLUMNS, progress)?;
        let current = self.evidence_table(ctx).await?;
        let plan = sheet.plan("EV", EVIDENCE_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let people = self.people(&mut tx, ctx).await?;
        let mut existing: HashMap<i64, Evidence> = HashMap::new();
        let mut after = 0;
        loop {
            let page = store::all_after(&mut tx, ctx.org.id, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.evidence.number;
            for e in self.with_links(&mut tx, ctx, page).await? {
                existing.insert(e.number, e);
            }
        }
        let mut out = Outcome::new("evidence", &sheet, plan.len(), dry_run);
        progress.start("importing evidence", plan.len() as u64);
        for (c, action) in &plan {
            let reference = evidence_ref(action.number());
            let mut pre = ValidationError::new();
            let kind = match c.get("kind") {
                "" => None,
                k => pre.check(EvidenceKind::parse("kind", k)),
            };
            match *action {
                RowAction::Create(n) => {
                    if kind == Some(EvidenceKind::File) {
                        pre.push(
                            "kind",
                            format!(
                                "{reference} is not in the register: evidence with a file is \
                                 uploaded, not imported (only links can be created from a file)"
                            ),
                        );
                    }
                    let collected_by = people.cell(&mut pre, c, "collected_by");
                    let input = NewEvidence {
                        kind: Some(EvidenceKind::Link.as_str().to_owned()),
                        title: new_text(c, "title"),
                        description: new_text(c, "description"),
                        url: Some(new_text(c, "url")),
                        collected_by,
                        collected_on: new_opt(c, "collected_on"),
                        period_from: new_opt(c, "period_from"),
                        period_to: new_opt(c, "period_to"),
                        valid_until: new_opt(c, "valid_until"),
                        links: links_of_cell(c.get("links")),
                    };
                    let r = if kind == Some(EvidenceKind::File) {
                        Ok(())
                    } else {
                        self.create_evidence_in(&mut tx, actor, ctx, &input, None, Some(n))
                            .await
                            .map(|_| ())
                    };
                    out.row(c.line, *action, reference, with_row_problems(pre, r, &[]))?;
                }
                RowAction::Update(n) => {
                    let Some(e) = existing.get(&n) else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    if let Some(k) = kind
                        && k.as_str() != e.kind
                    {
                        pre.push(
                            "kind",
                            format!(
                                "{reference} is a {}; a file stays a file and a link a link \
                                 (record new evidence instead)",
                                e.kind
                            ),
                        );
                    }
                    let differs = |name: &str, now: &str| {
                        c.opt(name)
                            .filter(|s| s.trim() != now.trim())
                            .map(str::to_owned)
                    };
                    let day = |name: &str, now: &Option<String>| {
                        c.opt(name)
                            .filter(|s| s.trim() != now.as_deref().unwrap_or(""))
                            .map(|s| Some(s.to_owned()).filter(|s| !s.is_empty()))
                    };
                    let collected_by = match c.opt("collected_by") {
                        None => None,
                        Some(_) => {
                            let u = people.cell(&mut pre, c, "collected_by");
                            (u != e.collected_by).then_some(u)
                        }
                    };
                    let patch = EvidencePatch {
                        title: differs("title", &e.title),
                        description: differs("description", &e.description),
                        url: differs("url", e.url.as_deref().unwrap_or("")),
                        collected_by,
                        collected_on: differs("collected_on", &e.collected_on),
                        period_from: day("period_from", &e.period_from),
                        period_to: day("period_to", &e.period_to),
                        valid_until: day("valid_until", &e.valid_until),
                        version: e.version,
                    };
                    let meta = patch.title.is_some()
                        || patch.description.is_some()
                        || patch.url.is_some()
                        || patch.collected_by.is_some()
                        || patch.collected_on.is_some()
                        || patch.period_from.is_some()
                        || patch.period_to.is_some()
                        || patch.valid_until.is_some();
                    // Links are read first so that bad ones are named with the rest.
                    let wanted = c.opt("links").map(|cell| wanted_links(&mut pre, cell));
                    let mut r = if meta {
                        self.update_evidence_in(&mut tx, actor, ctx, e.id, &patch)
                            .await
                            .map(|_| ())
                    } else {
                        Ok(())
                    };
                    let mut relinked = false;
                    if r.is_ok()
                        && pre.is_empty()
                        && let Some(wanted) = &wanted
                    {
                        r = match self.relink_evidence(&mut tx, actor, ctx, e, wanted).await {
                            Ok(changed) => {
                                relinked = changed;
                                Ok(())
                            }
                            Err(e) => Err(e),
                        };
                    }
                    match with_row_problems(pre, r, &[]) {
                        // Only spelt differently (a collector by e-mail, `a.5.15`).
                        Ok(()) if !meta && !relinked => out.unchanged(),
                        r => out.row(c.line, *action, reference, r)?,
                    }
                }
                RowAction::Unchanged(_) => out.unchanged(),
            }
            progress.advance(1);
        }
        out.finish(self, tx, actor, ctx, progress).await
    }

    /// Make a piece of evidence support what a `links` cell names, adding and taking off
    /// links through the register's own link changes; whether any changed.
    async fn relink_evidence(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        e: &Evidence,
        wanted: &[(NewLink, Target)],
    ) -> AppResult<bool> {
        let have: Vec<Target> = e
            .links
            .iter()
            .filter_map(|l| {
                TargetKind::from_stored(&l.kind).map(|kind| Target {
                    kind,
                    reference: l.reference.clone(),
                })
            })
            .collect();
        let mut changed = false;
        for t in have.iter().filter(|t| !wanted.iter().any(|(_, w)| w == *t)) {
            self.remove_evidence_link_in(tx, actor, ctx, e.id, t.kind.as_str(), &t.reference)
                .await?;
            changed = true;
        }
        for (l, _) in wanted.iter().filter(|(_, w)| !have.contains(w)) {
            // A link the register refuses is named on the row's `links`.
            match self.add_evidence_link_in(tx, actor, ctx, e.id, l).await {
                Err(AppError::Validation(v)) => {
                    let mut w = ValidationError::new();
                    for fe in v.errors {
                        w.push("links", fe.message);
                    }
                    return Err(w.into());
                }
                r => r?,
            };
            changed = true;
        }
        Ok(changed)
    }
}
