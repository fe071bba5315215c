//! ISMS as code: the whole organisation as a directory of YAML files
//! (`isms export yaml`, the API's zip) and back (`isms import yaml`).

use crate::orgs::OrgCtx;
use crate::progress::Progress;
use crate::{Actor, App, AppError, AppResult, Change, record};
use isms_db::Ts;
use isms_db::isms_code as store;
use isms_domain::ValidationError;
use isms_domain::isms_code::{self as code, FileSet, Parsed, Plan};
use isms_domain::rbac::Permission;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What an import did or would do.
#[derive(Debug, Clone, Serialize)]
pub struct YamlImportReport {
    /// The plan: per file, the keys of the records added, changed and removed.
    pub plan: Plan,
    /// Whether the organisation held nothing before (then no confirmation is needed).
    pub was_empty: bool,
    /// Whether the changes were written.
    pub applied: bool,
    /// Records per register in the files.
    pub counts: BTreeMap<String, usize>,
    /// SHA-256 over the file set.
    pub sha256: String,
    /// E-mails given an account without sign-in because none existed.
    pub users_created: Vec<String>,
}

/// How far an import goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Show the plan, write nothing.
    DryRun,
    /// Write into an empty organisation; into a non-empty one only show the plan.
    Apply,
    /// Write, also into a non-empty organisation (the user confirmed the plan).
    ApplyConfirmed,
}

fn internal(e: String) -> AppError {
    AppError::Internal(e)
}

impl App {
    async fn read_org_files(
        &self,
        ctx: &OrgCtx,
        progress: &dyn Progress,
    ) -> AppResult<(FileSet, std::collections::HashMap<String, Uuid>, bool)> {
        let tables = store::schema().len() as u64;
        progress.start("Reading the registers", tables);
        let data = store::read_org(&self.db, ctx.org.id, &mut |_, _| progress.advance(1)).await?;
        progress.finish();
        // Memberships alone (the person who made the organisation) still count as empty.
        let empty = data
            .tables
            .iter()
            .all(|t| t.rows.is_empty() || t.name == "memberships");
        let (files, ids) = code::export_with_ids(&data).map_err(internal)?;
        Ok((files, ids, empty))
    }

    /// The whole organisation as files (relative path → bytes), the same bytes for the
    /// same records. Needs the right to manage the organisation (it holds everything).
    pub async fn export_yaml(&self, ctx: &OrgCtx, progress: &dyn Progress) -> AppResult<FileSet> {
        ctx.require(Permission::ManageOrg, "export the whole organisation")?;
        Ok(self.read_org_files(ctx, progress).await?.0)
    }

    /// [`App::export_yaml`] as a zip: entries sorted by path, every entry dated
    /// 1980-01-01, so that the same records give the same archive.
    pub async fn export_yaml_zip(&self, ctx: &OrgCtx) -> AppResult<crate::exports::ExportFile> {
        let files = self.export_yaml(ctx, &crate::progress::NoProgress).await?;
        let prefix = format!("{}-isms-as-code", ctx.org.slug);
        let entries: Vec<isms_export::archive::ArchiveFile> = files
            .into_iter()
            .map(|(path, bytes)| isms_export::archive::ArchiveFile {
                path: format!("{prefix}/{path}"),
                bytes,
            })
            .collect();
        let day = time::Date::from_calendar_date(1980, time::Month::January, 1)
            .map_err(|e| internal(e.to_string()))?;
        let bytes = isms_export::archive::zip_archive(&entries, day)
            .map_err(|e| internal(e.to_string()))?;
        Ok(crate::exports::ExportFile {
            bytes,
            content_type: "application/zip",
            file_name: format!("{prefix}.zip"),
        })
    }

    /// Read a directory written by [`App::export_yaml`] into the organisation: all or
    /// nothing, one audit-trail entry. Into a non-empty organisation the plan is shown
    /// and applied only with [`ImportMode::ApplyConfirmed`].
    pub async fn import_yaml(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        files: &FileSet,
        mode: ImportMode,
        progress: &dyn Progress,
    ) -> AppResult<YamlImportReport> {
        ctx.require(Permission::ManageOrg, "import the whole organisation")?;
        let schema = store::schema();
        let parsed = code::parse(files, &schema)?;
        let mut report = YamlImportReport {
            plan: Plan::default(),
            was_empty: false,
            applied: false,
            counts: parsed
                .tables
                .iter()
                .map(|(t, r)| (t.clone(), r.len()))
                .collect(),
            sha256: code::files_digest(files),
            users_created: Vec::new(),
        };
        let (current, existing, empty) = self.read_org_files(ctx, progress).await?;
        report.was_empty = empty;
        let old = if empty {
            Parsed {
                org: parsed.org.clone(),
                users: Vec::new(),
                tables: Vec::new(),
            }
        } else {
            code::parse(&current, &schema).map_err(|e| {
                internal(format!(
                    "the organisation's own export does not read back: {e}"
                ))
            })?
        };
        report.plan = code::plan(&old, &parsed);
        let write = match mode {
            ImportMode::DryRun => false,
            ImportMode::Apply => report.was_empty,
            ImportMode::ApplyConfirmed => true,
        };
        if !write {
            return Ok(report);
        }
        let mut tx = self.db.begin().await?;
        let now = Ts(self.now());
        let mut users = store::user_ids(&mut tx).await?;
        for (email, name) in &parsed.users {
            if !users.contains_key(email) {
                let id = Uuid::now_v7();
                store::create_user_without_sign_in(&mut tx, id, email, name, now).await?;
                users.insert(email.clone(), id);
                report.users_created.push(email.clone());
            }
        }
        let tables = code::resolve(files, &parsed, &schema, ctx.org.id, &users, &mut |rf| {
            existing.get(rf).copied().unwrap_or_else(Uuid::now_v7)
        })?;
        let total: usize = tables.iter().map(|t| t.rows.len()).sum();
        progress.start("Writing the records", total as u64);
        let label = |ti: usize, ri: usize| -> String {
            match parsed.tables.get(ti).and_then(|(_, r)| r.get(ri)) {
                Some(r) => format!("{} line {} (key {})", r.file, r.line, r.key),
                None => format!("record {ri} of register {ti}"),
            }
        };
        store::replace_org(
            &mut tx,
            ctx.org.id,
            &parsed.org,
            &tables,
            &label,
            &mut |_, n| progress.advance(n as u64),
        )
        .await
        .map_err(|e| match e {
            isms_db::DbError::Backup(m) => AppError::from(ValidationError::single("files", m)),
            other => AppError::from(other),
        })?;
        progress.finish();
        let (added, changed, removed) = report.plan.counts();
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "organisation",
                entity_id: ctx.org.id.to_string(),
                action: "import",
                summary: format!(
                    "imported ISMS as code ({} files, {total} records: {added} added, {changed} changed, {removed} removed)",
                    files.len()
                ),
                before: None,
                after: Some(serde_json::json!({
                    "sha256": report.sha256,
                    "files": files.len(),
                    "records": report.counts,
                    "added": added,
                    "changed": changed,
                    "removed": removed,
                    "users_created": report.users_created,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }
}
