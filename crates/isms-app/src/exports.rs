//! Registers as tables for export (CSV, Markdown). The formats live in `isms-export`.

use crate::audit::AuditQuery;
use crate::orgs::OrgCtx;
use crate::{App, AppError, AppResult};
use isms_domain::ValidationError;
use isms_export::{Table, TableFormat};

/// What can be exported today, by collection name.
pub const EXPORT_KINDS: &[&str] = &["audit-trail", "members"];

/// A finished export.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// A suggested file name, e.g. `northwind-members.csv`.
    pub file_name: String,
}

impl App {
    /// The whole audit trail (or the filtered part), oldest page last, as a table.
    pub async fn audit_table(&self, ctx: &OrgCtx, q: &AuditQuery) -> AppResult<Table> {
        let mut rows = Vec::new();
        let mut q = AuditQuery {
            limit: Some(500),
            cursor: None,
            ..q.clone()
        };
        loop {
            let page = self.list_audit(ctx, &q).await?;
            for e in page.items {
                rows.push(vec![
                    e.seq.to_string(),
                    e.at,
                    e.actor,
                    e.entity,
                    e.entity_id,
                    e.action,
                    e.summary,
                    isms_domain::audit::canonical_json(&e.details),
                    e.prev_hash,
                    e.hash,
                ]);
            }
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        // Oldest first: the order in which the chain is verified.
        rows.reverse();
        Ok(Table {
            title: format!("Audit trail of {}", ctx.org.name),
            headers: [
                "seq",
                "at",
                "actor",
                "entity",
                "entity_id",
                "action",
                "summary",
                "details",
                "prev_hash",
                "hash",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// Every member with role and access dates, as a table.
    pub async fn members_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_members(ctx, None, cursor.as_deref(), Some(500))
                .await?;
            for m in page.items {
                rows.push(vec![
                    m.email,
                    m.name,
                    m.role.as_str().to_owned(),
                    m.role.label().to_owned(),
                    m.expires_on.unwrap_or_default(),
                    if m.active { "yes" } else { "no" }.to_owned(),
                    if m.totp_enabled { "yes" } else { "no" }.to_owned(),
                    m.created_at,
                ]);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(Table {
            title: format!("Members of {}", ctx.org.name),
            headers: [
                "email",
                "name",
                "role",
                "role_label",
                "expires_on",
                "active",
                "two_step",
                "member_since",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// Export a register by its collection name in a format (`csv`, `md`).
    pub async fn export(
        &self,
        ctx: &OrgCtx,
        kind: &str,
        format: &str,
        audit_filter: Option<&AuditQuery>,
    ) -> AppResult<ExportFile> {
        let mut v = ValidationError::new();
        let fmt = TableFormat::parse(format);
        if fmt.is_none() {
            v.push(
                "format",
                format!("\"{format}\" is not an export format; choose csv or md"),
            );
        }
        if !EXPORT_KINDS.contains(&kind) {
            v.push(
                "kind",
                format!(
                    "\"{kind}\" cannot be exported yet; choose one of: {}",
                    EXPORT_KINDS.join(", ")
                ),
            );
        }
        v.into_result()?;
        let Some(fmt) = fmt else {
            return Err(AppError::Internal("format checked above".into()));
        };
        let table = match kind {
            "audit-trail" => {
                self.audit_table(ctx, &audit_filter.cloned().unwrap_or_default())
                    .await?
            }
            _ => self.members_table(ctx).await?,
        };
        let bytes =
            isms_export::render(&table, fmt).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(ExportFile {
            bytes,
            content_type: fmt.content_type(),
            file_name: format!("{}-{kind}.{}", ctx.org.slug, fmt.extension()),
        })
    }
}
