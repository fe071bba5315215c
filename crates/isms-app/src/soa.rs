//! The Statement of Applicability (6.1.3 d), services.
//!
//! - Versions follow `isms_domain::foundation::versioned` (`DocKind::Soa`): one draft at a
//!   time, approval by someone with the approve permission, approved versions frozen, a
//!   new draft copying the latest approved version's decisions.
//! - Each version holds one entry per Annex A control. In a draft the derived reasons
//!   (risks treating the control, requirements naming it) and the implementation status
//!   are computed live; approval freezes them into the entries.
//! - A page of the SoA is a fixed number of queries: the version, its entries, the risk
//!   links, the interested parties, the implementation statuses, the scope in force.
//!
//! Linked documents and evidence: [`App::soa_entry_links`] returns, per control, the
//! documents (document register) and evidence (evidence register) linked to it, shown
//! beside each row on the page, in the API and in every export; read live, also for
//! approved versions (the decisions and reasons are what approval freezes).

use crate::exports::{ExportFile, report_bytes, table_bytes};
use crate::foundation::{Approve, NewDocVersion};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, page_limit, record};
use isms_db::soa::{self as store, SoaEntryRow, SoaVersionRow};
use isms_db::{AsConn, Ts};
use isms_domain::ValidationError;
use isms_domain::catalogue::{Theme, catalogue};
use isms_domain::control::{ControlRef, parse_control_ref};
use isms_domain::foundation::registers::Party;
use isms_domain::foundation::versioned::{
    DocKind, VersionStatus, frozen_reason, new_draft_blocked,
};
use isms_domain::rbac::Permission;
use isms_domain::soa::{
    self as rules, Applicability, Completeness, ControlDiff, Decision, Entry, Gap,
    NamingRequirement, Reason, TreatingRisk,
};
use isms_export::{Report, Section, Table, TableFormat};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

const KIND: DocKind = DocKind::Soa;

/// One version of the SoA (without its entries).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SoaVersion {
    pub id: Uuid,
    /// Version number within the organisation (1, 2, …).
    pub number: i64,
    /// `draft`, `approved` (in force) or `superseded`.
    pub status: String,
    /// What the version started from: `new` or an earlier version.
    pub based_on: String,
    pub change_note: String,
    /// The number of the approved scope statement it refers to (fixed on approval).
    pub scope_version: Option<i64>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl SoaVersion {
    pub fn is_draft(&self) -> bool {
        self.status == VersionStatus::Draft.as_str()
    }

    /// "Version 2 (draft)".
    pub fn title(&self) -> String {
        format!("Version {} ({})", self.number, self.status)
    }
}

/// Pieces of evidence listed per SoA row, newest first; the rest are counted and linked.
const EVIDENCE_SHOWN: i64 = 5;

/// A record linked to an SoA row (documents, evidence): see [`App::soa_entry_links`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryLink {
    /// `document` or `evidence`.
    pub kind: String,
    pub title: String,
    pub link: String,
}

/// One row of the SoA: an Annex A control and what was decided for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SoaEntry {
    /// `5.15`.
    pub control: String,
    pub title: String,
    /// `organizational`, `people`, `physical` or `technological`.
    pub theme: String,
    pub applicable: Applicability,
    /// Free text on why the control is included.
    pub inclusion_note: String,
    /// Why the control is not applicable.
    pub exclusion_justification: String,
    /// Reasons derived from risks and requirements (live in a draft, frozen on approval).
    pub reasons: Vec<Reason>,
    /// From the control register (live in a draft, frozen on approval).
    pub implementation_status: String,
    /// What is missing, if anything.
    pub gap: Option<Gap>,
    /// A contradiction with the control register, if any.
    pub warning: Option<String>,
    /// Linked documents and evidence.
    pub links: Vec<EntryLink>,
    pub version: i64,
}

impl SoaEntry {
    pub fn decision(&self) -> Decision {
        Decision {
            applicable: self.applicable,
            inclusion_note: self.inclusion_note.clone(),
            exclusion_justification: self.exclusion_justification.clone(),
        }
    }

    fn as_rule_entry(&self) -> Entry {
        Entry {
            control: self.control.clone(),
            decision: self.decision(),
            reasons: self.reasons.clone(),
            implementation_status: self.implementation_status.clone(),
        }
    }

    pub fn status_label(&self) -> &'static str {
        rules::status_label(&self.implementation_status)
    }
}

/// The scope statement an SoA refers to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeReference {
    pub number: i64,
    pub approved_at: Option<String>,
    /// "Scope statement version 1, approved 2026-01-12".
    pub label: String,
}

/// A version with every entry, its completeness and the warnings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SoaDetail {
    #[serde(flatten)]
    pub soa: SoaVersion,
    pub scope: Option<ScopeReference>,
    pub completeness: Completeness,
    /// Contradictions between the SoA and the control register.
    pub warnings: Vec<String>,
    /// The entries (all 93, or those the filter keeps), in catalogue order.
    pub entries: Vec<SoaEntry>,
}

/// Which entries to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoaFilter {
    Undecided,
    Applicable,
    Excluded,
    /// Anything missing (undecided, no reason, no justification).
    Incomplete,
}

impl SoaFilter {
    pub fn parse(s: Option<&str>) -> AppResult<Option<Self>> {
        match s.map(str::trim).unwrap_or("") {
            "" | "all" => Ok(None),
            "undecided" => Ok(Some(Self::Undecided)),
            "applicable" => Ok(Some(Self::Applicable)),
            "excluded" => Ok(Some(Self::Excluded)),
            "incomplete" => Ok(Some(Self::Incomplete)),
            _ => Err(ValidationError::single(
                "show",
                "must be undecided, applicable, excluded or incomplete",
            )
            .into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Undecided => "undecided",
            Self::Applicable => "applicable",
            Self::Excluded => "excluded",
            Self::Incomplete => "incomplete",
        }
    }
}

/// Change one entry of a draft; send the entry's `version`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SoaEntryPatch {
    pub applicable: Option<Applicability>,
    pub inclusion_note: Option<String>,
    pub exclusion_justification: Option<String>,
    pub version: i64,
}

/// What changed between two versions, per control.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SoaDiff {
    pub from: SoaVersion,
    pub to: SoaVersion,
    pub changes: Vec<ControlDiff>,
}

/// How one control changes in an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportChange {
    /// `5.15`.
    pub control: String,
    pub title: String,
    pub before: Applicability,
    pub after: Applicability,
    pub inclusion_note_changed: bool,
    pub exclusion_justification_changed: bool,
    /// The lines and control ids it came from: `line 4: A.9.1.1`.
    pub from: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// The draft written to (or that would be written to).
    pub version: i64,
    /// A draft was (or would be) started for the import.
    pub new_draft: bool,
    /// Data rows read.
    pub rows: usize,
    /// 2022 controls the file decides.
    pub controls: usize,
    /// Controls whose entry changes.
    pub changes: Vec<ImportChange>,
    /// Controls the file decides exactly as they already were.
    pub unchanged: usize,
}

/// The live inputs of the derived reasons, loaded once per page.
#[derive(Debug, Clone, Default)]
pub struct Live {
    risks: HashMap<String, Vec<TreatingRisk>>,
    /// Open risks of a control beyond those in `risks`.
    more_risks: HashMap<String, rules::MoreRisks>,
    requirements: HashMap<String, Vec<NamingRequirement>>,
    status: HashMap<String, String>,
}

impl Live {
    /// Whether any open risk or requirement gives a reason for `control`.
    pub(crate) fn has_reasons(&self, control: &str) -> bool {
        !self.reasons(control).is_empty()
    }

    fn reasons(&self, control: &str) -> Vec<Reason> {
        rules::derive_reasons_with_more(
            self.risks.get(control).map_or(&[][..], Vec::as_slice),
            self.more_risks.get(control),
            self.requirements
                .get(control)
                .map_or(&[][..], Vec::as_slice),
        )
    }

    fn status(&self, control: &str) -> String {
        self.status
            .get(control)
            .cloned()
            .unwrap_or_else(|| "not_started".to_owned())
    }
}

fn view(r: SoaVersionRow) -> SoaVersion {
    SoaVersion {
        id: r.id,
        number: r.number,
        status: r.status,
        based_on: r.based_on,
        change_note: r.change_note,
        scope_version: r.scope_version,
        approved_by: r.approved_by_name,
        approved_at: r.approved_at.map(|t| t.0.rfc3339()),
        created_at: r.created_at.0.rfc3339(),
        updated_at: r.updated_at.0.rfc3339(),
        version: r.version,
    }
}

fn status_of(r: &SoaVersionRow) -> AppResult<VersionStatus> {
    VersionStatus::parse("status", &r.status)
        .map_err(|_| AppError::Internal(format!("SoA version {} has status {}", r.id, r.status)))
}

fn version_snapshot(r: &SoaVersionRow) -> serde_json::Value {
    serde_json::json!({
        "number": r.number,
        "status": r.status,
        "change_note": r.change_note,
        "scope_version": r.scope_version,
    })
}

fn decision_of(r: &SoaEntryRow) -> AppResult<Decision> {
    Ok(Decision {
        applicable: Applicability::parse("applicable", &r.applicable).map_err(|_| {
            AppError::Internal(format!(
                "SoA entry {} has applicable {}",
                r.id, r.applicable
            ))
        })?,
        inclusion_note: r.inclusion_note.clone(),
        exclusion_justification: r.exclusion_justification.clone(),
    })
}

/// The entry with a new decision, as it is written.
fn with_decision(row: &SoaEntryRow, d: &Decision, now: Ts) -> SoaEntryRow {
    SoaEntryRow {
        applicable: d.applicable.as_str().to_owned(),
        inclusion_note: d.inclusion_note.clone(),
        exclusion_justification: d.exclusion_justification.clone(),
        updated_at: now,
        ..row.clone()
    }
}

fn decision_snapshot(d: &Decision) -> serde_json::Value {
    serde_json::json!({
        "applicable": d.applicable.as_str(),
        "inclusion_note": d.inclusion_note,
        "exclusion_justification": d.exclusion_justification,
    })
}

/// The Annex A control a path or form names (`5.15`, `A.5.15`); anything else is not
/// found.
pub fn annex_a_control(raw: &str) -> AppResult<String> {
    match parse_control_ref("control", raw) {
        Ok(ControlRef::AnnexA(id)) => Ok(id),
        _ => Err(AppError::NotFound("control")),
    }
}

fn theme_str(control: &str) -> &'static str {
    rules::theme_of(control).map_or("", Theme::as_str)
}

fn position_of(control: &str) -> i64 {
    catalogue()
        .controls()
        .iter()
        .position(|c| c.id == control)
        .and_then(|p| i64::try_from(p).ok())
        .unwrap_or(i64::MAX)
}

fn not_found() -> AppError {
    AppError::NotFound("SoA version")
}

/// Build a row as shown: frozen reasons and status for approved versions, live for drafts.
fn build_entry(
    r: &SoaEntryRow,
    draft: bool,
    live: &Live,
    links: &HashMap<String, Vec<EntryLink>>,
) -> AppResult<SoaEntry> {
    let d = decision_of(r)?;
    let (reasons, status) = if draft {
        (live.reasons(&r.control_id), live.status(&r.control_id))
    } else {
        (
            r.frozen_reasons
                .as_deref()
                .map(serde_json::from_str::<Vec<Reason>>)
                .transpose()
                .map_err(|e| AppError::Internal(format!("SoA entry {}: {e}", r.id)))?
                .unwrap_or_default(),
            r.frozen_status
                .clone()
                .unwrap_or_else(|| "not_started".to_owned()),
        )
    };
    let rule = Entry {
        control: r.control_id.clone(),
        decision: d.clone(),
        reasons,
        implementation_status: status,
    };
    Ok(SoaEntry {
        title: catalogue()
            .control(&r.control_id)
            .map(|c| c.title.clone())
            .unwrap_or_default(),
        theme: theme_str(&r.control_id).to_owned(),
        gap: rules::gap(&rule),
        warning: rules::warning(&rule),
        links: links.get(&r.control_id).cloned().unwrap_or_default(),
        control: rule.control,
        applicable: d.applicable,
        inclusion_note: d.inclusion_note,
        exclusion_justification: d.exclusion_justification,
        reasons: rule.reasons,
        implementation_status: rule.implementation_status,
        version: r.version,
    })
}

impl App {
    fn require_read(ctx: &OrgCtx) -> AppResult<()> {
        ctx.require(Permission::Read, "see the Statement of Applicability")
    }

    /// The live inputs of the derived reasons: three queries for the whole organisation.
    pub(crate) async fn soa_live(&self, c: &mut impl AsConn, ctx: &OrgCtx) -> AppResult<Live> {
        let slug = &ctx.org.slug;
        let mut live = Live::default();
        let shown = i64::try_from(rules::RISK_REASONS_SHOWN).unwrap_or(i64::MAX);
        for l in store::open_risk_links(c, ctx.org.id, shown).await? {
            let beyond = usize::try_from(l.open_count - shown).unwrap_or(0);
            if beyond > 0 && !live.more_risks.contains_key(&l.control_id) {
                live.more_risks.insert(
                    l.control_id.clone(),
                    rules::MoreRisks {
                        count: beyond,
                        link: format!(
                            "/o/{slug}/controls/{}",
                            isms_domain::control::display_ref(&l.control_id)
                        ),
                    },
                );
            }
            live.risks
                .entry(l.control_id)
                .or_default()
                .push(TreatingRisk {
                    number: l.number,
                    title: l.title,
                    status: l.status,
                    link: format!("/o/{slug}/risks/{}", l.risk_id),
                });
        }
        let parties = isms_db::foundation::list_entries(
            c,
            ctx.org.id,
            "interested_party",
            &isms_db::foundation::EntryFilter::default(),
            None,
            100_000,
        )
        .await?;
        for p in parties {
            let Ok(body) = serde_json::from_str::<Party>(&p.entry.body) else {
                continue;
            };
            for q in &body.requirements {
                for ctl in &q.controls {
                    live.requirements
                        .entry(ctl.clone())
                        .or_default()
                        .push(NamingRequirement {
                            party_number: p.entry.number,
                            party_name: body.name.clone(),
                            source: q.source.clone(),
                            text: q.text.clone(),
                            reference: q.reference.clone(),
                            link: format!("/o/{slug}/isms/parties/{}", p.entry.id),
                        });
                }
            }
        }
        let annex_a: Vec<String> = catalogue()
            .controls()
            .iter()
            .map(|x| x.id.clone())
            .collect();
        live.status = crate::controls::status_of(c, ctx.org.id, &annex_a)
            .await?
            .into_iter()
            .map(|(r, st)| (r, st.as_str().to_owned()))
            .collect();
        Ok(live)
    }

    /// Documents and evidence linked to each control, for the SoA rows (`controls` are
    /// Annex A ids): one query for the document register; for the evidence register the
    /// [`EVIDENCE_SHOWN`] newest pieces per control and one line counting the rest, which
    /// leads to the control's evidence history (a large register links thousands of
    /// pieces to one control). Retired documents are left out; expired evidence is
    /// shown, marked as expired, so that a reader sees the gap rather than nothing.
    pub async fn soa_entry_links(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        controls: &[String],
    ) -> AppResult<HashMap<String, Vec<EntryLink>>> {
        let wanted: std::collections::HashSet<&str> = controls.iter().map(String::as_str).collect();
        let slug = &ctx.org.slug;
        let mut out: HashMap<String, Vec<EntryLink>> = HashMap::new();
        for (control, id, number, title, status) in
            isms_db::documents::control_links(c, ctx.org.id).await?
        {
            if !wanted.contains(control.as_str()) || status == "retired" {
                continue;
            }
            let state = match status.as_str() {
                "approved" => String::new(),
                other => format!(" ({})", other.replace('_', " ")),
            };
            out.entry(control).or_default().push(EntryLink {
                kind: "document".to_owned(),
                title: format!(
                    "{} {}{state}",
                    isms_domain::document::reference(number),
                    title
                ),
                link: format!("/o/{slug}/documents/{id}"),
            });
        }
        let today = self.today();
        let shown: Vec<String> = controls
            .iter()
            .filter(|c| wanted.contains(c.as_str()))
            .cloned()
            .collect();
        for e in
            isms_db::evidence::newest_control_links(c, ctx.org.id, &shown, EVIDENCE_SHOWN).await?
        {
            let expired = isms_domain::evidence::is_expired(e.valid_until.map(|d| d.0), today);
            out.entry(e.control_ref).or_default().push(EntryLink {
                kind: "evidence".to_owned(),
                title: format!(
                    "{} {}{}",
                    isms_domain::evidence::evidence_ref(e.number),
                    e.title,
                    if expired { " (expired)" } else { "" }
                ),
                link: format!("/o/{slug}/evidence/{}", e.id),
            });
        }
        // Beyond the newest few, one line leads to the control's whole evidence history.
        for (control, linked) in isms_db::evidence::control_link_counts(c, ctx.org.id).await? {
            if linked <= EVIDENCE_SHOWN || !wanted.contains(control.as_str()) {
                continue;
            }
            let more = linked - EVIDENCE_SHOWN;
            out.entry(control.clone()).or_default().push(EntryLink {
                kind: "evidence".to_owned(),
                title: format!(
                    "and {more} more piece{} of evidence",
                    if more == 1 { "" } else { "s" }
                ),
                link: format!("/o/{slug}/evidence?control={control}"),
            });
        }
        Ok(out)
    }

    /// Versions, newest first (keyset on the number).
    pub async fn list_soa_versions(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<SoaVersion>> {
        Self::require_read(ctx)?;
        let limit = page_limit(limit);
        let before = crate::decode_number_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows = store::list_versions(&mut c, ctx.org.id, before, limit + 1).await?;
        Ok(crate::paginate(rows, limit, |r| r.number.to_string(), view))
    }

    /// The number of the version an export uses by default: the one in force, else the
    /// draft.
    pub async fn default_soa_number(&self, ctx: &OrgCtx) -> AppResult<Option<i64>> {
        Self::require_read(ctx)?;
        let mut c = self.db.read().await?;
        if let Some(v) = store::version_in_status(&mut c, ctx.org.id, "approved").await? {
            return Ok(Some(v.number));
        }
        Ok(store::version_in_status(&mut c, ctx.org.id, "draft")
            .await?
            .map(|v| v.number))
    }

    async fn scope_reference(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        fixed: Option<i64>,
        draft: bool,
    ) -> AppResult<Option<ScopeReference>> {
        let row = match (draft, fixed) {
            (false, Some(n)) => {
                // The version fixed on approval (kept even when superseded since).
                let docs =
                    isms_db::foundation::list_docs(c, ctx.org.id, "scope", Some(n + 1), 1).await?;
                docs.into_iter().find(|d| d.number == n)
            }
            (false, None) => None,
            (true, _) => {
                isms_db::foundation::doc_in_status(c, ctx.org.id, "scope", "approved").await?
            }
        };
        Ok(row.map(|d| {
            let at = d.approved_at.map(|t| t.0.rfc3339());
            ScopeReference {
                label: match &at {
                    Some(a) => format!(
                        "Scope statement version {}, approved {}",
                        d.number,
                        a.get(..10).unwrap_or(a)
                    ),
                    None => format!("Scope statement version {}", d.number),
                },
                number: d.number,
                approved_at: at,
            }
        }))
    }

    /// One version with its entries (all, or those `filter` keeps), completeness and
    /// warnings.
    pub async fn get_soa(
        &self,
        ctx: &OrgCtx,
        number: i64,
        filter: Option<SoaFilter>,
    ) -> AppResult<SoaDetail> {
        self.soa_view(ctx, number, filter, true).await
    }

    /// A version with its entries, completeness and warnings but without each entry's
    /// linked documents and evidence (the dashboard's counts and the SoA overview need
    /// only the decisions and their reasons).
    pub async fn get_soa_decisions(&self, ctx: &OrgCtx, number: i64) -> AppResult<SoaDetail> {
        self.soa_view(ctx, number, None, false).await
    }

    async fn soa_view(
        &self,
        ctx: &OrgCtx,
        number: i64,
        filter: Option<SoaFilter>,
        with_links: bool,
    ) -> AppResult<SoaDetail> {
        Self::require_read(ctx)?;
        let mut c = self.db.read().await?;
        let key = crate::kept::KeptKey::read(&mut c, ctx.org.id, self.today()).await?;
        let v = store::version_by_number(&mut c, ctx.org.id, number)
            .await?
            .ok_or_else(not_found)?;
        // A draft's reasons come from every open risk's control links: kept between
        // views until the organisation's records change (read connections only).
        let live = if status_of(&v)? == VersionStatus::Draft {
            match self.soa_live_cache.get(ctx.org.id, key) {
                Some(l) => Some(l),
                None => {
                    let l = self.soa_live(&mut c, ctx).await?;
                    self.soa_live_cache.put(ctx.org.id, key, &l);
                    Some(l)
                }
            }
        } else {
            None
        };
        self.soa_detail_with(&mut c, ctx, v, filter, with_links, live)
            .await
    }

    async fn soa_detail(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: SoaVersionRow,
        filter: Option<SoaFilter>,
    ) -> AppResult<SoaDetail> {
        self.soa_detail_with(c, ctx, v, filter, true, None).await
    }

    async fn soa_detail_with(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: SoaVersionRow,
        filter: Option<SoaFilter>,
        with_links: bool,
        kept: Option<Live>,
    ) -> AppResult<SoaDetail> {
        let draft = status_of(&v)? == VersionStatus::Draft;
        let rows = store::entries(c, ctx.org.id, v.id, None).await?;
        let live = match kept {
            Some(l) => l,
            None if draft => self.soa_live(c, ctx).await?,
            None => Live::default(),
        };
        let links = if with_links {
            let controls: Vec<String> = rows.iter().map(|r| r.control_id.clone()).collect();
            self.soa_entry_links(c, ctx, &controls).await?
        } else {
            HashMap::new()
        };
        let all = rows
            .iter()
            .map(|r| build_entry(r, draft, &live, &links))
            .collect::<AppResult<Vec<_>>>()?;
        let rule_entries: Vec<Entry> = all.iter().map(SoaEntry::as_rule_entry).collect();
        let completeness = rules::completeness(&rule_entries);
        let warnings = rule_entries.iter().filter_map(rules::warning).collect();
        let scope = self.scope_reference(c, ctx, v.scope_version, draft).await?;
        let entries = all
            .into_iter()
            .filter(|e| match filter {
                None => true,
                Some(SoaFilter::Undecided) => e.applicable == Applicability::Undecided,
                Some(SoaFilter::Applicable) => e.applicable == Applicability::Yes,
                Some(SoaFilter::Excluded) => e.applicable == Applicability::No,
                Some(SoaFilter::Incomplete) => e.gap.is_some(),
            })
            .collect();
        Ok(SoaDetail {
            soa: view(v),
            scope,
            completeness,
            warnings,
            entries,
        })
    }

    /// One entry of a version.
    pub async fn get_soa_entry(
        &self,
        ctx: &OrgCtx,
        number: i64,
        control: &str,
    ) -> AppResult<(SoaVersion, SoaEntry)> {
        Self::require_read(ctx)?;
        let control = annex_a_control(control)?;
        let mut c = self.db.read().await?;
        let v = store::version_by_number(&mut c, ctx.org.id, number)
            .await?
            .ok_or_else(not_found)?;
        let draft = status_of(&v)? == VersionStatus::Draft;
        let r = store::entry(&mut c, ctx.org.id, v.id, &control)
            .await?
            .ok_or(AppError::NotFound("control"))?;
        let live = if draft {
            self.soa_live(&mut c, ctx).await?
        } else {
            Live::default()
        };
        let links = self
            .soa_entry_links(&mut c, ctx, std::slice::from_ref(&control))
            .await?;
        let e = build_entry(&r, draft, &live, &links)?;
        Ok((view(v), e))
    }

    /// Start a draft from the latest approved version (or with every control undecided).
    /// One draft at a time (409).
    pub async fn create_soa_draft(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewDocVersion,
    ) -> AppResult<SoaVersion> {
        ctx.require(Permission::Write, "change the Statement of Applicability")?;
        let mut v = ValidationError::new();
        let note = crate::foundation::parse_note(&mut v, &input.change_note);
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        let row = self.create_draft_tx(&mut tx, actor, ctx, &note).await?;
        tx.commit().await?;
        Ok(view(row))
    }

    async fn create_draft_tx(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        note: &str,
    ) -> AppResult<SoaVersionRow> {
        let draft = store::version_in_status(tx, ctx.org.id, "draft").await?;
        if let Some(msg) = new_draft_blocked(KIND, draft.map(|d| d.number)) {
            return Err(AppError::Conflict(msg));
        }
        let base = store::version_in_status(tx, ctx.org.id, "approved").await?;
        let base_entries = match &base {
            Some(b) => store::entries(tx, ctx.org.id, b.id, None).await?,
            None => Vec::new(),
        };
        let now = Ts(self.now());
        let row = SoaVersionRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: store::max_number(tx, ctx.org.id).await? + 1,
            status: "draft".into(),
            based_on: base
                .as_ref()
                .map_or_else(|| "new".to_owned(), |b| format!("version {}", b.number)),
            change_note: note.to_owned(),
            scope_version: None,
            approved_by: None,
            approved_by_name: None,
            approved_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_version(tx, &row).await?;
        for ctl in catalogue().controls() {
            let from = base_entries.iter().find(|e| e.control_id == ctl.id);
            store::insert_entry(
                tx,
                &SoaEntryRow {
                    id: Uuid::now_v7(),
                    org_id: ctx.org.id,
                    soa_id: row.id,
                    control_id: ctl.id.clone(),
                    position: position_of(&ctl.id),
                    applicable: from.map_or_else(
                        || Applicability::Undecided.as_str().to_owned(),
                        |e| e.applicable.clone(),
                    ),
                    inclusion_note: from.map(|e| e.inclusion_note.clone()).unwrap_or_default(),
                    exclusion_justification: from
                        .map(|e| e.exclusion_justification.clone())
                        .unwrap_or_default(),
                    frozen_reasons: None,
                    frozen_status: None,
                    updated_at: now,
                    version: 1,
                },
            )
            .await?;
        }
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "soa_version",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "started version {} of the Statement of Applicability from {}",
                    row.number, row.based_on
                ),
                before: None,
                after: Some(version_snapshot(&row)),
            },
        )
        .await?;
        Ok(row)
    }

    /// Change one entry of a draft. Approved and superseded versions are frozen (409); a
    /// control that is not applicable needs a justification (422).
    pub async fn update_soa_entry(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        number: i64,
        control: &str,
        patch: &SoaEntryPatch,
    ) -> AppResult<SoaEntry> {
        ctx.require(Permission::Write, "change the Statement of Applicability")?;
        let control = annex_a_control(control)?;
        let mut tx = self.db.begin().await?;
        let v = store::version_by_number(&mut tx, ctx.org.id, number)
            .await?
            .ok_or_else(not_found)?;
        if let Some(msg) = frozen_reason(KIND, v.number, status_of(&v)?) {
            return Err(AppError::Conflict(msg));
        }
        let before = store::entry(&mut tx, ctx.org.id, v.id, &control)
            .await?
            .ok_or(AppError::NotFound("control"))?;
        if before.version != patch.version {
            return Err(AppError::stale("SoA entry"));
        }
        let old = decision_of(&before)?;
        let new = rules::check_decision(
            &control,
            &Decision {
                applicable: patch.applicable.unwrap_or(old.applicable),
                inclusion_note: patch
                    .inclusion_note
                    .clone()
                    .unwrap_or_else(|| old.inclusion_note.clone()),
                exclusion_justification: patch
                    .exclusion_justification
                    .clone()
                    .unwrap_or_else(|| old.exclusion_justification.clone()),
            },
        )?;
        let now = Ts(self.now());
        if !store::touch_draft(&mut tx, ctx.org.id, v.id, now).await? {
            return Err(AppError::Conflict(
                frozen_reason(KIND, v.number, VersionStatus::Approved).unwrap_or_default(),
            ));
        }
        let mut row = with_decision(&before, &new, now);
        if !store::update_entry(&mut tx, &row, patch.version).await? {
            return Err(AppError::stale("SoA entry"));
        }
        row.version += 1;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "soa_entry",
                entity_id: format!("{}:{control}", v.id),
                action: "update",
                summary: format!(
                    "SoA version {}, {}",
                    v.number,
                    rules::change_summary(&control, &old, &new)
                ),
                before: Some(decision_snapshot(&old)),
                after: Some(decision_snapshot(&new)),
            },
        )
        .await?;
        tx.commit().await?;
        let mut c = self.db.read().await?;
        let live = self.soa_live(&mut c, ctx).await?;
        let links = self
            .soa_entry_links(&mut c, ctx, std::slice::from_ref(&control))
            .await?;
        build_entry(&row, true, &live, &links)
    }

    /// Approve a draft (approve permission): every control decided and justified; the
    /// derived reasons and statuses are frozen, the scope in force is recorded, and the
    /// version before it is superseded.
    pub async fn approve_soa(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        number: i64,
        input: &Approve,
    ) -> AppResult<SoaVersion> {
        ctx.require(
            Permission::Approve,
            "approve the Statement of Applicability",
        )?;
        let Some(approver) = actor.id() else {
            return Err(AppError::forbidden(
                "approve the Statement of Applicability (a person must approve it)",
            ));
        };
        let mut tx = self.db.begin().await?;
        let before = store::version_by_number(&mut tx, ctx.org.id, number)
            .await?
            .ok_or_else(not_found)?;
        if status_of(&before)? != VersionStatus::Draft {
            return Err(AppError::Conflict(format!(
                "version {} of the Statement of Applicability is already {}",
                before.number, before.status
            )));
        }
        let scope = isms_db::foundation::doc_in_status(&mut tx, ctx.org.id, "scope", "approved")
            .await?
            .map(|d| d.number);
        let previous = store::version_in_status(&mut tx, ctx.org.id, "approved").await?;
        let now = Ts(self.now());
        // Approve first: the row lock keeps entry changes out until this commits, and a
        // change since the approver's read makes the version stale.
        if !store::approve(
            &mut tx,
            ctx.org.id,
            before.id,
            approver,
            scope,
            input.version,
            now,
        )
        .await?
        {
            return Err(AppError::stale("Statement of Applicability"));
        }
        let rows = store::entries(&mut tx, ctx.org.id, before.id, None).await?;
        let live = self.soa_live(&mut tx, ctx).await?;
        let mut entries = Vec::new();
        for r in &rows {
            entries.push(Entry {
                control: r.control_id.clone(),
                decision: decision_of(r)?,
                reasons: live.reasons(&r.control_id),
                implementation_status: live.status(&r.control_id),
            });
        }
        rules::check_approvable(&entries)?;
        for (r, e) in rows.iter().zip(&entries) {
            let reasons = serde_json::to_string(&e.reasons)
                .map_err(|err| AppError::Internal(err.to_string()))?;
            store::freeze_entry(
                &mut tx,
                ctx.org.id,
                r.id,
                &reasons,
                &e.implementation_status,
            )
            .await?;
        }
        let after = store::version_by_number(&mut tx, ctx.org.id, number)
            .await?
            .ok_or_else(not_found)?;
        let c = rules::completeness(&entries);
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "soa_version",
                entity_id: after.id.to_string(),
                action: "approve",
                summary: format!(
                    "approved version {} of the Statement of Applicability ({} applicable, {} excluded){}",
                    after.number,
                    c.applicable,
                    c.excluded,
                    previous
                        .as_ref()
                        .map(|p| format!("; version {} superseded", p.number))
                        .unwrap_or_default()
                ),
                before: Some(version_snapshot(&before)),
                after: Some(version_snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view(after))
    }

    /// Delete a draft (approved and superseded versions stay as records: 409).
    pub async fn delete_soa_draft(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        number: i64,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "change the Statement of Applicability")?;
        let mut tx = self.db.begin().await?;
        let before = store::version_by_number(&mut tx, ctx.org.id, number)
            .await?
            .ok_or_else(not_found)?;
        if let Some(msg) = frozen_reason(KIND, before.number, status_of(&before)?) {
            return Err(AppError::Conflict(msg));
        }
        if !store::delete_draft(&mut tx, ctx.org.id, before.id).await? {
            return Err(AppError::stale("Statement of Applicability"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "soa_version",
                entity_id: before.id.to_string(),
                action: "delete",
                summary: format!(
                    "deleted draft version {} of the Statement of Applicability",
                    before.number
                ),
                before: Some(version_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What changed per control between two versions (any two, either order).
    pub async fn soa_diff(&self, ctx: &OrgCtx, from: i64, to: i64) -> AppResult<SoaDiff> {
        Self::require_read(ctx)?;
        let mut c = self.db.read().await?;
        let a = store::version_by_number(&mut c, ctx.org.id, from)
            .await?
            .ok_or_else(not_found)?;
        let b = store::version_by_number(&mut c, ctx.org.id, to)
            .await?
            .ok_or_else(not_found)?;
        let da = self.soa_detail(&mut c, ctx, a, None).await?;
        let db = self.soa_detail(&mut c, ctx, b, None).await?;
        let ea: Vec<Entry> = da.entries.iter().map(SoaEntry::as_rule_entry).collect();
        let eb: Vec<Entry> = db.entries.iter().map(SoaEntry::as_rule_entry).collect();
        Ok(SoaDiff {
            changes: rules::diff(&ea, &eb),
            from: da.soa,
            to: db.soa,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Exports

const HEADERS: [&str; 9] = [
    "Control",
    "Title",
    "Theme",
    "Applicable",
    "Derived reasons",
    "Inclusion note",
    "Justification for exclusion",
    "Implementation status",
    "Documents and evidence",
];

fn applicable_cell(a: Applicability) -> &'static str {
    match a {
        Applicability::Yes => "Yes",
        Applicability::No => "No",
        Applicability::Undecided => "Not decided",
    }
}

fn row_of(e: &SoaEntry) -> Vec<String> {
    vec![
        format!("A.{}", e.control),
        e.title.clone(),
        rules::theme_of(&e.control)
            .map(|t| t.label().to_owned())
            .unwrap_or_default(),
        applicable_cell(e.applicable).to_owned(),
        e.reasons
            .iter()
            .map(|r| r.text.clone())
            .collect::<Vec<_>>()
            .join("; "),
        e.inclusion_note.clone(),
        if e.applicable == Applicability::No {
            e.exclusion_justification.clone()
        } else {
            String::new()
        },
        e.status_label().to_owned(),
        e.links
            .iter()
            .map(|l| l.title.clone())
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// The facts of the title page.
fn title_facts(ctx: &OrgCtx, d: &SoaDetail, today: &str) -> Vec<(String, String)> {
    vec![
        ("Organisation".into(), ctx.org.name.clone()),
        (
            "Scope reference".into(),
            d.scope.as_ref().map_or_else(
                || "no approved scope statement yet".to_owned(),
                |s| s.label.clone(),
            ),
        ),
        ("SoA version".into(), d.soa.number.to_string()),
        ("Status".into(), d.soa.status.clone()),
        (
            "Approved by".into(),
            d.soa
                .approved_by
                .clone()
                .unwrap_or_else(|| "not approved".into()),
        ),
        (
            "Approved on".into(),
            d.soa
                .approved_at
                .as_deref()
                .and_then(|a| a.get(..10))
                .unwrap_or("—")
                .to_owned(),
        ),
        (
            "Controls".into(),
            format!(
                "{} of {} applicable, {} excluded, {} not decided",
                d.completeness.applicable,
                d.completeness.total,
                d.completeness.excluded,
                d.completeness.undecided.len()
            ),
        ),
        ("Report date".into(), today.to_owned()),
    ]
}

impl App {
    /// The SoA of one version as a table (CSV, XLSX): one row per control.
    pub fn soa_table(&self, ctx: &OrgCtx, d: &SoaDetail) -> Table {
        Table {
            title: format!("SoA v{} {}", d.soa.number, ctx.org.name),
            headers: HEADERS.map(str::to_owned).to_vec(),
            rows: d.entries.iter().map(row_of).collect(),
        }
    }

    /// The SoA as a document (PDF, Markdown): a title page with the organisation, the scope
    /// reference, the version and its approval, then one table per theme.
    pub fn soa_report(&self, ctx: &OrgCtx, d: &SoaDetail) -> Report {
        let today = isms_domain::time::format_date(self.today());
        let mut sections = vec![Section {
            heading: "About this statement".into(),
            paragraphs: vec![
                "This Statement of Applicability lists every control of ISO/IEC 27001:2022 Annex A, whether it is applicable, why it is included — the risks it treats and the requirements of interested parties that call for it, plus notes — or why it is excluded, and how far it is implemented (6.1.3 d).".into(),
                if d.soa.is_draft() {
                    "This version is a draft: it has not been approved and may still change.".into()
                } else {
                    "This version is approved and frozen: reasons and implementation status are as they stood on the day of approval.".into()
                },
            ],
            ..Default::default()
        }];
        for theme in Theme::ALL {
            let rows: Vec<Vec<String>> = d
                .entries
                .iter()
                .filter(|e| e.theme == theme.as_str())
                .map(|e| {
                    let mut why = e.reasons.iter().map(|r| r.text.clone()).collect::<Vec<_>>();
                    if !e.inclusion_note.is_empty() {
                        why.push(e.inclusion_note.clone());
                    }
                    vec![
                        format!("A.{}", e.control),
                        e.title.clone(),
                        applicable_cell(e.applicable).to_owned(),
                        if e.applicable == Applicability::No {
                            e.exclusion_justification.clone()
                        } else {
                            why.join("; ")
                        },
                        e.status_label().to_owned(),
                        e.links
                            .iter()
                            .map(|l| l.title.clone())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            sections.push(Section {
                heading: format!("{} controls", theme.label()),
                table: Some(Table {
                    title: String::new(),
                    headers: [
                        "Control",
                        "Title",
                        "Applicable",
                        "Justification (inclusion or exclusion)",
                        "Implementation",
                        "Documents and evidence",
                    ]
                    .map(str::to_owned)
                    .to_vec(),
                    rows,
                }),
                ..Default::default()
            });
        }
        Report {
            title: format!("Statement of Applicability — {}", ctx.org.name),
            meta: title_facts(ctx, d, &today),
            sections,
            landscape: true,
            title_page: true,
        }
    }

    /// The SoA of version `number` (default: the one in force, else the draft) as a file.
    pub async fn soa_file(
        &self,
        ctx: &OrgCtx,
        number: Option<i64>,
        fmt: TableFormat,
    ) -> AppResult<ExportFile> {
        let number = match number {
            Some(n) => n,
            None => self.default_soa_number(ctx).await?.ok_or_else(|| {
                AppError::from(ValidationError::single(
                    "version",
                    "there is no Statement of Applicability yet; start a draft first",
                ))
            })?,
        };
        let d = self.get_soa(ctx, number, None).await?;
        let bytes = match fmt {
            TableFormat::Pdf | TableFormat::Markdown => {
                report_bytes(self.soa_report(ctx, &d), fmt).await?
            }
            TableFormat::Csv | TableFormat::Xlsx => {
                table_bytes(self.soa_table(ctx, &d), fmt).await?
            }
        };
        Ok(ExportFile {
            bytes,
            content_type: fmt.content_type(),
            file_name: format!("{}-soa-v{}.{}", ctx.org.slug, d.soa.number, fmt.extension()),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Import

impl App {
    /// Import an existing SoA (CSV or XLSX; 2013 or 2022 control ids) into the draft,
    /// starting one from the approved version when there is none. All or nothing: any bad
    /// row and nothing is written, every bad row named by line and field (422). A dry run
    /// says what would change and writes nothing.
    pub async fn import_soa(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
    ) -> AppResult<ImportReport> {
        use isms_domain::soa::import;
        ctx.require(Permission::Write, "change the Statement of Applicability")?;
        let rows = isms_export::read_table(bytes)
            .map_err(|e| AppError::from(ValidationError::single("file", e.to_string())))?;
        let parsed = import::parse(&rows)?;
        let mut tx = self.db.begin().await?;
        // In a dry run the draft is started too, and everything rolls back at the end.
        let (draft, new_draft) =
            match store::version_in_status(&mut tx, ctx.org.id, "draft").await? {
                Some(d) => (d, false),
                None => (
                    self.create_draft_tx(&mut tx, actor, ctx, "Imported from a file")
                        .await?,
                    true,
                ),
            };
        let existing = store::entries(&mut tx, ctx.org.id, draft.id, None).await?;
        let mut v = ValidationError::new();
        let mut updates = Vec::new();
        let mut report = ImportReport {
            dry_run,
            version: draft.number,
            new_draft,
            rows: parsed.rows,
            controls: parsed.decisions.len(),
            changes: Vec::new(),
            unchanged: 0,
        };
        for d in &parsed.decisions {
            let Some(row) = existing.iter().find(|e| e.control_id == d.control) else {
                return Err(AppError::Internal(format!(
                    "draft {} has no entry for {}",
                    draft.number, d.control
                )));
            };
            let old = decision_of(row)?;
            let new = match rules::check_decision(&d.control, &d.apply(&old)) {
                Ok(n) => n,
                Err(e) => {
                    let line = d.sources.first().map_or(0, |s| s.0);
                    for fe in e.errors {
                        v.push(
                            format!("lines[{line}].{}", fe.field),
                            format!("line {line}: {}", fe.message),
                        );
                    }
                    continue;
                }
            };
            if new == old {
                report.unchanged += 1;
                continue;
            }
            report.changes.push(ImportChange {
                control: d.control.clone(),
                title: catalogue()
                    .control(&d.control)
                    .map(|c| c.title.clone())
                    .unwrap_or_default(),
                before: old.applicable,
                after: new.applicable,
                inclusion_note_changed: old.inclusion_note != new.inclusion_note,
                exclusion_justification_changed: old.exclusion_justification
                    != new.exclusion_justification,
                from: d
                    .sources
                    .iter()
                    .map(|(l, id)| format!("line {l}: {id}"))
                    .collect(),
            });
            updates.push((row.clone(), old, new));
        }
        v.into_result()?;
        if dry_run {
            drop(tx);
            return Ok(report);
        }
        let now = Ts(self.now());
        if !updates.is_empty() && !store::touch_draft(&mut tx, ctx.org.id, draft.id, now).await? {
            return Err(AppError::stale("Statement of Applicability"));
        }
        let mut before = serde_json::Map::new();
        let mut after = serde_json::Map::new();
        for (row, old, new) in &updates {
            if !store::update_entry(&mut tx, &with_decision(row, new, now), row.version).await? {
                return Err(AppError::stale("SoA entry"));
            }
            before.insert(row.control_id.clone(), decision_snapshot(old));
            after.insert(row.control_id.clone(), decision_snapshot(new));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "soa_version",
                entity_id: draft.id.to_string(),
                action: "import",
                summary: format!(
                    "imported {} decisions into draft version {} of the Statement of Applicability ({} changed)",
                    report.controls,
                    draft.number,
                    report.changes.len()
                ),
                before: Some(serde_json::Value::Object(before)),
                after: Some(serde_json::Value::Object(after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}
