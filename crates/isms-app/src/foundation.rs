//! The ISMS foundation records of clauses 4–6 (services).
//!
//! - The scope statement (4.3) and the information security policy (5.2) are versioned,
//!   approvable documents: one generic implementation over
//!   `isms_domain::foundation::versioned::VersionedContent` serves both.
//! - Issues (4.1), interested parties (4.2), roles (5.3) and objectives (6.2) are register
//!   entries: one generic implementation over `RegisterBody`.
//!
//! History: every change writes an audit-trail entry whose summary names the fields that
//! changed and whose details hold the entry before and after. The pages read the history of
//! a record back from the audit trail (no separate revisions table).

use crate::audit::AuditEntry;
use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, paginate, record,
};
use isms_db::foundation::{self as store, DocRow, EntryFilter, EntryRow, EntryWithNames};
use isms_db::{AsConn, Ts, orgs};
use isms_domain::ValidationError;
use isms_domain::foundation::checks::{
    ClimateDetermination, DocState, Facts, Gap, climate_determination, foundation_gaps,
};
use isms_domain::foundation::registers::{
    Issue, Objective, ObjectiveChange, Party, RegisterBody, Role, changed_fields, objective_change,
};
use isms_domain::foundation::scope::{PolicyContent, ScopeContent};
use isms_domain::foundation::versioned::{
    FieldDiff, VersionStatus, VersionedContent, change_summary, diff, frozen_reason,
    new_draft_blocked,
};
use isms_domain::rbac::{Permission, membership_active};
use isms_export::{Report, Section};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Versioned documents

/// One version of a versioned document (scope statement or policy).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocVersion<C> {
    pub id: Uuid,
    /// Version number within the organisation (1, 2, …).
    pub number: i64,
    /// `draft`, `approved` (in force) or `superseded`.
    pub status: String,
    /// What the version started from: `new` or an earlier version.
    pub based_on: String,
    /// Why this version was made.
    pub change_note: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    pub content: C,
}

impl<C> DocVersion<C> {
    pub fn is_draft(&self) -> bool {
        self.status == VersionStatus::Draft.as_str()
    }

    pub fn is_approved(&self) -> bool {
        self.status == VersionStatus::Approved.as_str()
    }
}

pub type ScopeVersion = DocVersion<ScopeContent>;
pub type PolicyVersion = DocVersion<PolicyContent>;

/// Start a new draft: a copy of the version in force (or empty when there is none).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocVersion {
    #[serde(default)]
    pub change_note: String,
}

/// Changes to a draft: `content` replaces the whole content.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocVersionPatch<C> {
    pub content: Option<C>,
    pub change_note: Option<String>,
    pub version: i64,
}

/// Approve a draft (or an objective): send the `version` you read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    pub version: i64,
}

/// What changed between two versions, field by field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub from: i64,
    pub to: i64,
    pub changes: Vec<FieldDiff>,
}

pub(crate) fn parse_note(v: &mut ValidationError, s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 2000 {
        v.push("change_note", "must be at most 2,000 characters");
    }
    s.to_owned()
}

fn status_of(r: &DocRow) -> AppResult<VersionStatus> {
    VersionStatus::parse("status", &r.status)
        .map_err(|_| AppError::Internal(format!("document {} has status {}", r.id, r.status)))
}

fn doc_snapshot(r: &DocRow) -> serde_json::Value {
    serde_json::json!({
        "number": r.number,
        "status": r.status,
        "change_note": r.change_note,
        "content": serde_json::from_str::<serde_json::Value>(&r.content).unwrap_or_default(),
    })
}

fn to_json<T: Serialize>(x: &T) -> AppResult<String> {
    serde_json::to_string(x).map_err(|e| AppError::Internal(e.to_string()))
}

fn doc_entity<C: VersionedContent>() -> &'static str {
    match C::KIND.as_str() {
        "scope" => "scope_version",
        _ => "policy_version",
    }
}

fn to_doc<C: VersionedContent>(r: DocRow) -> AppResult<DocVersion<C>> {
    let content: C = serde_json::from_str(&r.content)
        .map_err(|e| AppError::Internal(format!("document {} is not readable: {e}", r.id)))?;
    Ok(DocVersion {
        id: r.id,
        number: r.number,
        status: r.status,
        based_on: r.based_on,
        change_note: r.change_note,
        approved_by: r.approved_by_name,
        approved_at: r.approved_at.map(|t| t.0.rfc3339()),
        created_at: r.created_at.0.rfc3339(),
        updated_at: r.updated_at.0.rfc3339(),
        version: r.version,
        content,
    })
}

impl App {
    /// Versions of the document, newest first (keyset on the version number).
    pub async fn list_doc_versions<C: VersionedContent>(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<DocVersion<C>>> {
        ctx.require(Permission::Read, &format!("see the {}", C::KIND.label()))?;
        let limit = page_limit(limit);
        let before = crate::decode_number_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows =
            store::list_docs(&mut c, ctx.org.id, C::KIND.as_str(), before, limit + 1).await?;
        let page = paginate(rows, limit, |r| r.number.to_string(), to_doc::<C>);
        Ok(Page {
            items: page.items.into_iter().collect::<AppResult<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    pub async fn get_doc_version<C: VersionedContent>(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<DocVersion<C>> {
        ctx.require(Permission::Read, &format!("see the {}", C::KIND.label()))?;
        let mut c = self.db.read().await?;
        let r = store::doc(&mut c, ctx.org.id, C::KIND.as_str(), id)
            .await?
            .ok_or(AppError::NotFound(C::KIND.label()))?;
        to_doc(r)
    }

    /// The newest version in a status: `approved` is the version in force.
    pub async fn doc_in_status<C: VersionedContent>(
        &self,
        ctx: &OrgCtx,
        status: VersionStatus,
    ) -> AppResult<Option<DocVersion<C>>> {
        ctx.require(Permission::Read, &format!("see the {}", C::KIND.label()))?;
        let mut c = self.db.read().await?;
        store::doc_in_status(&mut c, ctx.org.id, C::KIND.as_str(), status.as_str())
            .await?
            .map(to_doc)
            .transpose()
    }

    /// Start a draft as a copy of the version in force. One draft at a time.
    pub async fn create_doc_version<C: VersionedContent>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewDocVersion,
    ) -> AppResult<DocVersion<C>> {
        let kind = C::KIND.as_str();
        ctx.require(
            Permission::Write,
            &format!("change the {}", C::KIND.label()),
        )?;
        let mut v = ValidationError::new();
        let note = parse_note(&mut v, &input.change_note);
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        let draft = store::doc_in_status(&mut tx, ctx.org.id, kind, "draft").await?;
        if let Some(msg) = new_draft_blocked(C::KIND, draft.map(|d| d.number)) {
            return Err(AppError::Conflict(msg));
        }
        let (content, based_on) =
            match store::doc_in_status(&mut tx, ctx.org.id, kind, "approved").await? {
                Some(r) => (r.content.clone(), format!("version {}", r.number)),
                None => (to_json(&C::default())?, "new".to_owned()),
            };
        let now = Ts(self.now());
        let row = DocRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            kind: kind.to_owned(),
            number: store::max_doc_number(&mut tx, ctx.org.id, kind).await? + 1,
            status: "draft".into(),
            content,
            based_on,
            change_note: note,
            approved_by: None,
            approved_by_name: None,
            approved_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_doc(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: doc_entity::<C>(),
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "started version {} of the {} from {}",
                    row.number,
                    C::KIND.label(),
                    row.based_on
                ),
                before: None,
                after: Some(doc_snapshot(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        to_doc(row)
    }

    /// Change a draft. Approved and superseded versions are frozen (409).
    pub async fn update_doc_version<C: VersionedContent>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &DocVersionPatch<C>,
    ) -> AppResult<DocVersion<C>> {
        let kind = C::KIND.as_str();
        ctx.require(
            Permission::Write,
            &format!("change the {}", C::KIND.label()),
        )?;
        let mut tx = self.db.begin().await?;
        let before = store::doc(&mut tx, ctx.org.id, kind, id)
            .await?
            .ok_or(AppError::NotFound(C::KIND.label()))?;
        if let Some(msg) = frozen_reason(C::KIND, before.number, status_of(&before)?) {
            return Err(AppError::Conflict(msg));
        }
        let mut v = ValidationError::new();
        let note = patch
            .change_note
            .as_deref()
            .map(|n| parse_note(&mut v, n))
            .unwrap_or_else(|| before.change_note.clone());
        let old: C = to_doc::<C>(before.clone())?.content;
        let new = match &patch.content {
            Some(c) => v.check(c.validate()),
            None => Some(old.clone()),
        };
        v.into_result()?;
        let new = new.unwrap_or_default();
        let now = Ts(self.now());
        if !store::update_draft(
            &mut tx,
            ctx.org.id,
            kind,
            id,
            &to_json(&new)?,
            &note,
            patch.version,
            now,
        )
        .await?
        {
            return Err(AppError::stale(C::KIND.label()));
        }
        let after = store::doc(&mut tx, ctx.org.id, kind, id)
            .await?
            .ok_or(AppError::NotFound(C::KIND.label()))?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: doc_entity::<C>(),
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "draft version {} of the {}: {}",
                    after.number,
                    C::KIND.label(),
                    change_summary(&diff(&old, &new))
                ),
                before: Some(doc_snapshot(&before)),
                after: Some(doc_snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        to_doc(after)
    }

    /// Approve a draft (needs the approve permission): it comes into force and the
    /// version before it is superseded.
    pub async fn approve_doc_version<C: VersionedContent>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Approve,
    ) -> AppResult<DocVersion<C>> {
        let kind = C::KIND.as_str();
        ctx.require(
            Permission::Approve,
            &format!("approve the {}", C::KIND.label()),
        )?;
        let Some(approver) = actor.id() else {
            return Err(AppError::forbidden(&format!(
                "approve the {} (a person must approve it)",
                C::KIND.label()
            )));
        };
        let mut tx = self.db.begin().await?;
        let before = store::doc(&mut tx, ctx.org.id, kind, id)
            .await?
            .ok_or(AppError::NotFound(C::KIND.label()))?;
        if status_of(&before)? != VersionStatus::Draft {
            return Err(AppError::Conflict(format!(
                "version {} of the {} is already {}",
                before.number,
                C::KIND.label(),
                before.status
            )));
        }
        let content = to_doc::<C>(before.clone())?.content;
        content.validate()?;
        content.check_approvable()?;
        let previous = store::doc_in_status(&mut tx, ctx.org.id, kind, "approved").await?;
        let now = Ts(self.now());
        if !store::approve_doc(&mut tx, ctx.org.id, kind, id, approver, input.version, now).await? {
            return Err(AppError::stale(C::KIND.label()));
        }
        let after = store::doc(&mut tx, ctx.org.id, kind, id)
            .await?
            .ok_or(AppError::NotFound(C::KIND.label()))?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: doc_entity::<C>(),
                entity_id: id.to_string(),
                action: "approve",
                summary: match &previous {
                    Some(p) => format!(
                        "approved version {} of the {}; version {} superseded",
                        after.number,
                        C::KIND.label(),
                        p.number
                    ),
                    None => format!(
                        "approved version {} of the {}",
                        after.number,
                        C::KIND.label()
                    ),
                },
                before: Some(doc_snapshot(&before)),
                after: Some(doc_snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        to_doc(after)
    }

    /// Delete a draft; approved and superseded versions are records and stay.
    pub async fn delete_doc_version<C: VersionedContent>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        let kind = C::KIND.as_str();
        ctx.require(
            Permission::Write,
            &format!("change the {}", C::KIND.label()),
        )?;
        let mut tx = self.db.begin().await?;
        let before = store::doc(&mut tx, ctx.org.id, kind, id)
            .await?
            .ok_or(AppError::NotFound(C::KIND.label()))?;
        if !store::delete_draft(&mut tx, ctx.org.id, kind, id).await? {
            return Err(AppError::Conflict(format!(
                "version {} is {}; only a draft can be deleted",
                before.number, before.status
            )));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: doc_entity::<C>(),
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "deleted draft version {} of the {}",
                    before.number,
                    C::KIND.label()
                ),
                before: Some(doc_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What changed between two versions, field by field.
    pub async fn compare_doc_versions<C: VersionedContent>(
        &self,
        ctx: &OrgCtx,
        from: Uuid,
        to: Uuid,
    ) -> AppResult<Comparison> {
        let a = self
            .get_doc_version::<C>(ctx, from)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => {
                    ValidationError::single("from", "is not a version of this document").into()
                }
                e => e,
            })?;
        let b = self
            .get_doc_version::<C>(ctx, to)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => {
                    ValidationError::single("to", "is not a version of this document").into()
                }
                e => e,
            })?;
        Ok(Comparison {
            from: a.number,
            to: b.number,
            changes: diff(&a.content, &b.content),
        })
    }

    /// The document of one version as a report (what an auditor reads at Stage 1).
    pub async fn doc_report<C: VersionedContent>(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<(Report, i64)> {
        let d = self.get_doc_version::<C>(ctx, id).await?;
        let mut meta = vec![
            ("Organisation".to_owned(), ctx.org.name.clone()),
            (
                "Clause".to_owned(),
                format!("ISO/IEC 27001:2022 {}", C::KIND.clause()),
            ),
            ("Version".to_owned(), d.number.to_string()),
            ("Status".to_owned(), d.status.clone()),
        ];
        if let (Some(by), Some(at)) = (&d.approved_by, &d.approved_at) {
            meta.push((
                "Approved".to_owned(),
                format!("{} by {by}", at.get(..10).unwrap_or(at)),
            ));
        }
        if !d.change_note.is_empty() {
            meta.push(("Change".to_owned(), d.change_note.clone()));
        }
        meta.push((
            "Report date".to_owned(),
            isms_domain::time::format_date(self.today()),
        ));
        let sections = d
            .content
            .fields()
            .into_iter()
            .enumerate()
            .map(|(i, (_, label, lines))| {
                let mut s = Section {
                    heading: label.to_owned(),
                    ..Default::default()
                };
                if lines.is_empty() {
                    s.paragraphs.push("None recorded.".to_owned());
                } else if i == 0 || lines.len() == 1 && !label.ends_with('s') {
                    s.paragraphs = lines;
                } else {
                    s.bullets = lines;
                }
                s
            })
            .collect();
        let title = match C::KIND.as_str() {
            "scope" => format!(
                "Scope of the information security management system: {}",
                ctx.org.name
            ),
            _ => format!("Information security policy: {}", ctx.org.name),
        };
        Ok((
            Report {
                title,
                meta,
                sections,
                landscape: false,
                title_page: false,
            },
            d.number,
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Registers

/// One entry of a foundation register, with its body fields at the top level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entry<B> {
    pub id: Uuid,
    pub number: i64,
    /// The number as people see it (I-003, P-001, RO-002, O-004).
    pub reference: String,
    /// The name of the person the entry names (role holder, objective owner).
    pub person_name: Option<String>,
    /// Objectives: who approved the current terms, and when.
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: B,
}

/// A change to an entry: the whole body, and the `version` you read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryPatch<B> {
    pub version: i64,
    #[serde(flatten)]
    pub data: B,
}

/// Read by hand rather than with `#[serde(flatten)]`, which would let unknown fields
/// through: `version` is taken out and the rest must be exactly a body.
impl<'de, B: serde::de::DeserializeOwned> Deserialize<'de> for EntryPatch<B> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut m = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let version = match m.remove("version") {
            None => return Err(D::Error::missing_field("version")),
            Some(v) => v
                .as_i64()
                .ok_or_else(|| D::Error::custom("`version` must be a whole number"))?,
        };
        let data = B::deserialize(serde_json::Value::Object(m)).map_err(D::Error::custom)?;
        Ok(Self { version, data })
    }
}

/// Filters and page of a register list.
#[derive(Debug, Clone, Default)]
pub struct EntryQuery {
    /// Issue kind, party kind or objective status.
    pub kind: Option<String>,
    /// The name the caller gave `kind` under (`status` for objectives), for the error;
    /// `None`: `kind`.
    pub kind_field: Option<&'static str>,
    /// Role holder or objective owner.
    pub person_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn entry_snapshot(r: &EntryRow) -> serde_json::Value {
    serde_json::json!({
        "number": r.number,
        "title": r.title,
        "body": serde_json::from_str::<serde_json::Value>(&r.body).unwrap_or_default(),
        "approved_by": r.approved_by,
    })
}

fn reference<B: RegisterBody>(n: i64) -> String {
    format!("{}-{n:03}", B::REGISTER.prefix())
}

fn to_entry<B: RegisterBody>(r: EntryWithNames) -> AppResult<Entry<B>> {
    let data: B = serde_json::from_str(&r.entry.body).map_err(|e| {
        AppError::Internal(format!(
            "register entry {} is not readable: {e}",
            r.entry.id
        ))
    })?;
    Ok(Entry {
        id: r.entry.id,
        number: r.entry.number,
        reference: reference::<B>(r.entry.number),
        person_name: r.person_name,
        approved_by: r.approved_by_name,
        approved_at: r.entry.approved_at.map(|t| t.0.rfc3339()),
        created_at: r.entry.created_at.0.rfc3339(),
        updated_at: r.entry.updated_at.0.rfc3339(),
        version: r.entry.version,
        data,
    })
}

impl App {
    /// Every person named must be a current member of this organisation.
    async fn check_people<B: RegisterBody>(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        body: &B,
    ) -> AppResult<()> {
        let mut v = ValidationError::new();
        for (field, id) in body.person().into_iter().chain(body.other_people()) {
            let ok = orgs::membership_of(c, ctx.org.id, id)
                .await?
                .is_some_and(|m| membership_active(m.expires_on.map(|d| d.0), self.today()));
            if !ok {
                v.push(field, "is not a current member of this organisation");
            }
        }
        Ok(v.into_result()?)
    }

    /// A register by number, with its filters, keyset-paginated.
    pub async fn list_entries<B: RegisterBody>(
        &self,
        ctx: &OrgCtx,
        q: &EntryQuery,
    ) -> AppResult<Page<Entry<B>>> {
        ctx.require(Permission::Read, "see the ISMS foundation records")?;
        let limit = page_limit(q.limit);
        let mut v = ValidationError::new();
        let after = match decode_cursor(q.cursor.as_deref())? {
            None => None,
            Some(s) => s.parse::<i64>().ok().or_else(|| {
                v.push("cursor", "is not a cursor this server issued");
                None
            }),
        };
        let kind = q.kind.as_deref().filter(|k| !k.is_empty());
        if let Some(k) = kind
            && !B::kinds().iter().any(|(x, _)| *x == k)
        {
            let field = q.kind_field.unwrap_or("kind");
            if B::kinds().is_empty() {
                v.push(field, "this register has nothing to filter by here");
            } else {
                v.push(
                    field,
                    format!(
                        "must be one of {}",
                        B::kinds()
                            .iter()
                            .map(|(x, _)| *x)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        v.into_result()?;
        let f = EntryFilter {
            kind: kind.map(str::to_owned),
            person_id: q.person_id,
        };
        let mut c = self.db.read().await?;
        let rows = store::list_entries(
            &mut c,
            ctx.org.id,
            B::REGISTER.as_str(),
            &f,
            after,
            limit + 1,
        )
        .await?;
        let page = paginate(rows, limit, |r| r.entry.number.to_string(), to_entry::<B>);
        Ok(Page {
            items: page.items.into_iter().collect::<AppResult<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    /// The whole register (up to 10,000 entries), for pages and checks.
    pub async fn all_entries<B: RegisterBody>(&self, ctx: &OrgCtx) -> AppResult<Vec<Entry<B>>> {
        let q = EntryQuery {
            limit: Some(10_000),
            ..Default::default()
        };
        ctx.require(Permission::Read, "see the ISMS foundation records")?;
        let mut c = self.db.read().await?;
        let rows = store::list_entries(
            &mut c,
            ctx.org.id,
            B::REGISTER.as_str(),
            &EntryFilter::default(),
            None,
            q.limit.unwrap_or(10_000),
        )
        .await?;
        rows.into_iter().map(to_entry::<B>).collect()
    }

    pub async fn get_entry<B: RegisterBody>(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Entry<B>> {
        ctx.require(Permission::Read, "see the ISMS foundation records")?;
        let mut c = self.db.read().await?;
        let r = store::entry(&mut c, ctx.org.id, B::REGISTER.as_str(), id)
            .await?
            .ok_or(AppError::NotFound(B::REGISTER.label()))?;
        to_entry(r)
    }

    pub async fn create_entry<B: RegisterBody>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &B,
    ) -> AppResult<Entry<B>> {
        ctx.require(Permission::Write, "change the ISMS foundation records")?;
        let mut body = input.validate()?;
        if let Some(o) = body.as_objective() {
            objective_change(None, o)?;
        }
        let register = B::REGISTER.as_str();
        let mut tx = self.db.begin().await?;
        self.check_people(&mut tx, ctx, &body).await?;
        let now = Ts(self.now());
        let row = EntryRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            register: register.to_owned(),
            number: store::max_entry_number(&mut tx, ctx.org.id, register).await? + 1,
            title: body.title().to_owned(),
            kind: body.kind().map(str::to_owned),
            person_id: body.person().map(|p| p.1),
            body: to_json(&body)?,
            approved_by: None,
            approved_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_entry(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: register,
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "added {} {} {}",
                    B::REGISTER.label(),
                    reference::<B>(row.number),
                    row.title
                ),
                before: None,
                after: Some(entry_snapshot(&row)),
            },
        )
        .await?;
        let after = store::entry(&mut tx, ctx.org.id, register, row.id)
            .await?
            .ok_or(AppError::NotFound(B::REGISTER.label()))?;
        tx.commit().await?;
        to_entry(after)
    }

    /// Replace an entry's body. For objectives, changing the approved target, metric or
    /// due date sends the objective back for approval.
    pub async fn update_entry<B: RegisterBody>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &EntryPatch<B>,
    ) -> AppResult<Entry<B>> {
        ctx.require(Permission::Write, "change the ISMS foundation records")?;
        let register = B::REGISTER.as_str();
        let mut tx = self.db.begin().await?;
        let before = store::entry(&mut tx, ctx.org.id, register, id)
            .await?
            .ok_or(AppError::NotFound(B::REGISTER.label()))?;
        let mut old = to_entry::<B>(before.clone())?.data;
        let mut body = patch.data.validate()?;
        let mut row = before.entry.clone();
        let mut note = String::new();
        if let (Some(o_old), Some(o_new)) = (old.as_objective(), body.as_objective()) {
            match objective_change(Some(o_old), o_new)? {
                ObjectiveChange::NeedsApprovalAgain => {
                    o_new.status = "draft".to_owned();
                    note = "; its target, metric or due date changed, so it needs approval again"
                        .to_owned();
                }
                ObjectiveChange::Keep => {}
            }
            if o_new.status == "draft" {
                row.approved_by = None;
                row.approved_at = None;
            }
        }
        self.check_people(&mut tx, ctx, &body).await?;
        row.title = body.title().to_owned();
        row.kind = body.kind().map(str::to_owned);
        row.person_id = body.person().map(|p| p.1);
        row.body = to_json(&body)?;
        row.updated_at = Ts(self.now());
        if !store::update_entry(&mut tx, &row, patch.version).await? {
            return Err(AppError::stale(B::REGISTER.label()));
        }
        let changed = changed_fields(&old, &body);
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: register,
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "changed {} {} {}: {}{note}",
                    B::REGISTER.label(),
                    reference::<B>(row.number),
                    row.title,
                    if changed.is_empty() {
                        "nothing".to_owned()
                    } else {
                        changed.join(", ")
                    }
                ),
                before: Some(entry_snapshot(&before.entry)),
                after: Some(entry_snapshot(&row)),
            },
        )
        .await?;
        let after = store::entry(&mut tx, ctx.org.id, register, id)
            .await?
            .ok_or(AppError::NotFound(B::REGISTER.label()))?;
        tx.commit().await?;
        to_entry(after)
    }

    pub async fn delete_entry<B: RegisterBody>(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "change the ISMS foundation records")?;
        let register = B::REGISTER.as_str();
        let mut tx = self.db.begin().await?;
        let before = store::entry(&mut tx, ctx.org.id, register, id)
            .await?
            .ok_or(AppError::NotFound(B::REGISTER.label()))?;
        store::delete_entry(&mut tx, ctx.org.id, register, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: register,
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "deleted {} {} {}",
                    B::REGISTER.label(),
                    reference::<B>(before.entry.number),
                    before.entry.title
                ),
                before: Some(entry_snapshot(&before.entry)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approve an objective (needs the approve permission): records who and when. It must
    /// have an owner, a target, a metric and a due date.
    pub async fn approve_objective(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &Approve,
    ) -> AppResult<Entry<Objective>> {
        ctx.require(Permission::Approve, "approve objectives")?;
        let Some(approver) = actor.id() else {
            return Err(AppError::forbidden(
                "approve objectives (a person must approve them)",
            ));
        };
        let register = Objective::REGISTER.as_str();
        let mut tx = self.db.begin().await?;
        let before = store::entry(&mut tx, ctx.org.id, register, id)
            .await?
            .ok_or(AppError::NotFound("objective"))?;
        let mut o = to_entry::<Objective>(before.clone())?.data;
        if o.status != "draft" {
            return Err(AppError::Conflict(format!(
                "the objective is {}; only a draft objective can be approved",
                o.status
            )));
        }
        o.missing_for_approval().into_result()?;
        o.status = "approved".to_owned();
        let now = Ts(self.now());
        let mut row = before.entry.clone();
        row.kind = Some(o.status.clone());
        row.body = to_json(&o)?;
        row.approved_by = Some(approver);
        row.approved_at = Some(now);
        row.updated_at = now;
        if !store::update_entry(&mut tx, &row, input.version).await? {
            return Err(AppError::stale("objective"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: register,
                entity_id: id.to_string(),
                action: "approve",
                summary: format!(
                    "approved objective {} {}",
                    reference::<Objective>(row.number),
                    row.title
                ),
                before: Some(entry_snapshot(&before.entry)),
                after: Some(entry_snapshot(&row)),
            },
        )
        .await?;
        let after = store::entry(&mut tx, ctx.org.id, register, id)
            .await?
            .ok_or(AppError::NotFound("objective"))?;
        tx.commit().await?;
        to_entry(after)
    }
}

// ---------------------------------------------------------------------------------------
// Overview and history

/// What the foundation section shows at the top: what is still missing for clauses 4–6.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FoundationOverview {
    pub scope_approved: bool,
    pub scope_draft: bool,
    pub policy_approved: bool,
    pub policy_draft: bool,
    pub issues: usize,
    pub parties: usize,
    pub roles: usize,
    pub objectives: usize,
    pub climate: ClimateDetermination,
    /// Everything still missing, in clause order; empty when nothing is.
    pub gaps: Vec<Gap>,
}

fn data<B>(v: Vec<Entry<B>>) -> Vec<B> {
    v.into_iter().map(|e| e.data).collect()
}

impl App {
    async fn doc_state<C: VersionedContent>(&self, ctx: &OrgCtx) -> AppResult<DocState> {
        Ok(DocState {
            approved: self
                .doc_in_status::<C>(ctx, VersionStatus::Approved)
                .await?
                .is_some(),
            draft: self
                .doc_in_status::<C>(ctx, VersionStatus::Draft)
                .await?
                .is_some(),
        })
    }

    pub async fn foundation_overview(&self, ctx: &OrgCtx) -> AppResult<FoundationOverview> {
        let scope = self.doc_state::<ScopeContent>(ctx).await?;
        let policy = self.doc_state::<PolicyContent>(ctx).await?;
        let issues: Vec<Issue> = data(self.all_entries::<Issue>(ctx).await?);
        let parties: Vec<Party> = data(self.all_entries::<Party>(ctx).await?);
        let roles: Vec<Role> = data(self.all_entries::<Role>(ctx).await?);
        let objectives: Vec<Objective> = data(self.all_entries::<Objective>(ctx).await?);
        let gaps = foundation_gaps(&Facts {
            scope,
            policy,
            issues: &issues,
            parties: &parties,
            roles: &roles,
            objectives: &objectives,
        });
        Ok(FoundationOverview {
            scope_approved: scope.approved,
            scope_draft: scope.draft,
            policy_approved: policy.approved,
            policy_draft: policy.draft,
            issues: issues.len(),
            parties: parties.len(),
            roles: roles.len(),
            objectives: objectives.len(),
            climate: climate_determination(&issues),
            gaps,
        })
    }

    /// The history of one kind of foundation record (who changed what, when), newest first,
    /// read from the audit trail. Readers of the records see it; the full trail stays behind
    /// its own permission.
    pub async fn foundation_history(
        &self,
        ctx: &OrgCtx,
        entity: &str,
        entity_id: Option<Uuid>,
        limit: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        ctx.require(Permission::Read, "see the ISMS foundation records")?;
        let mut c = self.db.read().await?;
        let f = isms_db::audit::AuditFilter {
            entity: Some(entity.to_owned()),
            entity_id: entity_id.map(|i| i.to_string()),
            ..Default::default()
        };
        let rows = isms_db::audit::list(&mut c, ctx.org.id, &f, limit.clamp(1, 500)).await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}
