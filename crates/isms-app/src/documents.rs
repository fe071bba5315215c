//! The document register (7.5): documents with owner, approver, classification and review
//! interval; versions in Markdown going through submit → approve or reject; an approved
//! version frozen; a new version copied from the one in force; links to the clauses and
//! controls a document serves; templates filled from the organisation's data. The rules
//! are in `isms_domain::document`; this module loads, applies them and persists with an
//! audit-trail entry in one transaction.

use crate::blobs::{FileBytes, Upload};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::documents::{
    self as store, DocumentFilter, DocumentRow, DocumentWithNames, VersionRow, VersionWithNames,
};
use isms_db::{AsConn, Day, Ts, orgs};
use isms_domain::ValidationError;
use isms_domain::document::diff::{DiffLine, counts, line_diff};
use isms_domain::document::templates::{self, FillData, Template};
use isms_domain::document::{
    self as rules, Classification, DEFAULT_REVIEW_MONTHS, Decider, DocState, DocumentStatus, Kind,
    VersionStatus, WorkflowError,
};
use isms_domain::foundation::registers::Role as IsmsRole;
use isms_domain::foundation::scope::ScopeContent;
use isms_domain::foundation::versioned::VersionStatus as FoundationStatus;
use isms_domain::org::parse_name;
use isms_domain::rbac::{OrgAccess, Permission, Role, membership_active};
use isms_domain::time::format_date;
use isms_export::{Report, Section, Table, TableFormat};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A document of the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Document {
    pub id: Uuid,
    pub number: i64,
    /// `DOC-004`.
    pub reference: String,
    pub title: String,
    /// `policy`, `procedure`, `standard`, `record` or `plan`.
    pub kind: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    /// When set, only this person (or an administrator) approves its versions.
    pub approver_id: Option<Uuid>,
    pub approver_name: Option<String>,
    /// `public`, `internal`, `confidential` or `restricted`.
    pub classification: String,
    pub review_months: i64,
    /// The approval day of the version in force plus the review interval.
    pub next_review_on: Option<String>,
    /// Approved and past its review day.
    pub review_overdue: bool,
    /// `draft`, `in_review`, `approved` or `retired`.
    pub status: String,
    /// The template it started from.
    pub template_key: Option<String>,
    /// The number of the approved version in force.
    pub current_version: Option<i64>,
    pub approved_at: Option<String>,
    /// The newest version's number and status (a later version can be in work while an
    /// earlier one is in force).
    pub latest_version: i64,
    pub latest_status: String,
    /// Clause ids it serves (`9.2`).
    pub clauses: Vec<String>,
    /// Control references it serves (`5.15`, `NW-02`).
    pub controls: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl Document {
    pub fn kind_label(&self) -> &'static str {
        Kind::parse("kind", &self.kind)
            .map(Kind::label)
            .unwrap_or("Document")
    }

    pub fn status_label(&self) -> &'static str {
        DocumentStatus::parse("status", &self.status)
            .map(DocumentStatus::label)
            .unwrap_or("Unknown")
    }

    /// The newest version is still in work (draft, in review or rejected).
    pub fn has_open_version(&self) -> bool {
        VersionStatus::parse("status", &self.latest_status).is_ok_and(VersionStatus::is_open)
    }

    pub fn latest_status_label(&self) -> &'static str {
        VersionStatus::parse("status", &self.latest_status)
            .map(VersionStatus::label)
            .unwrap_or("Unknown")
    }
}

/// A file attached to a version instead of Markdown content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachedFile {
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// One version of a document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentVersion {
    pub id: Uuid,
    pub document_id: Uuid,
    pub number: i64,
    /// `draft`, `in_review`, `approved`, `rejected` or `superseded`.
    pub status: String,
    /// Markdown (empty when a file is attached).
    pub content: String,
    pub file: Option<AttachedFile>,
    /// The version it was copied from.
    pub based_on: Option<i64>,
    pub change_note: String,
    pub created_by: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    /// Who approved or rejected it, and when.
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The approver's comment; a rejection's comment stays when the version is redrafted.
    pub decision_comment: String,
    /// `[to complete: …]` markers still in the content.
    pub to_complete: usize,
    /// Why it cannot be changed, when it cannot.
    pub frozen: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl DocumentVersion {
    pub fn status_label(&self) -> &'static str {
        VersionStatus::parse("status", &self.status)
            .map(VersionStatus::label)
            .unwrap_or("Unknown")
    }

    pub fn is_editable(&self) -> bool {
        self.frozen.is_none()
    }
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// A new document: blank, or from a template (`GET …/documents/templates`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    /// A template key; the title, kind, review interval, links and content come from it
    /// unless given.
    pub template: Option<String>,
    /// Required for a blank document.
    pub title: Option<String>,
    /// Required for a blank document: `policy`, `procedure`, `standard`, `record`, `plan`.
    pub kind: Option<String>,
    /// Defaults to the person creating it.
    pub owner_id: Option<Uuid>,
    pub approver_id: Option<Uuid>,
    /// Default `internal`.
    pub classification: Option<String>,
    /// 1–60 months; default the template's, else 12.
    pub review_months: Option<i64>,
    /// Markdown of version 1 (blank documents; replaces a template's text).
    pub content: Option<String>,
    pub change_note: Option<String>,
}

/// Changes to a document's register entry. Send the `version` you read.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentPatch {
    pub title: Option<String>,
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub approver_id: Option<Option<Uuid>>,
    pub classification: Option<String>,
    pub review_months: Option<i64>,
    pub version: i64,
}

/// Changes to a draft (or rejected) version. Send the version's `version`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionPatch {
    /// The whole Markdown text.
    pub content: Option<String>,
    pub change_note: Option<String>,
    pub version: i64,
}

/// A workflow step on a version: send the version's `version`; `comment` is required to
/// reject and optional otherwise.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub version: i64,
    #[serde(default)]
    pub comment: String,
}

/// Start a new version (a draft copied from the version in force).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersion {
    #[serde(default)]
    pub change_note: String,
}

/// Retire a document: send the document's `version`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retire {
    pub version: i64,
}

/// The clauses and controls a document serves (replaces both lists). Send the document's
/// `version`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Links {
    #[serde(default)]
    pub clauses: Vec<String>,
    #[serde(default)]
    pub controls: Vec<String>,
    pub version: i64,
}

/// What changed between two versions, line by line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionDiff {
    pub from: i64,
    pub to: i64,
    pub added: usize,
    pub removed: usize,
    pub lines: Vec<DiffLine>,
}

/// Filters and page of the register.
#[derive(Debug, Clone, Default)]
pub struct DocumentQuery {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Only approved documents past their review day.
    pub overdue: Option<bool>,
    /// A control reference (`5.15`, `A.5.15`, `NW-02`).
    pub control: Option<String>,
    /// A clause id (`9.2`).
    pub clause: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A document linked to a clause or a control (for the control page and the SoA).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedDocument {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub current_version: Option<i64>,
    pub review_overdue: bool,
}

fn view(r: DocumentWithNames, links: &[(String, String)], today: time::Date) -> Document {
    let d = r.doc;
    let status = DocumentStatus::parse("status", &d.status).unwrap_or(DocumentStatus::Draft);
    let pick = |k: &str| {
        links
            .iter()
            .filter(|(kind, _)| kind == k)
            .map(|(_, r)| r.clone())
            .collect::<Vec<_>>()
    };
    let mut controls = pick("control");
    controls.sort_by_key(|c| isms_domain::control::control_order(c));
    let order = |id: &str| {
        isms_domain::catalogue::catalogue()
            .clauses()
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    let mut clauses = pick("clause");
    clauses.sort_by_key(|c| order(c));
    Document {
        id: d.id,
        number: d.number,
        reference: rules::reference(d.number),
        title: d.title,
        kind: d.kind,
        owner_id: d.owner_id,
        owner_name: r.owner_name,
        approver_id: d.approver_id,
        approver_name: r.approver_name,
        classification: d.classification,
        review_months: d.review_months,
        review_overdue: rules::review_overdue(status, d.next_review_on.map(|x| x.0), today),
        next_review_on: d.next_review_on.map(|x| format_date(x.0)),
        status: d.status,
        template_key: d.template_key,
        current_version: d.current_version,
        approved_at: d.approved_at.map(|t| t.0.rfc3339()),
        latest_version: d.latest_version,
        latest_status: d.latest_status,
        clauses,
        controls,
        created_at: d.created_at.0.rfc3339(),
        updated_at: d.updated_at.0.rfc3339(),
        version: d.version,
    }
}

fn doc_status(d: &DocumentRow) -> AppResult<DocumentStatus> {
    DocumentStatus::parse("status", &d.status)
        .map_err(|_| AppError::Internal(format!("document {} has status {}", d.id, d.status)))
}

fn version_status(v: &VersionRow) -> AppResult<VersionStatus> {
    VersionStatus::parse("status", &v.status)
        .map_err(|_| AppError::Internal(format!("version {} has status {}", v.id, v.status)))
}

fn state(d: &DocumentRow, reference: &str) -> AppResult<(DocumentStatus, bool)> {
    let _ = reference;
    Ok((
        doc_status(d)?,
        d.current_version.is_some() || d.approved_at.is_some(),
    ))
}

fn flow(e: WorkflowError) -> AppError {
    match e {
        WorkflowError::Forbidden(m) => AppError::Forbidden(m),
        WorkflowError::Conflict(m) => AppError::Conflict(m),
        WorkflowError::Invalid(v) => AppError::Validation(v),
    }
}

fn version_view(r: VersionWithNames, d: &DocumentRow) -> AppResult<DocumentVersion> {
    let v = r.v;
    let reference = rules::reference(d.number);
    let (status, ever) = state(d, &reference)?;
    let ds = DocState {
        reference: &reference,
        status,
        ever_approved: ever,
    };
    let frozen = rules::check_editable(&ds, v.number, version_status(&v)?)
        .err()
        .map(|e| match e {
            WorkflowError::Conflict(m) | WorkflowError::Forbidden(m) => m,
            WorkflowError::Invalid(v) => v.to_string(),
        });
    let file = match (&v.file_sha256, &v.file_name) {
        (Some(h), Some(n)) => Some(AttachedFile {
            sha256: h.clone(),
            name: n.clone(),
            content_type: v.file_type.clone().unwrap_or_default(),
            size: v.file_size.unwrap_or(0),
        }),
        _ => None,
    };
    Ok(DocumentVersion {
        id: v.id,
        document_id: v.document_id,
        number: v.number,
        to_complete: templates::markers(&v.content),
        status: v.status,
        content: v.content,
        file,
        based_on: v.based_on,
        change_note: v.change_note,
        created_by: r.created_by_name,
        submitted_by: r.submitted_by_name,
        submitted_at: v.submitted_at.map(|t| t.0.rfc3339()),
        decided_by: r.decided_by_name,
        decided_at: v.decided_at.map(|t| t.0.rfc3339()),
        decision_comment: v.decision_comment,
        frozen,
        created_at: v.created_at.0.rfc3339(),
        updated_at: v.updated_at.0.rfc3339(),
        version: v.version,
    })
}

fn doc_snapshot(d: &DocumentRow, clauses: &[String], controls: &[String]) -> serde_json::Value {
    serde_json::json!({
        "number": d.number,
        "title": d.title,
        "kind": d.kind,
        "owner_id": d.owner_id,
        "approver_id": d.approver_id,
        "classification": d.classification,
        "review_months": d.review_months,
        "next_review_on": d.next_review_on.map(|x| format_date(x.0)),
        "status": d.status,
        "current_version": d.current_version,
        "clauses": clauses,
        "controls": controls,
    })
}

fn version_snapshot(v: &VersionRow) -> serde_json::Value {
    use sha2::Digest as _;
    serde_json::json!({
        "number": v.number,
        "status": v.status,
        "content_sha256": hex::encode(sha2::Sha256::digest(v.content.as_bytes())),
        "file_sha256": v.file_sha256,
        "change_note": v.change_note,
        "decision_comment": v.decision_comment,
    })
}

fn parse_note(v: &mut ValidationError, field: &str, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 2000 {
        v.push(field, "must be at most 2,000 characters");
    }
    s.to_owned()
}

fn parse_cursor_number(cursor: Option<&str>) -> AppResult<Option<i64>> {
    match decode_cursor(cursor)? {
        None => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            ValidationError::single("cursor", "is not a cursor this server issued").into()
        }),
    }
}

fn is_admin(ctx: &OrgCtx) -> bool {
    matches!(
        ctx.access,
        OrgAccess::InstanceAdmin | OrgAccess::Member(Role::Admin)
    )
}

/// A document loaded for a change, with what the workflow rules need.
struct Loaded {
    d: DocumentWithNames,
    reference: String,
    status: DocumentStatus,
    ever_approved: bool,
}

impl Loaded {
    fn state(&self) -> DocState<'_> {
        DocState {
            reference: &self.reference,
            status: self.status,
            ever_approved: self.ever_approved,
        }
    }

    /// The newest version when it is still in work.
    fn open(&self) -> AppResult<Option<(i64, VersionStatus)>> {
        let latest = VersionStatus::parse("latest_status", &self.d.doc.latest_status)?;
        Ok(latest
            .is_open()
            .then_some((self.d.doc.latest_version, latest)))
    }
}

impl App {
    /// `user` must be a current member; for an approver, one whose role may approve.
    async fn check_person(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        field: &str,
        user: Option<Uuid>,
        must_approve: bool,
    ) -> AppResult<()> {
        let Some(u) = user else { return Ok(()) };
        let m = orgs::membership_of(c, ctx.org.id, u)
            .await?
            .filter(|m| membership_active(m.expires_on.map(|d| d.0), self.today()));
        match m {
            None => v.push(field, "is not a current member of this organisation"),
            Some(m) if must_approve => {
                let ok = Role::parse("role", &m.role)
                    .is_ok_and(|r| isms_domain::rbac::can(r, Permission::Approve));
                if !ok {
                    v.push(
                        field,
                        "cannot approve documents: name an ISMS manager or administrator",
                    );
                }
            }
            Some(_) => {}
        }
        Ok(())
    }

    async fn load_doc(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<DocumentWithNames> {
        store::document(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("document"))
    }

    async fn load_for_change(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Loaded> {
        let d = self.load_doc(c, ctx, id).await?;
        let reference = rules::reference(d.doc.number);
        let (status, ever_approved) = state(&d.doc, &reference)?;
        Ok(Loaded {
            d,
            reference,
            status,
            ever_approved,
        })
    }

    async fn doc_view(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        r: DocumentWithNames,
    ) -> AppResult<Document> {
        let links: Vec<(String, String)> = store::links_of(c, ctx.org.id, &[r.doc.id])
            .await?
            .into_iter()
            .map(|(_, k, t)| (k, t))
            .collect();
        Ok(view(r, &links, self.today()))
    }

    async fn views(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<DocumentWithNames>,
    ) -> AppResult<Vec<Document>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.doc.id).collect();
        let mut links: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
        for (id, k, t) in store::links_of(c, ctx.org.id, &ids).await? {
            links.entry(id).or_default().push((k, t));
        }
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let l = links.remove(&r.doc.id).unwrap_or_default();
                view(r, &l, today)
            })
            .collect())
    }

    /// The document register by number, with its filters, keyset-paginated. The owner's
    /// and approver's names come in the same query, the links in one more for the page.
    pub async fn list_documents(
        &self,
        ctx: &OrgCtx,
        q: &DocumentQuery,
    ) -> AppResult<Page<Document>> {
        ctx.require(Permission::Read, "see the document register")?;
        let limit = page_limit(q.limit);
        let mut v = ValidationError::new();
        let after = match parse_cursor_number(q.cursor.as_deref()) {
            Ok(a) => a,
            Err(AppError::Validation(e)) => {
                v.errors.extend(e.errors);
                None
            }
            Err(e) => return Err(e),
        };
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let kind = nonempty(&q.kind).and_then(|k| v.check(Kind::parse("kind", &k)));
        let status = nonempty(&q.status).and_then(|s| v.check(DocumentStatus::parse("status", &s)));
        let control = nonempty(&q.control).and_then(|c| {
            v.check(isms_domain::control::parse_control_ref("control", &c))
                .map(|r| r.key().to_owned())
        });
        let clause =
            nonempty(&q.clause).and_then(|c| v.check(rules::parse_clause_ref("clause", &c)));
        v.into_result()?;
        let f = DocumentFilter {
            kind: kind.map(|k| k.as_str().to_owned()),
            status: status.map(|s| s.as_str().to_owned()),
            owner_id: q.owner_id,
            review_before: q.overdue.filter(|o| *o).map(|_| Day(self.today())),
            control,
            clause,
        };
        let mut c = self.db.read().await?;
        let mut rows = store::list(&mut c, ctx.org.id, &f, after, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| crate::encode_cursor(&r.doc.number.to_string()))
        } else {
            None
        };
        Ok(Page {
            items: self.views(&mut c, ctx, rows).await?,
            next_cursor,
        })
    }

    /// Every document of the register (for exports), in number order.
    pub async fn all_documents(&self, ctx: &OrgCtx) -> AppResult<Vec<Document>> {
        let mut q = DocumentQuery {
            limit: Some(500),
            ..Default::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self.list_documents(ctx, &q).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    pub async fn get_document(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Document> {
        ctx.require(Permission::Read, "see the document register")?;
        let mut c = self.db.read().await?;
        let r = self.load_doc(&mut c, ctx, id).await?;
        self.doc_view(&mut c, ctx, r).await
    }

    /// The templates the register offers.
    pub fn document_templates(&self, ctx: &OrgCtx) -> AppResult<&'static [Template]> {
        ctx.require(Permission::Read, "see the document templates")?;
        Ok(templates::templates())
    }

    /// What a template is filled with: the organisation's name, its approved scope and the
    /// holders of its ISMS roles.
    async fn fill_data(
        &self,
        ctx: &OrgCtx,
    ) -> AppResult<(Option<ScopeContent>, Vec<(String, String)>)> {
        let scope = self
            .doc_in_status::<ScopeContent>(ctx, FoundationStatus::Approved)
            .await?
            .map(|d| d.content);
        let roles = self
            .all_entries::<IsmsRole>(ctx)
            .await?
            .into_iter()
            .filter_map(|e| e.person_name.map(|n| (e.data.title, n)))
            .collect();
        Ok((scope, roles))
    }

    /// Add a document with its version 1 (a draft): blank, or from a template filled with
    /// the organisation's data.
    pub async fn create_document(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewDocument,
    ) -> AppResult<Document> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_document_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a document inside the caller's transaction; `number` is given by an import
    /// (blank: the next free number).
    pub(crate) async fn create_document_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewDocument,
        number: Option<i64>,
    ) -> AppResult<Document> {
        ctx.require(Permission::Write, "add documents")?;
        let mut v = ValidationError::new();
        let template = match input
            .template
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(k) => match templates::template(k) {
                Some(t) => Some(t),
                None => {
                    v.push(
                        "template",
                        format!("\"{k}\" is not a template; see GET …/documents/templates"),
                    );
                    None
                }
            },
        };
        let title = match (
            input.title.as_deref().filter(|t| !t.trim().is_empty()),
            template,
        ) {
            (Some(t), _) => v.check(parse_name("title", t, 300)),
            (None, Some(t)) => Some(t.title.to_owned()),
            (None, None) => {
                v.push("title", "is required");
                None
            }
        };
        let kind = match (
            input.kind.as_deref().filter(|k| !k.trim().is_empty()),
            template,
        ) {
            (Some(k), _) => v.check(Kind::parse("kind", k)),
            (None, Some(t)) => Some(t.kind),
            (None, None) => {
                v.push(
                    "kind",
                    "is required: policy, procedure, standard, record or plan",
                );
                None
            }
        };
        let classification = match input
            .classification
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => v.check(Classification::parse("classification", s)),
            None => Some(Classification::Internal),
        };
        let months = input
            .review_months
            .or(template.map(|t| t.review_months))
            .unwrap_or(DEFAULT_REVIEW_MONTHS);
        let months = v.check(rules::parse_review_months("review_months", months));
        let note = parse_note(
            &mut v,
            "change_note",
            input.change_note.as_deref().unwrap_or(""),
        );
        let content = match (&input.content, template) {
            (Some(c), _) => v.check(rules::parse_content("content", c)),
            (None, Some(_)) => Some(String::new()),
            (None, None) => Some(String::new()),
        };
        let owner = input.owner_id.or(actor.id());
        self.check_person(tx, ctx, &mut v, "owner_id", owner, false)
            .await?;
        self.check_person(tx, ctx, &mut v, "approver_id", input.approver_id, true)
            .await?;
        v.into_result()?;
        let (links_cl, links_co): (Vec<String>, Vec<String>) = match template {
            Some(t) => (
                t.clauses.iter().map(|s| (*s).to_owned()).collect(),
                t.controls.iter().map(|s| (*s).to_owned()).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let mut content = content.unwrap_or_default();
        if let (Some(t), None) = (template, &input.content) {
            let (scope, roles) = self.fill_data(ctx).await?;
            content = templates::fill(
                t.body,
                &FillData {
                    organisation: &ctx.org.name,
                    scope: scope.as_ref(),
                    roles,
                },
            );
        }
        let now = Ts(self.now());
        let row = DocumentRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: match number {
                Some(n) => n,
                None => store::next_number(tx, ctx.org.id).await?,
            },
            title: title.unwrap_or_default(),
            kind: kind.unwrap_or(Kind::Policy).as_str().to_owned(),
            owner_id: owner,
            approver_id: input.approver_id,
            classification: classification
                .unwrap_or(Classification::Internal)
                .as_str()
                .to_owned(),
            review_months: months.unwrap_or(DEFAULT_REVIEW_MONTHS),
            next_review_on: None,
            status: DocumentStatus::Draft.as_str().to_owned(),
            template_key: template.map(|t| t.key.to_owned()),
            current_version: None,
            approved_at: None,
            latest_version: 1,
            latest_status: VersionStatus::Draft.as_str().to_owned(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_document(tx, &row).await?;
        store::set_links(tx, ctx.org.id, row.id, &links_cl, &links_co).await?;
        let ver = VersionRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            document_id: row.id,
            number: 1,
            status: VersionStatus::Draft.as_str().to_owned(),
            content,
            file_sha256: None,
            file_name: None,
            file_type: None,
            file_size: None,
            based_on: None,
            change_note: if note.is_empty() {
                match template {
                    Some(t) => format!("Started from the template \"{}\"", t.title),
                    None => "First version".to_owned(),
                }
            } else {
                note
            },
            created_by: actor.id(),
            submitted_by: None,
            submitted_at: None,
            decided_by: None,
            decided_at: None,
            decision_comment: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_version(tx, &ver).await?;
        let reference = rules::reference(row.number);
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document",
                entity_id: row.id.to_string(),
                action: "create",
                summary: match template {
                    Some(t) => format!(
                        "added {reference} \"{}\" from the template \"{}\"",
                        row.title, t.title
                    ),
                    None => format!("added {reference} \"{}\"", row.title),
                },
                before: None,
                after: Some(doc_snapshot(&row, &links_cl, &links_co)),
            },
        )
        .await?;
        let r = self.load_doc(tx, ctx, row.id).await?;
        self.doc_view(tx, ctx, r).await
    }

    /// Change the register entry (title, kind, owner, approver, classification, review
    /// interval). A new interval moves the next review day of an approved document.
    pub async fn update_document(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &DocumentPatch,
    ) -> AppResult<Document> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_document_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change the register entry inside the caller's transaction.
    pub(crate) async fn update_document_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &DocumentPatch,
    ) -> AppResult<Document> {
        ctx.require(Permission::Write, "change documents")?;
        let loaded = self.load_for_change(tx, ctx, id).await?;
        rules::check_metadata_editable(&loaded.state()).map_err(flow)?;
        let (before, reference) = (loaded.d, loaded.reference);
        if before.doc.version != patch.version {
            return Err(AppError::stale("document"));
        }
        let mut v = ValidationError::new();
        let mut row = before.doc.clone();
        if let Some(t) = &patch.title
            && let Some(t) = v.check(parse_name("title", t, 300))
        {
            row.title = t;
        }
        if let Some(k) = &patch.kind
            && let Some(k) = v.check(Kind::parse("kind", k))
        {
            row.kind = k.as_str().to_owned();
        }
        if let Some(c) = &patch.classification
            && let Some(c) = v.check(Classification::parse("classification", c))
        {
            row.classification = c.as_str().to_owned();
        }
        if let Some(m) = patch.review_months
            && let Some(m) = v.check(rules::parse_review_months("review_months", m))
        {
            row.review_months = m;
            row.next_review_on = row
                .approved_at
                .map(|t| Day(rules::next_review(t.0.date(), m)));
        }
        if let Some(o) = patch.owner_id {
            self.check_person(tx, ctx, &mut v, "owner_id", o, false)
                .await?;
            row.owner_id = o;
        }
        if let Some(a) = patch.approver_id {
            self.check_person(tx, ctx, &mut v, "approver_id", a, true)
                .await?;
            row.approver_id = a;
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update_document(tx, &row, patch.version).await? {
            return Err(AppError::stale("document"));
        }
        let after = self.load_doc(tx, ctx, id).await?;
        let out = self.doc_view(tx, ctx, after).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document",
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "changed the register entry of {reference} \"{}\"",
                    row.title
                ),
                before: Some(doc_snapshot(&before.doc, &out.clauses, &out.controls)),
                after: Some(doc_snapshot(&row, &out.clauses, &out.controls)),
            },
        )
        .await?;
        Ok(out)
    }

    /// Delete a document that never had an approved version (afterwards it is a record:
    /// retire it instead).
    pub async fn delete_document(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove documents")?;
        let mut tx = self.db.begin().await?;
        let loaded = self.load_for_change(&mut tx, ctx, id).await?;
        rules::check_delete(&loaded.state()).map_err(flow)?;
        let (before, reference) = (loaded.d, loaded.reference);
        store::delete_document(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "deleted {reference} \"{}\" (never approved)",
                    before.doc.title
                ),
                before: Some(doc_snapshot(&before.doc, &[], &[])),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replace the clauses and controls a document serves.
    pub async fn set_document_links(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Links,
    ) -> AppResult<Document> {
        let mut tx = self.db.begin().await?;
        let out = self
            .set_document_links_in(&mut tx, actor, ctx, id, input)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Replace the clauses and controls inside the caller's transaction.
    pub(crate) async fn set_document_links_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Links,
    ) -> AppResult<Document> {
        ctx.require(Permission::Write, "change documents")?;
        let (clauses, controls) = rules::parse_links(&input.clauses, &input.controls)?;
        let loaded = self.load_for_change(tx, ctx, id).await?;
        rules::check_metadata_editable(&loaded.state()).map_err(flow)?;
        let (before, reference) = (loaded.d, loaded.reference);
        // Own controls must exist in this organisation.
        let own: Vec<String> = controls
            .iter()
            .filter(|c| !isms_domain::control::looks_like_annex_a(c))
            .cloned()
            .collect();
        let known = isms_db::own_controls::existing(tx, ctx.org.id, &own).await?;
        let mut v = ValidationError::new();
        for (i, c) in input.controls.iter().enumerate() {
            let key = c.trim().to_uppercase();
            if own.contains(&key) && !known.contains(&key) {
                v.push(
                    format!("controls[{i}]"),
                    format!("{key} is not one of the organisation's own controls"),
                );
            }
        }
        v.into_result()?;
        let old = self.doc_view(tx, ctx, before.clone()).await?;
        let mut row = before.doc.clone();
        row.updated_at = Ts(self.now());
        if !store::update_document(tx, &row, input.version).await? {
            return Err(AppError::stale("document"));
        }
        store::set_links(tx, ctx.org.id, id, &clauses, &controls).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document",
                entity_id: id.to_string(),
                action: "link",
                summary: format!(
                    "{reference} now serves {} clause{} and {} control{}",
                    clauses.len(),
                    if clauses.len() == 1 { "" } else { "s" },
                    controls.len(),
                    if controls.len() == 1 { "" } else { "s" }
                ),
                before: Some(doc_snapshot(&before.doc, &old.clauses, &old.controls)),
                after: Some(doc_snapshot(&row, &clauses, &controls)),
            },
        )
        .await?;
        let after = self.load_doc(tx, ctx, id).await?;
        self.doc_view(tx, ctx, after).await
    }

    /// Versions of a document, newest first (keyset on the number).
    pub async fn list_document_versions(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<DocumentVersion>> {
        ctx.require(Permission::Read, "see the document register")?;
        let limit = page_limit(limit);
        let before = parse_cursor_number(cursor)?;
        let mut c = self.db.read().await?;
        let d = self.load_doc(&mut c, ctx, id).await?;
        let rows = store::versions(&mut c, ctx.org.id, id, before, limit + 1).await?;
        let page = crate::paginate(
            rows,
            limit,
            |r| r.v.number.to_string(),
            |r| version_view(r, &d.doc),
        );
        Ok(Page {
            items: page.items.into_iter().collect::<AppResult<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    pub async fn get_document_version(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Read, "see the document register")?;
        let mut c = self.db.read().await?;
        self.version_of(&mut c, ctx, id, number).await
    }

    /// One version of a document, as shown.
    async fn version_of(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
    ) -> AppResult<DocumentVersion> {
        let d = self.load_doc(c, ctx, id).await?;
        let r = store::version(c, ctx.org.id, id, number)
            .await?
            .ok_or(AppError::NotFound("document version"))?;
        version_view(r, &d.doc)
    }

    /// One step of the workflow on one version, in one transaction: load the document and
    /// the version, let `step` decide the new version row and document status, write both
    /// and the audit entry.
    #[allow(clippy::too_many_arguments)]
    async fn version_step(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        expected_version: i64,
        action: &str,
        step: impl FnOnce(
            &DocState,
            &DocumentRow,
            &VersionRow,
            Ts,
        ) -> Result<(VersionRow, DocumentRow, String), AppError>,
    ) -> AppResult<DocumentVersion> {
        self.version_step_with(actor, ctx, id, number, expected_version, action, None, step)
            .await
    }

    /// [`Self::version_step`], storing `upload` (when given) in the same transaction and
    /// attaching it to the version in place of its Markdown.
    #[allow(clippy::too_many_arguments)]
    async fn version_step_with(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        expected_version: i64,
        action: &str,
        upload: Option<&Upload>,
        step: impl FnOnce(
            &DocState,
            &DocumentRow,
            &VersionRow,
            Ts,
        ) -> Result<(VersionRow, DocumentRow, String), AppError>,
    ) -> AppResult<DocumentVersion> {
        let mut tx = self.db.begin().await?;
        let loaded = self.load_for_change(&mut tx, ctx, id).await?;
        let ds = loaded.state();
        let d = &loaded.d;
        let before = store::version(&mut tx, ctx.org.id, id, number)
            .await?
            .ok_or(AppError::NotFound("document version"))?;
        let now = Ts(self.now());
        let (mut new_v, mut new_d, summary) = step(&ds, &d.doc, &before.v, now)?;
        if before.v.version != expected_version {
            return Err(AppError::stale("document version"));
        }
        if let Some(up) = upload {
            let f = self.store_upload_tx(&mut tx, ctx.org.id, up).await?;
            new_v.content = String::new();
            new_v.file_sha256 = Some(f.sha256);
            new_v.file_name = Some(f.file_name);
            new_v.file_type = Some(f.content_type);
            new_v.file_size = Some(f.size);
        }
        new_v.updated_at = now;
        if !store::update_version(&mut tx, &new_v, expected_version, &before.v.status).await? {
            return Err(AppError::stale("document version"));
        }
        if new_v.status == VersionStatus::Approved.as_str() {
            store::supersede_others(&mut tx, ctx.org.id, id, number, now).await?;
        }
        if new_d.latest_version == number {
            new_d.latest_status = new_v.status.clone();
        }
        new_d.updated_at = now;
        if !store::update_document(&mut tx, &new_d, d.doc.version).await? {
            return Err(AppError::stale("document"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document_version",
                entity_id: new_v.id.to_string(),
                action,
                summary,
                before: Some(version_snapshot(&before.v)),
                after: Some(version_snapshot(&new_v)),
            },
        )
        .await?;
        let out = self.version_of(&mut tx, ctx, id, number).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a draft or rejected version (a rejected one becomes a draft again; the
    /// rejection comment stays). Approved, superseded and in-review versions: 409.
    pub async fn update_document_version(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        patch: &VersionPatch,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Write, "change documents")?;
        let mut v = ValidationError::new();
        let content = patch
            .content
            .as_deref()
            .and_then(|c| v.check(rules::parse_content("content", c)));
        let note = patch
            .change_note
            .as_deref()
            .map(|n| parse_note(&mut v, "change_note", n));
        v.into_result()?;
        self.version_step(
            actor,
            ctx,
            id,
            number,
            patch.version,
            "update",
            |ds, d, old, _| {
                let st = version_status(old)?;
                rules::check_editable(ds, number, st).map_err(flow)?;
                let mut nv = old.clone();
                nv.status = rules::after_edit(st).as_str().to_owned();
                if let Some(c) = &content {
                    nv.content = c.clone();
                    if !c.is_empty() {
                        nv.file_sha256 = None;
                        nv.file_name = None;
                        nv.file_type = None;
                        nv.file_size = None;
                    }
                }
                if let Some(n) = &note {
                    nv.change_note = n.clone();
                }
                let (added, removed) = counts(&line_diff(&old.content, &nv.content));
                let summary = format!(
                    "edited version {number} of {} (+{added} −{removed} lines){}",
                    ds.reference,
                    if st == VersionStatus::Rejected {
                        "; back to draft after the rejection"
                    } else {
                        ""
                    }
                );
                Ok((nv, d.clone(), summary))
            },
        )
        .await
    }

    /// Attach a file to a draft or rejected version in place of its Markdown (stored by its
    /// SHA-256 in the blob store, in the same transaction). Frozen versions: 409; over the
    /// upload limit: 413, nothing stored.
    pub async fn attach_document_file(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        expected_version: i64,
        upload: &Upload,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Write, "change documents")?;
        let name = isms_blob::sanitise_file_name(&upload.file_name);
        self.version_step_with(
            actor,
            ctx,
            id,
            number,
            expected_version,
            "attach",
            Some(upload),
            |ds, d, old, _| {
                let st = version_status(old)?;
                rules::check_editable(ds, number, st).map_err(flow)?;
                let mut nv = old.clone();
                nv.status = rules::after_edit(st).as_str().to_owned();
                let summary = format!(
                    "attached the file \"{name}\" to version {number} of {}",
                    ds.reference
                );
                Ok((nv, d.clone(), summary))
            },
        )
        .await
    }

    /// The file attached to a version, its hash checked (a mismatch is an integrity error
    /// and nothing is served).
    pub async fn document_version_attachment(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
    ) -> AppResult<(FileBytes, String)> {
        let d = self.get_document(ctx, id).await?;
        let v = self.get_document_version(ctx, id, number).await?;
        let Some(f) = v.file else {
            return Err(AppError::NotFound("attached file"));
        };
        let bytes = self
            .read_file(ctx, &f.sha256, &format!("{} version {number}", d.reference))
            .await?;
        Ok((bytes, f.name))
    }

    /// Submit a version for approval.
    pub async fn submit_document_version(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        input: &Decision,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Write, "submit documents for approval")?;
        let who = actor.id();
        self.version_step(
            actor,
            ctx,
            id,
            number,
            input.version,
            "submit",
            |ds, d, old, now| {
                let doc_status = rules::submit(ds, number, version_status(old)?).map_err(flow)?;
                let mut nv = old.clone();
                nv.status = VersionStatus::InReview.as_str().to_owned();
                nv.submitted_by = who;
                nv.submitted_at = Some(now);
                let mut nd = d.clone();
                nd.status = doc_status.as_str().to_owned();
                Ok((
                    nv,
                    nd,
                    format!(
                        "submitted version {number} of {} for approval",
                        ds.reference
                    ),
                ))
            },
        )
        .await
    }

    fn decider(&self, actor: Actor<'_>, ctx: &OrgCtx) -> Decider {
        Decider {
            user_id: actor.id(),
            can_approve: ctx.can(Permission::Approve),
            is_admin: is_admin(ctx),
        }
    }

    /// Approve a version in review (approve permission; when the document names an
    /// approver, only that person or an administrator). It comes into force, the version
    /// before it is superseded, and the next review day is set.
    pub async fn approve_document_version(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        input: &Decision,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Approve, "approve documents")?;
        let who = self.decider(actor, ctx);
        let mut v = ValidationError::new();
        let comment = parse_note(&mut v, "comment", &input.comment);
        v.into_result()?;
        self.version_step(actor, ctx, id, number, input.version, "approve", |ds, d, old, now| {
            let doc_status = rules::approve(ds, d.approver_id, &who, number, version_status(old)?).map_err(flow)?;
            let mut nv = old.clone();
            nv.status = VersionStatus::Approved.as_str().to_owned();
            nv.decided_by = who.user_id;
            nv.decided_at = Some(now);
            nv.decision_comment = comment.clone();
            let mut nd = d.clone();
            nd.status = doc_status.as_str().to_owned();
            let previous = nd.current_version;
            nd.current_version = Some(number);
            nd.approved_at = Some(now);
            let next = rules::next_review(now.0.date(), nd.review_months);
            nd.next_review_on = Some(Day(next));
            let summary = match previous {
                Some(p) => format!("approved version {number} of {}; version {p} superseded; next review by {}", ds.reference, format_date(next)),
                None => format!("approved version {number} of {}; next review by {}", ds.reference, format_date(next)),
            };
            Ok((nv, nd, summary))
        })
        .await
    }

    /// Reject a version in review with a comment (required); the author edits it again.
    pub async fn reject_document_version(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        input: &Decision,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Approve, "reject documents")?;
        let who = self.decider(actor, ctx);
        self.version_step(
            actor,
            ctx,
            id,
            number,
            input.version,
            "reject",
            |ds, d, old, now| {
                let (comment, doc_status) = rules::reject(
                    ds,
                    d.approver_id,
                    &who,
                    number,
                    version_status(old)?,
                    &input.comment,
                )
                .map_err(flow)?;
                let mut nv = old.clone();
                nv.status = VersionStatus::Rejected.as_str().to_owned();
                nv.decided_by = who.user_id;
                nv.decided_at = Some(now);
                nv.decision_comment = comment.clone();
                let mut nd = d.clone();
                nd.status = doc_status.as_str().to_owned();
                Ok((
                    nv,
                    nd,
                    format!("rejected version {number} of {}: {comment}", ds.reference),
                ))
            },
        )
        .await
    }

    /// Start a new version: a draft copied from the version in force (or the newest one).
    pub async fn new_document_version(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &NewVersion,
    ) -> AppResult<DocumentVersion> {
        ctx.require(Permission::Write, "change documents")?;
        let mut v = ValidationError::new();
        let note = parse_note(&mut v, "change_note", &input.change_note);
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        let loaded = self.load_for_change(&mut tx, ctx, id).await?;
        let ds = loaded.state();
        let (d, reference) = (&loaded.d, &loaded.reference);
        rules::check_new_version(&ds, loaded.open()?).map_err(flow)?;
        let source_number = d.doc.current_version.unwrap_or(d.doc.latest_version);
        let source = store::version(&mut tx, ctx.org.id, id, source_number)
            .await?
            .ok_or(AppError::NotFound("document version"))?;
        let now = Ts(self.now());
        let number = d.doc.latest_version + 1;
        let row = VersionRow {
            id: Uuid::now_v7(),
            number,
            status: VersionStatus::Draft.as_str().to_owned(),
            based_on: Some(source_number),
            change_note: note,
            created_by: actor.id(),
            submitted_by: None,
            submitted_at: None,
            decided_by: None,
            decided_at: None,
            decision_comment: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
            ..source.v.clone()
        };
        store::insert_version(&mut tx, &row).await?;
        let mut nd = d.doc.clone();
        nd.latest_version = number;
        nd.latest_status = row.status.clone();
        nd.updated_at = now;
        if !store::update_document(&mut tx, &nd, d.doc.version).await? {
            return Err(AppError::stale("document"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document_version",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "started version {number} of {reference} from version {source_number}"
                ),
                before: None,
                after: Some(version_snapshot(&row)),
            },
        )
        .await?;
        let out = self.version_of(&mut tx, ctx, id, number).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Retire a document (approve permission): it stays as a record, nothing about it
    /// changes any more, and it is no longer due for review.
    pub async fn retire_document(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Retire,
    ) -> AppResult<Document> {
        ctx.require(Permission::Approve, "retire documents")?;
        let mut tx = self.db.begin().await?;
        let loaded = self.load_for_change(&mut tx, ctx, id).await?;
        rules::check_retire(&loaded.state(), loaded.open()?).map_err(flow)?;
        let (d, reference) = (&loaded.d, &loaded.reference);
        if d.doc.version != input.version {
            return Err(AppError::stale("document"));
        }
        let mut nd = d.doc.clone();
        nd.status = DocumentStatus::Retired.as_str().to_owned();
        nd.next_review_on = None;
        nd.updated_at = Ts(self.now());
        if !store::update_document(&mut tx, &nd, input.version).await? {
            return Err(AppError::stale("document"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "document",
                entity_id: id.to_string(),
                action: "retire",
                summary: format!("retired {reference} \"{}\"", nd.title),
                before: Some(doc_snapshot(&d.doc, &[], &[])),
                after: Some(doc_snapshot(&nd, &[], &[])),
            },
        )
        .await?;
        let after = self.load_doc(&mut tx, ctx, id).await?;
        let out = self.doc_view(&mut tx, ctx, after).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// What changed between two versions of a document, line by line.
    pub async fn diff_document_versions(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        from: i64,
        to: i64,
    ) -> AppResult<VersionDiff> {
        let a = self
            .get_document_version(ctx, id, from)
            .await
            .map_err(|e| match e {
                AppError::NotFound("document version") => {
                    ValidationError::single("from", "is not a version of this document").into()
                }
                e => e,
            })?;
        let b = self
            .get_document_version(ctx, id, to)
            .await
            .map_err(|e| match e {
                AppError::NotFound("document version") => {
                    ValidationError::single("to", "is not a version of this document").into()
                }
                e => e,
            })?;
        let text = |v: &DocumentVersion| match &v.file {
            Some(f) if v.content.is_empty() => format!(
                "[attached file {} ({} bytes, SHA-256 {})]",
                f.name, f.size, f.sha256
            ),
            _ => v.content.clone(),
        };
        let lines = line_diff(&text(&a), &text(&b));
        let (added, removed) = counts(&lines);
        Ok(VersionDiff {
            from,
            to,
            added,
            removed,
            lines,
        })
    }

    /// The documents linked to a control (`5.15`, `A.5.15` or `NW-02`), by number.
    pub async fn documents_for_control(
        &self,
        ctx: &OrgCtx,
        control_ref: &str,
    ) -> AppResult<Vec<LinkedDocument>> {
        let key = isms_domain::control::parse_control_ref("control", control_ref)?;
        self.linked_documents(ctx, "control", key.key()).await
    }

    /// The documents linked to a clause (`9.2`), by number.
    pub async fn documents_for_clause(
        &self,
        ctx: &OrgCtx,
        clause_id: &str,
    ) -> AppResult<Vec<LinkedDocument>> {
        let id = rules::parse_clause_ref("clause", clause_id)?;
        self.linked_documents(ctx, "clause", &id).await
    }

    async fn linked_documents(
        &self,
        ctx: &OrgCtx,
        kind: &str,
        key: &str,
    ) -> AppResult<Vec<LinkedDocument>> {
        ctx.require(Permission::Read, "see the document register")?;
        let mut c = self.db.read().await?;
        let today = self.today();
        Ok(store::linked_to(&mut c, ctx.org.id, kind, key)
            .await?
            .into_iter()
            .map(|r| {
                let d = view(r, &[], today);
                LinkedDocument {
                    id: d.id,
                    reference: d.reference,
                    title: d.title,
                    kind: d.kind,
                    status: d.status,
                    current_version: d.current_version,
                    review_overdue: d.review_overdue,
                }
            })
            .collect())
    }

    /// The register as a table for CSV/XLSX (cells starting = + - @ are escaped by the
    /// writers in isms-export).
    pub async fn documents_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let rows = self
            .all_documents(ctx)
            .await?
            .into_iter()
            .map(|d| {
                vec![
                    d.reference.clone(),
                    d.title.clone(),
                    d.kind.clone(),
                    d.status.clone(),
                    d.current_version.map(|n| n.to_string()).unwrap_or_default(),
                    if d.has_open_version() {
                        format!("{} ({})", d.latest_version, d.latest_status)
                    } else {
                        String::new()
                    },
                    d.owner_name.clone().unwrap_or_default(),
                    d.approver_name.clone().unwrap_or_default(),
                    d.classification.clone(),
                    d.review_months.to_string(),
                    d.next_review_on.clone().unwrap_or_default(),
                    if d.review_overdue { "yes" } else { "no" }.to_owned(),
                    d.clauses.join("; "),
                    d.controls
                        .iter()
                        .map(|c| isms_domain::control::display_ref(c))
                        .collect::<Vec<_>>()
                        .join("; "),
                    d.template_key.clone().unwrap_or_default(),
                ]
            })
            .collect();
        Ok(Table {
            title: format!("Document register of {}", ctx.org.name),
            headers: [
                "reference",
                "title",
                "kind",
                "status",
                "version_in_force",
                "version_in_work",
                "owner",
                "approver",
                "classification",
                "review_months",
                "next_review_on",
                "review_overdue",
                "clauses",
                "controls",
                "template",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// One version as a file: Markdown (the text with a header naming the document,
    /// version and approval) or PDF.
    pub async fn document_version_file(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        number: i64,
        fmt: TableFormat,
    ) -> AppResult<crate::exports::ExportFile> {
        if !matches!(fmt, TableFormat::Markdown | TableFormat::Pdf) {
            return Err(ValidationError::single(
                "format",
                "a document version is available as md (Markdown) or pdf",
            )
            .into());
        }
        let d = self.get_document(ctx, id).await?;
        let v = self.get_document_version(ctx, id, number).await?;
        let mut meta = vec![
            ("Organisation".to_owned(), ctx.org.name.clone()),
            (
                "Document".to_owned(),
                format!("{} — {}", d.reference, d.title),
            ),
            (
                "Version".to_owned(),
                format!("{} ({})", v.number, v.status_label().to_lowercase()),
            ),
            (
                "Owner".to_owned(),
                d.owner_name.clone().unwrap_or_else(|| "—".to_owned()),
            ),
            ("Classification".to_owned(), d.classification.clone()),
        ];
        if (v.status == "approved" || v.status == "superseded")
            && let (Some(by), Some(at)) = (&v.decided_by, &v.decided_at)
        {
            meta.push((
                "Approved".to_owned(),
                format!("{} by {by}", at.get(..10).unwrap_or(at)),
            ));
        }
        if !v.change_note.is_empty() {
            meta.push(("Change".to_owned(), v.change_note.clone()));
        }
        let file_name = format!(
            "{}-{}-v{}.{}",
            ctx.org.slug,
            d.reference.to_lowercase(),
            v.number,
            fmt.extension()
        );
        let bytes = match fmt {
            TableFormat::Pdf => {
                let report = Report {
                    title: d.title.clone(),
                    meta,
                    sections: markdown_sections(&v.content),
                    landscape: false,
                    title_page: false,
                };
                crate::exports::report_bytes(report, fmt).await?
            }
            _ => {
                let mut s = String::new();
                for (k, val) in &meta {
                    s.push_str(&format!("> **{k}:** {}  \n", val.replace('\n', " ")));
                }
                s.push('\n');
                s.push_str(&v.content);
                if !s.ends_with('\n') {
                    s.push('\n');
                }
                s.into_bytes()
            }
        };
        Ok(crate::exports::ExportFile {
            bytes,
            content_type: fmt.content_type(),
            file_name,
        })
    }
}

/// Markdown cut into report sections for the PDF: a heading starts a section, list items
/// become bullets, other lines are joined into paragraphs (tables stay as text lines).
fn markdown_sections(md: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut cur = Section::default();
    let mut para = String::new();
    let flush = |para: &mut String, cur: &mut Section| {
        let p = para.trim();
        if !p.is_empty() {
            cur.paragraphs.push(p.replace("**", ""));
        }
        para.clear();
    };
    for line in md.lines() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('#') {
            flush(&mut para, &mut cur);
            if !cur.heading.is_empty() || !cur.paragraphs.is_empty() || !cur.bullets.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.heading = h.trim_start_matches('#').trim().to_owned();
        } else if let Some(b) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush(&mut para, &mut cur);
            cur.bullets.push(b.replace("**", ""));
        } else if t.is_empty() {
            flush(&mut para, &mut cur);
        } else if t.starts_with('|') {
            flush(&mut para, &mut cur);
            if !t.chars().all(|c| matches!(c, '|' | '-' | ' ' | ':')) {
                cur.paragraphs.push(
                    t.trim_matches('|')
                        .split('|')
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join(" · "),
                );
            }
        } else {
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(t);
        }
    }
    flush(&mut para, &mut cur);
    if !cur.heading.is_empty() || !cur.paragraphs.is_empty() || !cur.bullets.is_empty() {
        out.push(cur);
    }
    if out.len() > 1 && out[0].paragraphs.is_empty() && out[0].bullets.is_empty() {
        out.remove(0);
    }
    out
}

/// Whether the person `user` may approve or reject versions of `doc` (for showing the
/// buttons; the services check again).
pub fn can_decide(ctx: &OrgCtx, user: Uuid, doc: &Document) -> bool {
    let who = Decider {
        user_id: Some(user),
        can_approve: ctx.can(Permission::Approve),
        is_admin: is_admin(ctx),
    };
    rules::check_decider(doc.approver_id, &who, "approve").is_ok()
}

/// The organisation's current members by e-mail address and by name, for imports that
/// name people as the exports write them (the name) or by e-mail address.
pub(crate) struct People {
    by_email: HashMap<String, Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
}

impl People {
    /// The member a cell names: blank is `Ok(None)`; unknown or ambiguous is the message.
    pub(crate) fn find(&self, s: &str) -> Result<Option<Uuid>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if let Some(id) = self.by_email.get(&s.to_lowercase()) {
            return Ok(Some(*id));
        }
        match self.by_name.get(&s.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Ok(Some(*one)),
            Some([_, _, ..]) => Err(format!(
                "\"{s}\" is the name of several members; give the e-mail address"
            )),
            _ => Err(format!(
                "\"{s}\" is not a member of this organisation (give the e-mail address or the name)"
            )),
        }
    }

    /// [`People::find`] for a column, the problem noted on `v` under `field`.
    pub(crate) fn cell(
        &self,
        v: &mut ValidationError,
        c: &isms_domain::import::Cells<'_>,
        field: &str,
    ) -> Option<Uuid> {
        match self.find(c.get(field)) {
            Ok(u) => u,
            Err(m) => {
                v.push(field, m);
                None
            }
        }
    }
}

/// Problems found on a row before its create or update, joined with that call's own,
/// each named by its column: `owner_id` → `owner`, `clauses[2]` → `clauses` (the names
/// in `renames` first, then any `[i]` dropped).
pub(crate) fn with_row_problems<T>(
    pre: ValidationError,
    r: AppResult<T>,
    renames: &[(&str, &str)],
) -> AppResult<T> {
    let column = |f: String| {
        let base = f.split('[').next().unwrap_or("").to_owned();
        renames
            .iter()
            .find(|(from, _)| *from == base)
            .map_or(base, |(_, to)| (*to).to_owned())
    };
    let mut all = ValidationError::new();
    for fe in pre.errors {
        all.push(column(fe.field), fe.message);
    }
    match r {
        Ok(t) if all.is_empty() => Ok(t),
        Ok(_) => Err(all.into()),
        Err(AppError::Validation(e)) => {
            for fe in e.errors {
                all.push(column(fe.field), fe.message);
            }
            Err(all.into())
        }
        Err(e) => Err(e),
    }
}

/// The cells of a list column (`a; b`), also accepting spaces or commas between items.
pub(crate) fn list_items(s: &str) -> Vec<String> {
    s.split([';', ',', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The columns of the document import, as the document export writes them. The status,
/// the versions, the next review day and `review_overdue` come from the versions and
/// their approvals (records, not imported) and are ignored; `template` is read when a
/// document is created.
pub const DOCUMENT_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "document id"]),
        Column::req("title").aka(&["name", "document"]),
        Column::req("kind").aka(&["type", "document type"]),
        Column::opt("owner").aka(&["document owner"]),
        Column::opt("approver"),
        Column::opt("classification"),
        Column::opt("review_months").aka(&["review interval", "review cycle"]),
        Column::opt("clauses").list(),
        Column::opt("controls").list(),
        Column::opt("template"),
    ]
};

impl App {
    /// The organisation's current members, for imports.
    pub(crate) async fn people(&self, c: &mut impl AsConn, ctx: &OrgCtx) -> AppResult<People> {
        let today = self.today();
        let mut p = People {
            by_email: HashMap::new(),
            by_name: HashMap::new(),
        };
        for v in orgs::list_members(c, ctx.org.id, None, None, i64::MAX).await? {
            if !membership_active(v.m.expires_on.map(|d| d.0), today) {
                continue;
            }
            p.by_email.insert(v.email.to_lowercase(), v.m.user_id);
            p.by_name
                .entry(v.user_name.trim().to_lowercase())
                .or_default()
                .push(v.m.user_id);
        }
        Ok(p)
    }

    /// Import the document register's entries from CSV or XLSX (see `import_rows`): a
    /// row creates a document (its version 1 a draft, from the template when one is
    /// named) or changes its register entry and links. Versions, their texts and
    /// approvals are records and are not imported.
    pub(crate) async fn import_documents(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{Outcome, Sheet, new_opt, patch_text};
        use isms_domain::import::RowAction;
        const RENAMES: &[(&str, &str)] = &[("owner_id", "owner"), ("approver_id", "approver")];
        ctx.require(Permission::Write, "import documents")?;
        let sheet = Sheet::read(bytes, DOCUMENT_COLUMNS, progress)?;
        let current = self.documents_table(ctx).await?;
        let plan = sheet.plan("DOC", DOCUMENT_COLUMNS, &current)?;
        let docs: HashMap<i64, Document> = self
            .all_documents(ctx)
            .await?
            .into_iter()
            .map(|d| (d.number, d))
            .collect();
        let mut tx = self.db.begin().await?;
        let people = self.people(&mut tx, ctx).await?;
        let mut out = Outcome::new("documents", &sheet, plan.len(), dry_run);
        progress.start("importing documents", plan.len() as u64);
        for (c, action) in &plan {
            let reference = rules::reference(action.number());
            let mut pre = ValidationError::new();
            let review_months = match c.get("review_months") {
                "" => None,
                s => match s.strip_suffix(".0").unwrap_or(s).parse::<i64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        pre.push("review_months", format!("\"{s}\" is not a whole number"));
                        None
                    }
                },
            };
            // The links the row names (a missing column keeps the document's), read by
            // the register's own parser so that bad ones are named with the other
            // problems of the line.
            let links = |pre: &mut ValidationError, now: Option<&Document>| {
                let pick = |name: &str, have: Option<&Vec<String>>| match c.opt(name) {
                    Some(s) => Some(list_items(s)),
                    None => have.cloned(),
                };
                let cl = pick("clauses", now.map(|d| &d.clauses));
                let co = pick("controls", now.map(|d| &d.controls));
                if let Err(e) = rules::parse_links(
                    cl.as_deref().unwrap_or_default(),
                    co.as_deref().unwrap_or_default(),
                ) {
                    pre.errors.extend(e.errors);
                }
                (cl, co)
            };
            match *action {
                RowAction::Create(n) => {
                    let owner = people.cell(&mut pre, c, "owner");
                    let approver = people.cell(&mut pre, c, "approver");
                    let (cl, co) = links(&mut pre, None);
                    let input = NewDocument {
                        template: new_opt(c, "template"),
                        title: new_opt(c, "title"),
                        kind: new_opt(c, "kind"),
                        owner_id: owner,
                        approver_id: approver,
                        classification: new_opt(c, "classification"),
                        review_months,
                        content: None,
                        change_note: None,
                    };
                    let r = self
                        .create_document_in(&mut tx, actor, ctx, &input, Some(n))
                        .await;
                    let r = match r {
                        Ok(d) if pre.is_empty() => {
                            let cl = cl.unwrap_or_else(|| d.clauses.clone());
                            let co = co.unwrap_or_else(|| d.controls.clone());
                            self.relink_document(&mut tx, actor, ctx, &d, cl, co).await
                        }
                        r => r.map(|d| (d, false)),
                    };
                    out.row(
                        c.line,
                        *action,
                        reference,
                        with_row_problems(pre, r, RENAMES),
                    )?;
                }
                RowAction::Update(n) => {
                    let Some(d) = docs.get(&n) else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    if let Some(t) = c.opt("template")
                        && t != d.template_key.as_deref().unwrap_or("")
                    {
                        pre.push(
                            "template",
                            "is the template the document started from; it cannot change",
                        );
                    }
                    let differs = |name: &str, now: &str| {
                        patch_text(c, name).filter(|s| s.trim() != now.trim())
                    };
                    let person = |pre: &mut ValidationError, name: &str, now: Option<Uuid>| {
                        c.opt(name)?;
                        let u = people.cell(pre, c, name);
                        (u != now).then_some(u)
                    };
                    let patch = DocumentPatch {
                        title: differs("title", &d.title),
                        kind: differs("kind", &d.kind),
                        owner_id: person(&mut pre, "owner", d.owner_id),
                        approver_id: person(&mut pre, "approver", d.approver_id),
                        classification: differs("classification", &d.classification),
                        review_months: review_months.filter(|m| *m != d.review_months),
                        version: d.version,
                    };
                    let (cl, co) = links(&mut pre, Some(d));
                    let meta = patch.title.is_some()
                        || patch.kind.is_some()
                        || patch.owner_id.is_some()
                        || patch.approver_id.is_some()
                        || patch.classification.is_some()
                        || patch.review_months.is_some();
                    let r = if meta {
                        self.update_document_in(&mut tx, actor, ctx, d.id, &patch)
                            .await
                    } else {
                        Ok(d.clone())
                    };
                    let r = match r {
                        Ok(after) if pre.is_empty() => {
                            let cl = cl.unwrap_or_default();
                            let co = co.unwrap_or_default();
                            self.relink_document(&mut tx, actor, ctx, &after, cl, co)
                                .await
                        }
                        r => r.map(|d| (d, false)),
                    };
                    match with_row_problems(pre, r, RENAMES) {
                        // Only spelt differently (an owner by e-mail, a kind in capitals).
                        Ok((_, false)) if !meta => out.unchanged(),
                        r => out.row(c.line, *action, reference, r)?,
                    }
                }
                RowAction::Unchanged(_) => out.unchanged(),
            }
            progress.advance(1);
        }
        out.finish(self, tx, actor, ctx, progress).await
    }

    /// Set a document's clauses and controls when they differ from what it has (through
    /// the register's own link change); whether they did.
    async fn relink_document(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        d: &Document,
        clauses: Vec<String>,
        controls: Vec<String>,
    ) -> AppResult<(Document, bool)> {
        let same = match rules::parse_links(&clauses, &controls) {
            Ok((cl, co)) => {
                let set = |v: &[String]| {
                    let mut s = v.to_vec();
                    s.sort();
                    s
                };
                set(&cl) == set(&d.clauses) && set(&co) == set(&d.controls)
            }
            Err(_) => false,
        };
        if same {
            return Ok((d.clone(), false));
        }
        self.set_document_links_in(
            tx,
            actor,
            ctx,
            d.id,
            &Links {
                clauses,
                controls,
                version: d.version,
            },
        )
        .await
        .map(|d| (d, true))
    }
}
