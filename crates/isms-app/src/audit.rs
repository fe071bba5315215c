//! Reading and verifying the audit trail.

use crate::orgs::OrgCtx;
use crate::{App, AppError, AppResult, Page, Principal, encode_cursor, page_limit};
use isms_db::audit::{self as store, AuditFilter, AuditRow};
use isms_db::{Ts, orgs};
use isms_domain::ValidationError;
use isms_domain::audit::{ChainBreak, ChainVerifier, INSTANCE_CHAIN};
use isms_domain::rbac::Permission;
use isms_domain::time::{Timestamp, parse_date};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One entry of the audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub summary: String,
    /// What changed: `{"before": …, "after": …}`.
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            seq: r.seq,
            at: r.at.0.rfc3339(),
            actor_id: r.actor_id,
            actor: r.actor,
            entity: r.entity,
            entity_id: r.entity_id,
            action: r.action,
            summary: r.summary,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Filters for the audit-trail list, as given by a person (dates as YYYY-MM-DD).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub actor: Option<Uuid>,
    /// First day included.
    pub from: Option<String>,
    /// Last day included.
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The result of checking one chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainReport {
    /// The organisation's slug, or `instance` for the instance-wide chain.
    pub chain: String,
    pub ok: bool,
    pub entries_checked: i64,
    /// Where the chain breaks, in plain words (the first bad entry).
    pub problem: Option<String>,
}

fn day_start(field: &str, s: &str, plus_days: i64) -> Result<Ts, ValidationError> {
    let d = parse_date(s)
        .ok_or_else(|| ValidationError::single(field, "must be a date written YYYY-MM-DD"))?;
    let start = d.midnight().assume_utc();
    Ok(Ts(
        Timestamp::from_offset(start).plus_seconds(plus_days * 86_400)
    ))
}

impl App {
    /// The organisation's audit trail, newest first.
    pub async fn list_audit(&self, ctx: &OrgCtx, q: &AuditQuery) -> AppResult<Page<AuditEntry>> {
        ctx.require(Permission::ReadAuditTrail, "read the audit trail")?;
        self.list_chain(ctx.org.id, q).await
    }

    /// The instance-wide trail (accounts, sessions, tokens): instance administrators.
    pub async fn list_instance_audit(
        &self,
        p: &Principal,
        q: &AuditQuery,
    ) -> AppResult<Page<AuditEntry>> {
        if !p.is_admin {
            return Err(AppError::forbidden(
                "read the instance audit trail (instance administrators only)",
            ));
        }
        self.list_chain(INSTANCE_CHAIN, q).await
    }

    async fn list_chain(&self, chain: Uuid, q: &AuditQuery) -> AppResult<Page<AuditEntry>> {
        let mut v = ValidationError::new();
        let from = q
            .from
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| v.check(day_start("from", s, 0)));
        let to =
            q.to.as_deref()
                .filter(|s| !s.is_empty())
                .and_then(|s| v.check(day_start("to", s, 1)));
        let before_seq = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => crate::decode_cursor(Some(c))
                .ok()
                .flatten()
                .and_then(|s| s.parse::<i64>().ok())
                .or_else(|| {
                    v.push("cursor", "is not a cursor this server issued");
                    None
                }),
        };
        v.into_result()?;
        let limit = page_limit(q.limit);
        let f = AuditFilter {
            entity: q.entity.clone().filter(|s| !s.is_empty()),
            entity_id: None,
            actor_id: q.actor,
            from,
            to,
            before_seq,
        };
        let mut c = self.db.read().await?;
        let mut rows = store::list(&mut c, chain, &f, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&r.seq.to_string()))
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(AuditEntry::from).collect(),
            next_cursor,
        })
    }

    /// Entity kinds present in the organisation's trail (for the filter).
    pub async fn audit_entities(&self, ctx: &OrgCtx) -> AppResult<Vec<String>> {
        ctx.require(Permission::ReadAuditTrail, "read the audit trail")?;
        let mut c = self.db.read().await?;
        Ok(store::entities(&mut c, ctx.org.id).await?)
    }

    /// Re-compute one chain from its first entry. Pages are read while the page before
    /// is checked on blocking threads (its hashes on every core).
    pub async fn verify_chain(&self, chain: Uuid, label: &str) -> AppResult<ChainReport> {
        const PAGE: i64 = 8192;
        type Checked = (ChainVerifier, Result<(), ChainBreak>);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let report = |entries_checked: i64, problem: Option<String>| ChainReport {
            chain: label.to_owned(),
            ok: problem.is_none(),
            entries_checked,
            problem,
        };
        // One snapshot for the head and the entries, so a change committed while we read
        // is not mistaken for a truncated chain.
        let mut c = self.db.snapshot().await?;
        let head = store::head(&mut c, chain).await?;
        let mut verifier = ChainVerifier::new();
        let mut checking: Option<tokio::task::JoinHandle<Checked>> = None;
        let mut after = 0;
        // Until a page comes back empty: the page after the one being checked is read
        // before that check is waited for.
        loop {
            let page = store::page_in_order(&mut c, chain, after, PAGE).await?;
            after = page.last().map_or(after, |r| r.seq);
            if let Some(h) = checking.take() {
                let (v, r) = h
                    .await
                    .map_err(|e| AppError::Internal(format!("chain check stopped: {e}")))?;
                verifier = v;
                if let Err(b) = r {
                    return Ok(report(verifier.checked(), Some(b.to_string())));
                }
            }
            if page.is_empty() {
                break;
            }
            let entries: Vec<_> = page.into_iter().map(AuditRow::into_stored).collect();
            let mut v = std::mem::take(&mut verifier);
            checking = Some(tokio::task::spawn_blocking(move || {
                let r = v.push_all(&entries, threads);
                (v, r)
            }));
        }
        let checked = verifier.checked();
        Ok(
            match verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
                Ok(n) => report(n, None),
                Err(b) => report(checked, Some(b.to_string())),
            },
        )
    }

    /// How many entries the organisation's trail holds (from its head; cheap).
    pub async fn audit_entry_count(&self, ctx: &OrgCtx) -> AppResult<i64> {
        ctx.require(Permission::ReadAuditTrail, "read the audit trail")?;
        let mut c = self.db.read().await?;
        Ok(store::head(&mut c, ctx.org.id)
            .await?
            .map(|(s, _)| s)
            .unwrap_or(0))
    }

    /// Verify the organisation's chain (anyone who may read the trail).
    pub async fn verify_org_audit(&self, ctx: &OrgCtx) -> AppResult<ChainReport> {
        ctx.require(Permission::ReadAuditTrail, "read the audit trail")?;
        self.verify_chain(ctx.org.id, &ctx.org.slug).await
    }

    /// Verify every chain (the command line); `only` restricts to one organisation.
    pub async fn verify_all_audit(&self, only: Option<&str>) -> AppResult<Vec<ChainReport>> {
        let mut c = self.db.read().await?;
        let mut out = Vec::new();
        if let Some(slug) = only {
            let org = orgs::org_by_slug(&mut c, slug)
                .await?
                .ok_or(AppError::NotFound("organisation"))?;
            drop(c);
            out.push(self.verify_chain(org.id, &org.slug).await?);
            return Ok(out);
        }
        let chains = store::chains(&mut c).await?;
        for chain in chains {
            let label = if chain == INSTANCE_CHAIN {
                "instance".to_owned()
            } else {
                orgs::org_by_id(&mut c, chain)
                    .await?
                    .map(|o| o.slug)
                    .unwrap_or_else(|| chain.to_string())
            };
            out.push(self.verify_chain(chain, &label).await?);
        }
        Ok(out)
    }
}
