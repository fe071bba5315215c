//! The evidence register and what each piece of evidence supports. Every query is scoped
//! by `org_id`; the register is keyset-paginated newest first on the number, with an
//! index for each filter (kind, validity, link target).

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub url: Option<String>,
    pub blob_sha256: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub collected_by: Option<Uuid>,
    pub collected_on: Day,
    pub period_from: Option<Day>,
    pub period_to: Option<Day>,
    pub valid_until: Option<Day>,
    pub created_by: Option<Uuid>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A piece of evidence with the name of the person who collected it.
#[derive(Debug, Clone, FromRow)]
pub struct EvidenceWithNames {
    #[sqlx(flatten)]
    pub evidence: EvidenceRow,
    pub collected_by_name: Option<String>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LinkRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub evidence_id: Uuid,
    pub evidence_number: i64,
    pub target_kind: String,
    pub target_ref: String,
}

const COLS: &str = "e.id, e.org_id, e.number, e.kind, e.title, e.description, e.url,
    e.blob_sha256, e.file_name, e.content_type, e.size, e.collected_by, e.collected_on,
    e.period_from, e.period_to, e.valid_until, e.created_by, e.created_at, e.updated_at,
    e.version, u.name AS collected_by_name";

const FROM: &str = "FROM evidence e LEFT JOIN users u ON u.id = e.collected_by";

pub async fn insert(c: &mut impl AsConn, r: &EvidenceRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO evidence (id, org_id, number, kind, title, description, url, blob_sha256,
            file_name, content_type, size, collected_by, collected_on, period_from, period_to,
            valid_until, created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(&r.kind).bind(&r.title)
        .bind(&r.description).bind(&r.url).bind(&r.blob_sha256).bind(&r.file_name)
        .bind(&r.content_type).bind(r.size).bind(r.collected_by).bind(r.collected_on)
        .bind(r.period_from).bind(r.period_to).bind(r.valid_until).bind(r.created_by)
        .bind(r.created_at).bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write the metadata of `r` (never the file) if `r.version` is still current; false
/// when stale. The stored version goes up by one.
pub async fn update(c: &mut impl AsConn, r: &EvidenceRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE evidence SET title = $1, description = $2, url = $3, collected_by = $4,
            collected_on = $5, period_from = $6, period_to = $7, valid_until = $8,
            updated_at = $9, version = version + 1
         WHERE org_id = $10 AND id = $11 AND version = $12")
        .bind(&r.title).bind(&r.description).bind(&r.url).bind(r.collected_by)
        .bind(r.collected_on).bind(r.period_from).bind(r.period_to).bind(r.valid_until)
        .bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<EvidenceWithNames>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE e.org_id = $1 AND e.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, EvidenceWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM evidence WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "evidence", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM evidence WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the register; each is served by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct EvidenceFilter {
    /// `file` or `link` (evidence_kind_idx).
    pub kind: Option<String>,
    /// Linked to this target: (`control`, `5.15`) (evidence_links_target_idx).
    pub target: Option<(String, String)>,
    /// `valid_until` before this day: expired (evidence_valid_idx).
    pub valid_before: Option<Day>,
    /// `valid_until` within these days, both included: expiring soon (evidence_valid_idx).
    pub valid_between: Option<(Day, Day)>,
}

/// The register newest first (by number, below `before_number`), at most `limit`.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &EvidenceFilter,
    before_number: Option<i64>,
    limit: i64,
) -> Result<Vec<EvidenceWithNames>, DbError> {
    let mut conds = vec!["e.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let mut add = |cond: &str, ps: Vec<Param>| {
        let mut cond = cond.to_owned();
        for p in ps {
            params.push(p);
            cond = cond.replacen('?', &format!("${}", params.len() + 1), 1);
        }
        conds.push(cond);
    };
    if let Some(k) = &f.kind {
        add("e.kind = ?", vec![Param::Text(k.clone())]);
    }
    if let Some((kind, reference)) = &f.target {
        add(
            "e.id IN (SELECT l.evidence_id FROM evidence_links l
                      WHERE l.org_id = $1 AND l.target_kind = ? AND l.target_ref = ?)",
            vec![Param::Text(kind.clone()), Param::Text(reference.clone())],
        );
    }
    if let Some(d) = f.valid_before {
        add("e.valid_until < ?", vec![Param::Day(d)]);
    }
    if let Some((from, to)) = f.valid_between {
        add(
            "e.valid_until >= ? AND e.valid_until <= ?",
            vec![Param::Day(from), Param::Day(to)],
        );
    }
    if let Some(n) = before_number {
        add("e.number < ?", vec![Param::Int(n)]);
    }
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {} ORDER BY e.number DESC LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 10_000)
    );
    Ok(crate::fetch_with!(
        c,
        EvidenceWithNames,
        sql,
        org_id,
        &params
    )?)
}

/// The links of these pieces of evidence (one query for a whole page).
pub async fn links_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    evidence_ids: &[Uuid],
) -> Result<Vec<LinkRow>, DbError> {
    if evidence_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..evidence_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT id, org_id, evidence_id, evidence_number, target_kind, target_ref
         FROM evidence_links WHERE org_id = $1 AND evidence_id IN ({})
         ORDER BY evidence_id, target_kind, target_ref",
        marks.join(", ")
    );
    let params: Vec<Param> = evidence_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, LinkRow, sql, org_id, &params)?)
}

/// Add a link; false when it was there already.
pub async fn add_link(c: &mut impl AsConn, l: &LinkRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "INSERT INTO evidence_links (id, org_id, evidence_id, evidence_number, target_kind, target_ref)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, evidence_id, target_kind, target_ref) DO NOTHING")
        .bind(l.id).bind(l.org_id).bind(l.evidence_id).bind(l.evidence_number)
        .bind(&l.target_kind).bind(&l.target_ref)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Remove a link; false when there was none.
pub async fn remove_link(
    c: &mut impl AsConn,
    org_id: Uuid,
    evidence_id: Uuid,
    kind: &str,
    reference: &str,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM evidence_links
         WHERE org_id = $1 AND evidence_id = $2 AND target_kind = $3 AND target_ref = $4")
        .bind(org_id).bind(evidence_id).bind(kind).bind(reference)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A control whose implementation status claims it operates (from
/// `control_implementations`, migration 0011).
/// One piece of evidence linked to a control, with its validity.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ControlEvidence {
    pub control_ref: String,
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub valid_until: Option<Day>,
}

/// A control recorded with one of the claimed statuses, whether any evidence linked to it
/// is still valid, and when none is, its latest expired evidence.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ControlCoverage {
    pub control_ref: String,
    pub status: String,
    pub has_current: bool,
    pub latest_id: Option<Uuid>,
    pub latest_number: Option<i64>,
    pub latest_title: Option<String>,
    pub latest_valid_until: Option<Day>,
}

/// Evidence coverage of the controls with one of `statuses`, in catalogue order, in one
/// query that does not grow with the evidence register: "still valid" is
/// `valid_until IS NULL OR valid_until >= today`, the same test as
/// `isms_domain::evidence::is_expired` negated, and the search for one stops at the
/// first (evidence_links_target_idx). Only a control without one has its links read
/// through, for the latest expired piece: the CASE in a materialised step, because
/// a join condition was evaluated for every control.
pub async fn control_coverage(
    c: &mut impl AsConn,
    org_id: Uuid,
    statuses: &[&str],
    today: Day,
) -> Result<Vec<ControlCoverage>, DbError> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..statuses.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "WITH q AS MATERIALIZED (
              SELECT ci.control_ref, ci.status, ci.sort_key,
                     EXISTS (SELECT 1 FROM evidence_links l
                             JOIN evidence v ON v.id = l.evidence_id
                             WHERE l.org_id = ci.org_id AND l.target_kind = 'control'
                               AND l.target_ref = ci.control_ref
                               AND (v.valid_until IS NULL OR v.valid_until >= $2)) AS has_current
              FROM control_implementations ci
              WHERE ci.org_id = $1 AND ci.status IN ({})),
              w AS MATERIALIZED (
              SELECT q.control_ref, q.status, q.sort_key, q.has_current,
                     CASE WHEN q.has_current THEN NULL ELSE
                       (SELECT l.evidence_id FROM evidence_links l
                        JOIN evidence v ON v.id = l.evidence_id
                        WHERE l.org_id = $1 AND l.target_kind = 'control'
                          AND l.target_ref = q.control_ref
                        ORDER BY v.valid_until DESC, v.number DESC LIMIT 1) END AS latest
              FROM q)
         SELECT w.control_ref, w.status, w.has_current, e.id AS latest_id,
                e.number AS latest_number, e.title AS latest_title,
                e.valid_until AS latest_valid_until
         FROM w LEFT JOIN evidence e ON e.org_id = $1 AND e.id = w.latest
         ORDER BY w.sort_key",
        marks.join(", ")
    );
    let mut params: Vec<Param> = vec![Param::Day(today)];
    params.extend(statuses.iter().map(|s| Param::Text((*s).to_owned())));
    Ok(crate::fetch_with!(
        c,
        ControlCoverage,
        sql,
        org_id,
        &params
    )?)
}

/// Controls per statement of [`newest_control_links`] (SQLite allows 500 parts in a
/// compound SELECT).
const CONTROLS_PER_STATEMENT: usize = 100;

/// The `per` newest pieces of evidence linked to each of `controls`, by control then
/// newest first: one `LIMIT` range of evidence_links_target_idx per control, joined in
/// one statement per hundred controls, so the cost does not grow with the register.
pub async fn newest_control_links(
    c: &mut impl AsConn,
    org_id: Uuid,
    controls: &[String],
    per: i64,
) -> Result<Vec<ControlEvidence>, DbError> {
    let mut out = Vec::new();
    for chunk in controls.chunks(CONTROLS_PER_STATEMENT) {
        let parts: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT l.target_ref AS control_ref, e.id, e.number, e.title,
                            e.valid_until
                     FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id
                     WHERE l.org_id = $1 AND l.target_kind = 'control' AND l.target_ref = ${}
                     ORDER BY l.evidence_number DESC LIMIT $2) p{i}",
                    i + 3
                )
            })
            .collect();
        let sql = parts.join(" UNION ALL ");
        let mut params: Vec<Param> = vec![Param::Int(per)];
        params.extend(chunk.iter().map(|c| Param::Text(c.clone())));
        out.extend(crate::fetch_with!(
            c,
            ControlEvidence,
            sql,
            org_id,
            &params
        )?);
    }
    Ok(out)
}

/// How many pieces of evidence are linked to each control of the organisation (a scan
/// of evidence_links_target_idx only; controls without evidence are left out).
pub async fn control_link_counts(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (String, i64)>(
        "SELECT target_ref, COUNT(*) FROM evidence_links
         WHERE org_id = $1 AND target_kind = 'control' GROUP BY target_ref")
        .bind(org_id).fetch_all(x).await)?)
}

/// The pieces of evidence (number, title) that hold a file with this hash.
pub async fn by_blob(
    c: &mut impl AsConn,
    org_id: Uuid,
    sha256: &str,
) -> Result<Vec<(i64, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (i64, String)>(
        "SELECT number, title FROM evidence WHERE org_id = $1 AND blob_sha256 = $2 ORDER BY number")
        .bind(org_id).bind(sha256).fetch_all(x).await)?)
}

/// Which of these risk numbers exist in the organisation (one query).
pub async fn existing_risk_numbers(
    c: &mut impl AsConn,
    org_id: Uuid,
    numbers: &[i64],
) -> Result<Vec<i64>, DbError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..numbers.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT number FROM risks WHERE org_id = $1 AND number IN ({})",
        marks.join(", ")
    );
    let params: Vec<Param> = numbers.iter().map(|n| Param::Int(*n)).collect();
    let rows: Vec<(i64,)> = crate::fetch_with!(c, (i64,), sql, org_id, &params)?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The whole register in number order, a page at a time (exports).
pub async fn all_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_number: i64,
    limit: i64,
) -> Result<Vec<EvidenceWithNames>, DbError> {
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE e.org_id = $1 AND e.number > $2 ORDER BY e.number LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, EvidenceWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after_number).bind(limit).fetch_all(x).await)?,
    )
}
