//! Imported frameworks (0025): the framework, its requirement tree, the organisation's
//! links from its controls to requirements, and mappings to ISO 27001:2022. Every query
//! is scoped by `org_id`. Links and mappings name a requirement by its ref, so replacing
//! a framework's requirements on re-import keeps them.

use crate::{AsConn, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FrameworkRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub source_kind: String,
    pub source_key: String,
    pub name: String,
    pub fw_version: String,
    pub source_sha256: String,
    pub requirement_count: i64,
    pub imported_by: String,
    pub imported_at: Ts,
    pub created_at: Ts,
    pub version: i64,
}

const FW_COLS: &str = "id, org_id, source_kind, source_key, name, fw_version, source_sha256, requirement_count, imported_by, imported_at, created_at, version";

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RequirementRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub framework_id: Uuid,
    pub ref_id: String,
    pub parent_ref: Option<String>,
    pub position: i64,
    pub depth: i64,
    pub kind: String,
    pub assessable: bool,
    pub title: String,
    pub body: String,
}

const REQ_COLS: &str =
    "id, org_id, framework_id, ref_id, parent_ref, position, depth, kind, assessable, title, body";

/// A requirement without its text (trees, coverage).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct NodeRow {
    pub ref_id: String,
    pub parent_ref: Option<String>,
    pub position: i64,
    pub depth: i64,
    pub kind: String,
    pub assessable: bool,
    pub title: String,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LinkRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub framework_id: Uuid,
    pub requirement_ref: String,
    pub control_ref: String,
    pub created_at: Ts,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MappingRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub framework_id: Uuid,
    pub source_ref: String,
    pub target_id: String,
    pub relationship: String,
    pub rationale: String,
    pub position: i64,
}

/// What an ISO or own control meets in an imported framework (the control page).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MetRow {
    pub framework_id: Uuid,
    pub framework_name: String,
    pub requirement_ref: String,
    pub requirement_title: Option<String>,
    /// `link` or a mapping's relationship.
    pub how: String,
}

pub async fn insert_framework(c: &mut impl AsConn, r: &FrameworkRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO frameworks (id, org_id, source_kind, source_key, name, fw_version, source_sha256,
           requirement_count, imported_by, imported_at, created_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(r.id).bind(r.org_id).bind(&r.source_kind).bind(&r.source_key).bind(&r.name)
        .bind(&r.fw_version).bind(&r.source_sha256).bind(r.requirement_count).bind(&r.imported_by)
        .bind(r.imported_at).bind(r.created_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("framework"))?;
    Ok(())
}

/// Write what a re-import changes (name, version, file hash, count, who and when).
pub async fn update_framework(c: &mut impl AsConn, r: &FrameworkRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "UPDATE frameworks SET name = $1, fw_version = $2, source_sha256 = $3, requirement_count = $4,
           imported_by = $5, imported_at = $6, version = version + 1
         WHERE org_id = $7 AND id = $8")
        .bind(&r.name).bind(&r.fw_version).bind(&r.source_sha256).bind(r.requirement_count)
        .bind(&r.imported_by).bind(r.imported_at).bind(r.org_id).bind(r.id)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_source_key(
    c: &mut impl AsConn,
    org_id: Uuid,
    key: &str,
) -> Result<Option<FrameworkRow>, DbError> {
    let sql = format!("SELECT {FW_COLS} FROM frameworks WHERE org_id = $1 AND source_key = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, FrameworkRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(key).fetch_optional(x).await)?,
    )
}

pub async fn by_id(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<FrameworkRow>, DbError> {
    let sql = format!("SELECT {FW_COLS} FROM frameworks WHERE org_id = $1 AND id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, FrameworkRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// By name (any case) within the organisation; the oldest when two share it.
pub async fn by_name(
    c: &mut impl AsConn,
    org_id: Uuid,
    name: &str,
) -> Result<Option<FrameworkRow>, DbError> {
    let sql = format!(
        "SELECT {FW_COLS} FROM frameworks WHERE org_id = $1 AND lower(name) = $2 ORDER BY id LIMIT 1"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, FrameworkRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(name.trim().to_lowercase()).fetch_optional(x).await)?,
    )
}

/// In import order (ids are time-ordered), after `after`, at most `limit`.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<FrameworkRow>, DbError> {
    let sql = format!(
        "SELECT {FW_COLS} FROM frameworks WHERE org_id = $1 AND ($2 IS NULL OR id > $2)
         ORDER BY id LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, FrameworkRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after).bind(limit).fetch_all(x).await)?,
    )
}

pub async fn delete_requirements(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM framework_requirements WHERE org_id = $1 AND framework_id = $2")
        .bind(org_id).bind(framework_id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Insert many requirements, a few hundred rows per statement.
pub async fn insert_requirements(
    c: &mut impl AsConn,
    rows: &[RequirementRow],
) -> Result<(), DbError> {
    for chunk in rows.chunks(400) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 11;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO framework_requirements ({REQ_COLS}) VALUES {}",
            marks.join(", ")
        );
        run!(c, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                q = q.bind(r.id).bind(r.org_id).bind(r.framework_id).bind(r.ref_id.clone())
                    .bind(r.parent_ref.clone()).bind(r.position).bind(r.depth).bind(r.kind.clone())
                    .bind(r.assessable).bind(r.title.clone()).bind(r.body.clone());
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })
        .map_err(crate::dup("requirement id"))?;
    }
    Ok(())
}

/// The whole tree without texts, in document order (capped at 20,000, the import limit).
pub async fn nodes(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
) -> Result<Vec<NodeRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, NodeRow>(
        "SELECT ref_id, parent_ref, position, depth, kind, assessable, title FROM framework_requirements
         WHERE org_id = $1 AND framework_id = $2 ORDER BY position LIMIT 20000")
        .bind(org_id).bind(framework_id).fetch_all(x).await)?)
}

/// Requirements in document order after position `after`; `q` matches ref or title.
pub async fn requirements_page(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
    q: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<RequirementRow>, DbError> {
    let pattern = q.map(|s| format!("%{}%", s.to_lowercase()));
    let sql = format!(
        "SELECT {REQ_COLS} FROM framework_requirements
         WHERE org_id = $1 AND framework_id = $2
           AND ($3 IS NULL OR lower(ref_id) LIKE $3 OR lower(title) LIKE $3)
           AND ($4 IS NULL OR position > $4)
         ORDER BY position LIMIT $5"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, RequirementRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(framework_id).bind(pattern).bind(after).bind(limit).fetch_all(x).await)?,
    )
}

pub async fn requirement(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
    ref_id: &str,
) -> Result<Option<RequirementRow>, DbError> {
    let sql = format!(
        "SELECT {REQ_COLS} FROM framework_requirements WHERE org_id = $1 AND framework_id = $2 AND ref_id = $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, RequirementRow>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(framework_id).bind(ref_id).fetch_optional(x).await)?,
    )
}

/// Add a link; false when it was there already.
pub async fn insert_link(c: &mut impl AsConn, r: &LinkRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "INSERT INTO framework_links (id, org_id, framework_id, requirement_ref, control_ref, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, framework_id, requirement_ref, control_ref) DO NOTHING")
        .bind(r.id).bind(r.org_id).bind(r.framework_id).bind(&r.requirement_ref)
        .bind(&r.control_ref).bind(r.created_at)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete_link(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
    requirement_ref: &str,
    control_ref: &str,
) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM framework_links WHERE org_id = $1 AND framework_id = $2 AND requirement_ref = $3 AND control_ref = $4")
        .bind(org_id).bind(framework_id).bind(requirement_ref).bind(control_ref)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Every link of a framework, or of one requirement when `requirement_ref` is given.
pub async fn links(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
    requirement_ref: Option<&str>,
) -> Result<Vec<LinkRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, LinkRow>(
        "SELECT id, org_id, framework_id, requirement_ref, control_ref, created_at FROM framework_links
         WHERE org_id = $1 AND framework_id = $2 AND ($3 IS NULL OR requirement_ref = $3)
         ORDER BY requirement_ref, control_ref LIMIT 100000")
        .bind(org_id).bind(framework_id).bind(requirement_ref).fetch_all(x).await)?)
}

pub async fn delete_mappings(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
) -> Result<u64, DbError> {
    Ok(
        run!(c, x => sqlx::query("DELETE FROM framework_mappings WHERE org_id = $1 AND framework_id = $2")
        .bind(org_id).bind(framework_id).execute(x).await.map(|r| r.rows_affected()))?,
    )
}

/// Insert many mappings, a few hundred rows per statement.
pub async fn insert_mappings(c: &mut impl AsConn, rows: &[MappingRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(500) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 8;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO framework_mappings (id, org_id, framework_id, source_ref, target_id, relationship, rationale, position)
             VALUES {}",
            marks.join(", ")
        );
        run!(c, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                q = q.bind(r.id).bind(r.org_id).bind(r.framework_id).bind(r.source_ref.clone())
                    .bind(r.target_id.clone()).bind(r.relationship.clone()).bind(r.rationale.clone())
                    .bind(r.position);
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })
        .map_err(crate::dup("mapping"))?;
    }
    Ok(())
}

/// Every mapping of a framework, or of one requirement, in file order.
pub async fn mappings(
    c: &mut impl AsConn,
    org_id: Uuid,
    framework_id: Uuid,
    source_ref: Option<&str>,
) -> Result<Vec<MappingRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, MappingRow>(
        "SELECT id, org_id, framework_id, source_ref, target_id, relationship, rationale, position
         FROM framework_mappings
         WHERE org_id = $1 AND framework_id = $2 AND ($3 IS NULL OR source_ref = $3)
         ORDER BY position LIMIT 100000")
        .bind(org_id).bind(framework_id).bind(source_ref).fetch_all(x).await)?)
}

/// What a control meets in every imported framework: its links and the mappings that
/// target it (an Annex A id), with the requirement's title (one query).
pub async fn met_by_control(
    c: &mut impl AsConn,
    org_id: Uuid,
    control_ref: &str,
) -> Result<Vec<MetRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, MetRow>(
        "SELECT f.id AS framework_id, f.name AS framework_name, m.requirement_ref, r.title AS requirement_title, m.how
         FROM (SELECT framework_id, requirement_ref, 'link' AS how FROM framework_links
                 WHERE org_id = $1 AND control_ref = $2
               UNION ALL
               SELECT framework_id, source_ref AS requirement_ref, relationship AS how FROM framework_mappings
                 WHERE org_id = $1 AND target_id = $2) m
         JOIN frameworks f ON f.id = m.framework_id AND f.org_id = $1
         LEFT JOIN framework_requirements r
           ON r.org_id = $1 AND r.framework_id = m.framework_id AND r.ref_id = m.requirement_ref
         ORDER BY f.id, r.position, m.how LIMIT 5000")
        .bind(org_id).bind(control_ref).fetch_all(x).await)?)
}

/// Every assessable requirement of every framework of the organisation (the list's
/// coverage, one query).
pub async fn assessable_all(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT framework_id, ref_id FROM framework_requirements WHERE org_id = $1 AND assessable = $2 LIMIT 1000000")
        .bind(org_id).bind(true).fetch_all(x).await)?)
}

/// Every (framework, requirement, control or target) pair of links and mappings of the
/// organisation (the list's coverage, one query).
pub async fn pairs_all(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(Uuid, String, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT framework_id, requirement_ref, control_ref FROM framework_links WHERE org_id = $1
         UNION ALL
         SELECT framework_id, source_ref, target_id FROM framework_mappings WHERE org_id = $1
         LIMIT 2000000")
        .bind(org_id).fetch_all(x).await)?)
}
