//! The ISMS foundation records: versioned documents (scope, policy) and the registers
//! (issues, interested parties, roles, objectives). Every query is scoped by `org_id`.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct DocRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub kind: String,
    pub number: i64,
    pub status: String,
    pub content: String,
    pub based_on: String,
    pub change_note: String,
    pub approved_by: Option<Uuid>,
    /// The approver's name, joined from users.
    pub approved_by_name: Option<String>,
    pub approved_at: Option<Ts>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

const DOC_SELECT: &str = "SELECT d.id, d.org_id, d.kind, d.number, d.status, d.content, d.based_on,
        d.change_note, d.approved_by, u.name AS approved_by_name, d.approved_at, d.created_at,
        d.updated_at, d.version
 FROM isms_documents d LEFT JOIN users u ON u.id = d.approved_by";

pub async fn insert_doc(c: &mut impl AsConn, d: &DocRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO isms_documents (id, org_id, kind, number, status, content, based_on,
                 change_note, approved_by, approved_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
        .bind(d.id).bind(d.org_id).bind(&d.kind).bind(d.number).bind(&d.status)
        .bind(&d.content).bind(&d.based_on).bind(&d.change_note).bind(d.approved_by)
        .bind(d.approved_at).bind(d.created_at).bind(d.updated_at).bind(d.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Versions of one document, newest first, before `before_number` (keyset).
pub async fn list_docs(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    before_number: Option<i64>,
    limit: i64,
) -> Result<Vec<DocRow>, DbError> {
    let sql = format!(
        "{DOC_SELECT} WHERE d.org_id = $1 AND d.kind = $2 AND d.number < $3
         ORDER BY d.number DESC LIMIT $4"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, DocRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(kind).bind(before_number.unwrap_or(i64::MAX)).bind(limit)
        .fetch_all(x).await)?,
    )
}

pub async fn doc(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    id: Uuid,
) -> Result<Option<DocRow>, DbError> {
    let sql = format!("{DOC_SELECT} WHERE d.org_id = $1 AND d.kind = $2 AND d.id = $3");
    Ok(
        run!(c, x => sqlx::query_as::<_, DocRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(kind).bind(id).fetch_optional(x).await)?,
    )
}

/// The newest version in `status` (`approved`: in force; `draft`: being edited).
pub async fn doc_in_status(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    status: &str,
) -> Result<Option<DocRow>, DbError> {
    let sql = format!(
        "{DOC_SELECT} WHERE d.org_id = $1 AND d.kind = $2 AND d.status = $3
         ORDER BY d.number DESC LIMIT 1"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, DocRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(kind).bind(status).fetch_optional(x).await)?,
    )
}

pub async fn max_doc_number(c: &mut impl AsConn, org_id: Uuid, kind: &str) -> Result<i64, DbError> {
    crate::lock_numbering(c, "isms_documents", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM isms_documents WHERE org_id = $1 AND kind = $2")
        .bind(org_id).bind(kind).fetch_one(x).await)?;
    Ok(n.unwrap_or(0))
}

/// Save a draft's content and note if `version` is current and it is still a draft.
#[allow(clippy::too_many_arguments)]
pub async fn update_draft(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    id: Uuid,
    content: &str,
    change_note: &str,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE isms_documents SET content = $1, change_note = $2, updated_at = $3,
                version = version + 1
         WHERE org_id = $4 AND kind = $5 AND id = $6 AND version = $7 AND status = 'draft'")
        .bind(content).bind(change_note).bind(now).bind(org_id).bind(kind).bind(id)
        .bind(version).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Approve a draft (if `version` is current); the version in force before it becomes
/// superseded.
#[allow(clippy::too_many_arguments)]
pub async fn approve_doc(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    id: Uuid,
    by: Uuid,
    version: i64,
    now: Ts,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE isms_documents SET status = 'approved', approved_by = $1, approved_at = $2,
                updated_at = $2, version = version + 1
         WHERE org_id = $3 AND kind = $4 AND id = $5 AND version = $6 AND status = 'draft'")
        .bind(by).bind(now).bind(org_id).bind(kind).bind(id).bind(version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    run!(c, x => sqlx::query(
        "UPDATE isms_documents SET status = 'superseded', updated_at = $1, version = version + 1
         WHERE org_id = $2 AND kind = $3 AND status = 'approved' AND id <> $4")
        .bind(now).bind(org_id).bind(kind).bind(id)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(true)
}

/// Delete a draft (approved and superseded versions are records and stay).
pub async fn delete_draft(
    c: &mut impl AsConn,
    org_id: Uuid,
    kind: &str,
    id: Uuid,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM isms_documents WHERE org_id = $1 AND kind = $2 AND id = $3 AND status = 'draft'")
        .bind(org_id).bind(kind).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------
// Registers

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct EntryRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub register: String,
    pub number: i64,
    pub title: String,
    pub kind: Option<String>,
    pub person_id: Option<Uuid>,
    pub body: String,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<Ts>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// An entry with the names of the people on it (joined, read-only).
#[derive(Debug, Clone, FromRow)]
pub struct EntryWithNames {
    #[sqlx(flatten)]
    pub entry: EntryRow,
    pub person_name: Option<String>,
    pub approved_by_name: Option<String>,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.org_id, e.register, e.number, e.title, e.kind,
        e.person_id, e.body, e.approved_by, e.approved_at, e.created_at, e.updated_at,
        e.version, p.name AS person_name, a.name AS approved_by_name
 FROM isms_register_entries e LEFT JOIN users p ON p.id = e.person_id
      LEFT JOIN users a ON a.id = e.approved_by";

pub async fn insert_entry(c: &mut impl AsConn, e: &EntryRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO isms_register_entries (id, org_id, register, number, title, kind,
                 person_id, body, approved_by, approved_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
        .bind(e.id).bind(e.org_id).bind(&e.register).bind(e.number).bind(&e.title)
        .bind(&e.kind).bind(e.person_id).bind(&e.body).bind(e.approved_by).bind(e.approved_at)
        .bind(e.created_at).bind(e.updated_at).bind(e.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

pub async fn max_entry_number(
    c: &mut impl AsConn,
    org_id: Uuid,
    register: &str,
) -> Result<i64, DbError> {
    crate::lock_numbering(c, "isms_register_entries", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM isms_register_entries WHERE org_id = $1 AND register = $2")
        .bind(org_id).bind(register).fetch_one(x).await)?;
    Ok(n.unwrap_or(0))
}

/// Filters of a register list.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub kind: Option<String>,
    pub person_id: Option<Uuid>,
}

/// Entries by number after `after_number`; only the filters given become conditions, so
/// each query uses its index (`…_kind_idx`, `…_person_idx`) and the keyset range.
pub async fn list_entries(
    c: &mut impl AsConn,
    org_id: Uuid,
    register: &str,
    f: &EntryFilter,
    after_number: Option<i64>,
    limit: i64,
) -> Result<Vec<EntryWithNames>, DbError> {
    let mut sql =
        format!("{ENTRY_SELECT} WHERE e.org_id = $1 AND e.register = $2 AND e.number > $3");
    let mut args = Vec::new();
    if let Some(k) = &f.kind {
        args.push(crate::Arg::Text(k.clone()));
        sql.push_str(&format!(" AND e.kind = ${}", args.len() + 3));
    }
    if let Some(p) = f.person_id {
        args.push(crate::Arg::Uuid(p));
        sql.push_str(&format!(" AND e.person_id = ${}", args.len() + 3));
    }
    sql.push_str(&format!(
        " ORDER BY e.number LIMIT {}",
        limit.clamp(1, 100_001)
    ));
    Ok(run!(c, x => crate::bind_args!(
        sqlx::query_as::<_, EntryWithNames>(sqlx::AssertSqlSafe(sql.clone()))
            .bind(org_id).bind(register).bind(after_number.unwrap_or(0)),
        &args).fetch_all(x).await)?)
}

pub async fn entry(
    c: &mut impl AsConn,
    org_id: Uuid,
    register: &str,
    id: Uuid,
) -> Result<Option<EntryWithNames>, DbError> {
    let sql = format!("{ENTRY_SELECT} WHERE e.org_id = $1 AND e.register = $2 AND e.id = $3");
    Ok(
        run!(c, x => sqlx::query_as::<_, EntryWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(register).bind(id).fetch_optional(x).await)?,
    )
}

/// Save an entry if `version` is current; `false` when stale.
pub async fn update_entry(
    c: &mut impl AsConn,
    e: &EntryRow,
    expected_version: i64,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE isms_register_entries SET title = $1, kind = $2, person_id = $3, body = $4,
                approved_by = $5, approved_at = $6, updated_at = $7, version = version + 1
         WHERE org_id = $8 AND register = $9 AND id = $10 AND version = $11")
        .bind(&e.title).bind(&e.kind).bind(e.person_id).bind(&e.body).bind(e.approved_by)
        .bind(e.approved_at).bind(e.updated_at).bind(e.org_id).bind(&e.register).bind(e.id)
        .bind(expected_version).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete_entry(
    c: &mut impl AsConn,
    org_id: Uuid,
    register: &str,
    id: Uuid,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM isms_register_entries WHERE org_id = $1 AND register = $2 AND id = $3")
        .bind(org_id).bind(register).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
