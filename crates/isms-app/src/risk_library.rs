//! The organisation's threat and vulnerability catalogues: the starter lists, which it may
//! reword or retire, and entries of its own. They feed the risk form's suggestions.
//! Merging and checking are `isms_domain::risk::library` rules.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, encode_cursor, record};
use isms_db::Ts;
use isms_db::risk_library::{self as store, LibraryRow};
use isms_domain::ValidationError;
use isms_domain::rbac::Permission;
use isms_domain::risk::library::{
    Category, LibraryKind, OrgEntry, StoredEntry, check_entry, is_starter_code, merge,
    next_own_code, page_after,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One entry of the organisation's catalogue.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct LibraryItem {
    /// `T07` / `V12` for starter entries, `CT01` / `CV01` for the organisation's own.
    pub code: String,
    pub name: String,
    /// `people`, `process`, `technology`, `physical`, `supplier` or `cloud`.
    pub category: String,
    pub category_label: String,
    pub description: String,
    /// `starter`, `starter_changed` or `own`.
    pub origin: String,
    pub origin_label: String,
    /// Retired entries are kept but no longer offered on the risk form.
    pub retired: bool,
    /// 0 for a starter entry never changed; send it back with a change.
    pub version: i64,
}

impl From<OrgEntry> for LibraryItem {
    fn from(e: OrgEntry) -> Self {
        let origin = serde_json::to_value(e.origin)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        LibraryItem {
            code: e.code,
            name: e.name,
            category: e.category.as_str().to_owned(),
            category_label: e.category.label().to_owned(),
            description: e.description,
            origin_label: e.origin.label().to_owned(),
            origin,
            retired: e.retired,
            version: e.version,
        }
    }
}

/// A new entry of the organisation's own.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLibraryItem {
    pub name: String,
    /// `people`, `process`, `technology`, `physical`, `supplier` or `cloud`.
    pub category: String,
    #[serde(default)]
    pub description: String,
}

/// Changes to an entry (starter or own). Omitted fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LibraryItemPatch {
    pub name: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub retired: Option<bool>,
    /// The version you read (0 for an unchanged starter entry).
    pub version: i64,
}

/// Filters of a catalogue.
#[derive(Debug, Clone, Default)]
pub struct LibraryQuery {
    pub category: Option<String>,
    /// Include retired entries (default: yes).
    pub retired: Option<bool>,
    /// Words in the name or description.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn to_stored(rows: &[LibraryRow]) -> Vec<StoredEntry> {
    rows.iter()
        .map(|r| StoredEntry {
            code: r.code.clone(),
            name: r.name.clone(),
            // A category written by an older version and since removed reads as process.
            category: Category::parse(&r.category).unwrap_or(Category::Process),
            description: r.description.clone(),
            retired: r.retired,
            version: r.version,
        })
        .collect()
}

fn snapshot(e: &OrgEntry) -> serde_json::Value {
    serde_json::json!({
        "code": e.code, "name": e.name, "category": e.category.as_str(),
        "description": e.description, "retired": e.retired,
    })
}

/// The entry with this code, or 404 naming the kind.
fn find(entries: &[OrgEntry], kind: LibraryKind, code: &str) -> AppResult<OrgEntry> {
    entries
        .iter()
        .find(|e| e.code == code)
        .cloned()
        .ok_or(AppError::NotFound(kind.as_str()))
}

fn entity(kind: LibraryKind) -> &'static str {
    kind.as_str()
}

impl App {
    async fn library_entries(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
        kind: LibraryKind,
    ) -> AppResult<(Vec<LibraryRow>, Vec<OrgEntry>)> {
        let rows = store::entries(c, ctx.org.id, kind.as_str()).await?;
        let merged = merge(kind, &to_stored(&rows));
        Ok((rows, merged))
    }

    /// The catalogue in its stable order (starter entries, then own), filtered and paged.
    pub async fn list_library(
        &self,
        ctx: &OrgCtx,
        kind: LibraryKind,
        q: &LibraryQuery,
    ) -> AppResult<Page<LibraryItem>> {
        ctx.require(
            Permission::Read,
            "see the threat and vulnerability catalogues",
        )?;
        let limit = usize::try_from(crate::page_limit(q.limit)).unwrap_or(50);
        let cursor = decode_cursor(q.cursor.as_deref())?;
        let category = match q.category.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(Category::parse(c).ok_or_else(|| {
                ValidationError::single(
                    "category",
                    format!(
                        "must be one of: {}",
                        Category::ALL.map(Category::as_str).join(", ")
                    ),
                )
            })?),
        };
        let words =
            q.q.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase);
        let mut c = self.db.read().await?;
        let (_, merged) = self.library_entries(&mut c, ctx, kind).await?;
        let wanted: Vec<OrgEntry> = merged
            .into_iter()
            .filter(|e| category.is_none_or(|c| e.category == c))
            .filter(|e| q.retired.is_none_or(|r| e.retired == r))
            .filter(|e| {
                words.as_deref().is_none_or(|w| {
                    e.name.to_lowercase().contains(w) || e.description.to_lowercase().contains(w)
                })
            })
            .collect();
        let (page, more) = page_after(kind, &wanted, cursor.as_deref(), limit);
        Ok(Page {
            next_cursor: if more {
                page.last().map(|e| encode_cursor(&e.code))
            } else {
                None
            },
            items: page.iter().cloned().map(LibraryItem::from).collect(),
        })
    }

    /// Names of the entries in force, for the risk form's suggestions.
    pub async fn library_names(&self, ctx: &OrgCtx, kind: LibraryKind) -> AppResult<Vec<String>> {
        ctx.require(
            Permission::Read,
            "see the threat and vulnerability catalogues",
        )?;
        let mut c = self.db.read().await?;
        let (_, merged) = self.library_entries(&mut c, ctx, kind).await?;
        Ok(merged
            .into_iter()
            .filter(|e| !e.retired)
            .map(|e| e.name)
            .collect())
    }

    pub async fn get_library_item(
        &self,
        ctx: &OrgCtx,
        kind: LibraryKind,
        code: &str,
    ) -> AppResult<LibraryItem> {
        ctx.require(
            Permission::Read,
            "see the threat and vulnerability catalogues",
        )?;
        let mut c = self.db.read().await?;
        let (_, merged) = self.library_entries(&mut c, ctx, kind).await?;
        find(&merged, kind, code).map(LibraryItem::from)
    }

    /// Add an entry of the organisation's own (code `CT01`, `CV01`, …).
    pub async fn create_library_item(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        kind: LibraryKind,
        input: &NewLibraryItem,
    ) -> AppResult<LibraryItem> {
        ctx.require(
            Permission::Write,
            "change the threat and vulnerability catalogues",
        )?;
        let mut tx = self.db.begin().await?;
        let (rows, merged) = self.library_entries(&mut tx, ctx, kind).await?;
        let (name, category, description) = check_entry(
            &merged,
            None,
            &input.name,
            &input.category,
            &input.description,
        )?;
        let now = Ts(self.now());
        let row = LibraryRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            kind: kind.as_str().into(),
            code: next_own_code(kind, &to_stored(&rows)),
            name,
            category: category.as_str().into(),
            description,
            retired: false,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(&mut tx, &row).await?;
        let item = merge(kind, &to_stored(std::slice::from_ref(&row)))
            .into_iter()
            .find(|e| e.code == row.code)
            .ok_or_else(|| AppError::Internal("new library entry not merged".into()))?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: entity(kind),
                entity_id: row.code.clone(),
                action: "create",
                summary: format!("added {} {} \"{}\"", kind.as_str(), row.code, row.name),
                before: None,
                after: Some(snapshot(&item)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(item.into())
    }

    /// Reword, re-categorise, retire or bring back an entry. A starter entry changed for
    /// the first time gets its own row (version 0 → 1).
    pub async fn update_library_item(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        kind: LibraryKind,
        code: &str,
        patch: &LibraryItemPatch,
    ) -> AppResult<LibraryItem> {
        ctx.require(
            Permission::Write,
            "change the threat and vulnerability catalogues",
        )?;
        let mut tx = self.db.begin().await?;
        let (rows, merged) = self.library_entries(&mut tx, ctx, kind).await?;
        let before = find(&merged, kind, code)?;
        if before.version != patch.version {
            return Err(AppError::stale(kind.as_str()));
        }
        let retired = patch.retired.unwrap_or(before.retired);
        // The name must be unique among entries in force; a retired entry keeps its name.
        let check_against: Vec<OrgEntry> = if retired { Vec::new() } else { merged.clone() };
        let (name, category, description) = check_entry(
            &check_against,
            Some(code),
            patch.name.as_deref().unwrap_or(&before.name),
            patch
                .category
                .as_deref()
                .unwrap_or(before.category.as_str()),
            patch.description.as_deref().unwrap_or(&before.description),
        )?;
        let now = Ts(self.now());
        let mut row = match rows.into_iter().find(|r| r.code == code) {
            Some(r) => r,
            None => LibraryRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                kind: kind.as_str().into(),
                code: code.to_owned(),
                name: String::new(),
                category: String::new(),
                description: String::new(),
                retired: false,
                created_at: now,
                updated_at: now,
                version: 0,
            },
        };
        row.name = name;
        row.category = category.as_str().into();
        row.description = description;
        row.retired = retired;
        row.updated_at = now;
        if row.version == 0 {
            row.version = 1;
            store::insert(&mut tx, &row).await.map_err(|e| match e {
                isms_db::DbError::Duplicate(_) => AppError::stale(kind.as_str()),
                other => other.into(),
            })?;
        } else if !store::update(&mut tx, &row).await? {
            return Err(AppError::stale(kind.as_str()));
        } else {
            row.version += 1;
        }
        let after = merge(kind, &to_stored(std::slice::from_ref(&row)))
            .into_iter()
            .find(|e| e.code == code)
            .ok_or_else(|| AppError::Internal("changed library entry not merged".into()))?;
        let action = match (before.retired, after.retired) {
            (false, true) => "retire",
            (true, false) => "restore",
            _ => "update",
        };
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: entity(kind),
                entity_id: code.to_owned(),
                action,
                summary: format!(
                    "{} {} {code} \"{}\"",
                    match action {
                        "retire" => "retired",
                        "restore" => "brought back",
                        _ => "changed",
                    },
                    kind.as_str(),
                    after.name
                ),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after.into())
    }

    /// Put a starter entry back as shipped (its wording, in force again).
    pub async fn reset_library_item(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        kind: LibraryKind,
        code: &str,
    ) -> AppResult<LibraryItem> {
        ctx.require(
            Permission::Write,
            "change the threat and vulnerability catalogues",
        )?;
        if !is_starter_code(kind, code) {
            return Err(AppError::NotFound(kind.as_str()));
        }
        let mut tx = self.db.begin().await?;
        let (_, merged) = self.library_entries(&mut tx, ctx, kind).await?;
        let before = find(&merged, kind, code)?;
        // The starter name may since be used by an own entry in force.
        let after = find(&merge(kind, &[]), kind, code)?;
        check_entry(
            &merged,
            Some(code),
            &after.name,
            after.category.as_str(),
            &after.description,
        )?;
        if store::delete(&mut tx, ctx.org.id, kind.as_str(), code).await? {
            record(
                self,
                &mut tx,
                actor,
                Change {
                    org_id: Some(ctx.org.id),
                    entity: entity(kind),
                    entity_id: code.to_owned(),
                    action: "reset",
                    summary: format!(
                        "put {} {code} back to the starter wording \"{}\"",
                        kind.as_str(),
                        after.name
                    ),
                    before: Some(snapshot(&before)),
                    after: Some(snapshot(&after)),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after.into())
    }

    /// Remove an entry of the organisation's own. Starter entries are retired instead
    /// (409 says so). Risks keep the text they were given.
    pub async fn delete_library_item(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        kind: LibraryKind,
        code: &str,
    ) -> AppResult<()> {
        ctx.require(
            Permission::Write,
            "change the threat and vulnerability catalogues",
        )?;
        if is_starter_code(kind, code) {
            return Err(AppError::Conflict(format!(
                "{code} is a starter entry: retire it instead of removing it (it can be brought back later)"
            )));
        }
        let mut tx = self.db.begin().await?;
        let (_, merged) = self.library_entries(&mut tx, ctx, kind).await?;
        let before = find(&merged, kind, code)?;
        store::delete(&mut tx, ctx.org.id, kind.as_str(), code).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: entity(kind),
                entity_id: code.to_owned(),
                action: "delete",
                summary: format!("removed {} {code} \"{}\"", kind.as_str(), before.name),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
