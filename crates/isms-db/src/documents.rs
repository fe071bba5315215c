//! The document register: documents, their versions and their links to clauses and
//! controls. Every query is scoped by `org_id`; the list is keyset-paginated on the number
//! with an index for each filter (see docs/database.md).

use crate::{AsConn, Day, DbError, Param, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub title: String,
    pub kind: String,
    pub owner_id: Option<Uuid>,
    pub approver_id: Option<Uuid>,
    pub classification: String,
    pub review_months: i64,
    pub next_review_on: Option<Day>,
    pub status: String,
    pub template_key: Option<String>,
    pub current_version: Option<i64>,
    pub approved_at: Option<Ts>,
    pub latest_version: i64,
    pub latest_status: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A document with the names of its owner and approver (joined in the same query).
#[derive(Debug, Clone, FromRow)]
pub struct DocumentWithNames {
    #[sqlx(flatten)]
    pub doc: DocumentRow,
    pub owner_name: Option<String>,
    pub approver_name: Option<String>,
}

const COLS: &str = "d.id, d.org_id, d.number, d.title, d.kind, d.owner_id, d.approver_id,
    d.classification, d.review_months, d.next_review_on, d.status, d.template_key,
    d.current_version, d.approved_at, d.latest_version, d.latest_status, d.created_at,
    d.updated_at, d.version, o.name AS owner_name, a.name AS approver_name";

const FROM: &str = "FROM documents d LEFT JOIN users o ON o.id = d.owner_id
    LEFT JOIN users a ON a.id = d.approver_id";

pub async fn insert_document(c: &mut impl AsConn, d: &DocumentRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO documents (id, org_id, number, title, kind, owner_id, approver_id,
            classification, review_months, next_review_on, status, template_key, current_version,
            approved_at, latest_version, latest_status, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)")
        .bind(d.id).bind(d.org_id).bind(d.number).bind(&d.title).bind(&d.kind).bind(d.owner_id)
        .bind(d.approver_id).bind(&d.classification).bind(d.review_months).bind(d.next_review_on)
        .bind(&d.status).bind(&d.template_key).bind(d.current_version).bind(d.approved_at)
        .bind(d.latest_version).bind(&d.latest_status).bind(d.created_at).bind(d.updated_at)
        .bind(d.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write every changeable column of `d` if `expected_version` is still current; `false`
/// when stale. The stored version goes up by one.
pub async fn update_document(
    c: &mut impl AsConn,
    d: &DocumentRow,
    expected_version: i64,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE documents SET title = $1, kind = $2, owner_id = $3, approver_id = $4,
            classification = $5, review_months = $6, next_review_on = $7, status = $8,
            current_version = $9, approved_at = $10, latest_version = $11, latest_status = $12,
            updated_at = $13, version = version + 1
         WHERE org_id = $14 AND id = $15 AND version = $16")
        .bind(&d.title).bind(&d.kind).bind(d.owner_id).bind(d.approver_id)
        .bind(&d.classification).bind(d.review_months).bind(d.next_review_on).bind(&d.status)
        .bind(d.current_version).bind(d.approved_at).bind(d.latest_version)
        .bind(&d.latest_status).bind(d.updated_at).bind(d.org_id).bind(d.id)
        .bind(expected_version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn document(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<DocumentWithNames>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE d.org_id = $1 AND d.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, DocumentWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_document(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM documents WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "documents", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM documents WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the register. Each is backed by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Approved documents whose next review day is before this day.
    pub review_before: Option<Day>,
    /// Only documents linked to this control reference (`5.15`, `NW-02`).
    pub control: Option<String>,
    /// Only documents linked to this clause (`9.2`).
    pub clause: Option<String>,
}

/// Documents by number after `after_number`. Only the filters given become conditions, so
/// each query uses its index and the keyset range on `number`.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &DocumentFilter,
    after_number: Option<i64>,
    limit: i64,
) -> Result<Vec<DocumentWithNames>, DbError> {
    let mut conds = vec!["d.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let mut add = |cond: &str, p: Param| {
        params.push(p);
        conds.push(cond.replace('?', &format!("${}", params.len() + 1)));
    };
    if let Some(k) = &f.kind {
        add("d.kind = ?", Param::Text(k.clone()));
    }
    if let Some(s) = &f.status {
        add("d.status = ?", Param::Text(s.clone()));
    }
    if let Some(o) = f.owner_id {
        add("d.owner_id = ?", Param::Uuid(o));
    }
    if let Some(day) = f.review_before {
        add(
            "d.status = 'approved' AND d.next_review_on < ?",
            Param::Day(day),
        );
    }
    for (kind, r) in [("control", &f.control), ("clause", &f.clause)] {
        if let Some(r) = r {
            add(
                &format!(
                    "d.id IN (SELECT l.document_id FROM document_links l
                     WHERE l.org_id = $1 AND l.target_kind = '{kind}' AND l.target_ref = ?)"
                ),
                Param::Text(r.clone()),
            );
        }
    }
    if let Some(n) = after_number {
        add("d.number > ?", Param::Int(n));
    }
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {} ORDER BY d.number LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 100_001)
    );
    Ok(crate::fetch_with!(
        c,
        DocumentWithNames,
        sql,
        org_id,
        &params
    )?)
}

/// The documents linked to one clause or control (`target_kind` `clause` or `control`), by
/// number; at most 200.
pub async fn linked_to(
    c: &mut impl AsConn,
    org_id: Uuid,
    target_kind: &str,
    target_ref: &str,
) -> Result<Vec<DocumentWithNames>, DbError> {
    let sql = format!(
        "SELECT {COLS} {FROM} JOIN document_links l ON l.document_id = d.id
         WHERE l.org_id = $1 AND l.target_kind = $2 AND l.target_ref = $3 AND d.org_id = $1
         ORDER BY d.number LIMIT 200"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, DocumentWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(target_kind).bind(target_ref).fetch_all(x).await)?,
    )
}

/// A document linked to a control: (control ref, document id, number, title, status).
pub type ControlDocument = (String, Uuid, i64, String, String);

/// Every document linked to a control of the organisation, by control then number: one
/// query for a whole Statement of Applicability (document_links_target_idx).
pub async fn control_links(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<ControlDocument>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, ControlDocument>(
        "SELECT l.target_ref, d.id, d.number, d.title, d.status
         FROM document_links l JOIN documents d ON d.id = l.document_id
         WHERE l.org_id = $1 AND l.target_kind = 'control' AND d.org_id = $1
         ORDER BY l.target_ref, d.number")
        .bind(org_id).fetch_all(x).await)?)
}

/// (document id, target kind, target ref) of the links of `ids` (one query for a page).
pub async fn links_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String, String)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT document_id, target_kind, target_ref FROM document_links
         WHERE org_id = $1 AND document_id IN ({}) ORDER BY document_id, target_kind, target_ref",
        marks.join(", ")
    );
    let params: Vec<Param> = ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(
        c,
        (Uuid, String, String),
        sql,
        org_id,
        &params
    )?)
}

/// Replace the links of a document.
pub async fn set_links(
    c: &mut impl AsConn,
    org_id: Uuid,
    document_id: Uuid,
    clauses: &[String],
    controls: &[String],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM document_links WHERE org_id = $1 AND document_id = $2")
        .bind(org_id).bind(document_id).execute(x).await.map(|r| r.rows_affected()))?;
    let all = clauses
        .iter()
        .map(|r| ("clause", r))
        .chain(controls.iter().map(|r| ("control", r)));
    for (kind, r) in all {
        run!(c, x => sqlx::query(
            "INSERT INTO document_links (id, org_id, document_id, target_kind, target_ref)
             VALUES ($1, $2, $3, $4, $5)")
            .bind(Uuid::now_v7()).bind(org_id).bind(document_id).bind(kind).bind(r)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Versions

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct VersionRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub document_id: Uuid,
    pub number: i64,
    pub status: String,
    pub content: String,
    pub file_sha256: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<String>,
    pub file_size: Option<i64>,
    pub based_on: Option<i64>,
    pub change_note: String,
    pub created_by: Option<Uuid>,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: Option<Ts>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<Ts>,
    pub decision_comment: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A version with the names of the people on it.
#[derive(Debug, Clone, FromRow)]
pub struct VersionWithNames {
    #[sqlx(flatten)]
    pub v: VersionRow,
    pub created_by_name: Option<String>,
    pub submitted_by_name: Option<String>,
    pub decided_by_name: Option<String>,
}

const VCOLS: &str = "v.id, v.org_id, v.document_id, v.number, v.status, v.content,
    v.file_sha256, v.file_name, v.file_type, v.file_size, v.based_on, v.change_note,
    v.created_by, v.submitted_by, v.submitted_at, v.decided_by, v.decided_at,
    v.decision_comment, v.created_at, v.updated_at, v.version,
    c.name AS created_by_name, s.name AS submitted_by_name, x.name AS decided_by_name";

const VFROM: &str = "FROM document_versions v LEFT JOIN users c ON c.id = v.created_by
    LEFT JOIN users s ON s.id = v.submitted_by LEFT JOIN users x ON x.id = v.decided_by";

pub async fn insert_version(c: &mut impl AsConn, v: &VersionRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO document_versions (id, org_id, document_id, number, status, content,
            file_sha256, file_name, file_type, file_size, based_on, change_note, created_by,
            submitted_by, submitted_at, decided_by, decided_at, decision_comment, created_at,
            updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21)")
        .bind(v.id).bind(v.org_id).bind(v.document_id).bind(v.number).bind(&v.status)
        .bind(&v.content).bind(&v.file_sha256).bind(&v.file_name).bind(&v.file_type)
        .bind(v.file_size).bind(v.based_on).bind(&v.change_note).bind(v.created_by)
        .bind(v.submitted_by).bind(v.submitted_at).bind(v.decided_by).bind(v.decided_at)
        .bind(&v.decision_comment).bind(v.created_at).bind(v.updated_at).bind(v.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write the changeable columns of a version if `expected_version` is current and its
/// status is still `expected_status`; `false` otherwise.
pub async fn update_version(
    c: &mut impl AsConn,
    v: &VersionRow,
    expected_version: i64,
    expected_status: &str,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE document_versions SET status = $1, content = $2, file_sha256 = $3, file_name = $4,
            file_type = $5, file_size = $6, change_note = $7, submitted_by = $8, submitted_at = $9,
            decided_by = $10, decided_at = $11, decision_comment = $12, updated_at = $13,
            version = version + 1
         WHERE org_id = $14 AND id = $15 AND version = $16 AND status = $17")
        .bind(&v.status).bind(&v.content).bind(&v.file_sha256).bind(&v.file_name)
        .bind(&v.file_type).bind(v.file_size).bind(&v.change_note).bind(v.submitted_by)
        .bind(v.submitted_at).bind(v.decided_by).bind(v.decided_at).bind(&v.decision_comment)
        .bind(v.updated_at).bind(v.org_id).bind(v.id).bind(expected_version)
        .bind(expected_status)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// One version of a document by its number.
pub async fn version(
    c: &mut impl AsConn,
    org_id: Uuid,
    document_id: Uuid,
    number: i64,
) -> Result<Option<VersionWithNames>, DbError> {
    let sql = format!(
        "SELECT {VCOLS} {VFROM} WHERE v.org_id = $1 AND v.document_id = $2 AND v.number = $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, VersionWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(document_id).bind(number).fetch_optional(x).await)?,
    )
}

/// Versions of a document, newest first, before `before_number` (keyset).
pub async fn versions(
    c: &mut impl AsConn,
    org_id: Uuid,
    document_id: Uuid,
    before_number: Option<i64>,
    limit: i64,
) -> Result<Vec<VersionWithNames>, DbError> {
    let sql = format!(
        "SELECT {VCOLS} {VFROM} WHERE v.org_id = $1 AND v.document_id = $2 AND v.number < $3
         ORDER BY v.number DESC LIMIT $4"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, VersionWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(document_id).bind(before_number.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, 10_001)).fetch_all(x).await)?,
    )
}

/// Mark the approved version(s) of a document other than `number` as superseded.
pub async fn supersede_others(
    c: &mut impl AsConn,
    org_id: Uuid,
    document_id: Uuid,
    number: i64,
    now: Ts,
) -> Result<u64, DbError> {
    Ok(run!(c, x => sqlx::query(
        "UPDATE document_versions SET status = 'superseded', updated_at = $1, version = version + 1
         WHERE org_id = $2 AND document_id = $3 AND status = 'approved' AND number <> $4")
        .bind(now).bind(org_id).bind(document_id).bind(number)
        .execute(x).await.map(|r| r.rows_affected()))?)
}
