//! The asset inventory, asset tags, data flows between assets and the assets a risk
//! concerns. Every query is scoped by `org_id`; lists are keyset-paginated on the per-org
//! number with an index for each filter, and the tags, flows and risks of a page are read
//! in one query each.

use crate::{AsConn, DbError, Param, Ts, fetch_with, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AssetRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub asset_type: String,
    pub name: String,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub custodian_id: Option<Uuid>,
    pub location: String,
    pub confidentiality: i64,
    pub integrity: i64,
    pub availability: i64,
    pub classification: i64,
    pub in_scope: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// An asset with the names of its owner and custodian (joined, read-only).
#[derive(Debug, Clone, FromRow)]
pub struct AssetWithNames {
    #[sqlx(flatten)]
    pub asset: AssetRow,
    pub owner_name: Option<String>,
    pub custodian_name: Option<String>,
}

const COLS: &str = "a.id, a.org_id, a.number, a.asset_type, a.name, a.description, a.owner_id,
    a.custodian_id, a.location, a.confidentiality, a.integrity, a.availability,
    a.classification, a.in_scope, a.created_at, a.updated_at, a.version,
    o.name AS owner_name, c.name AS custodian_name";

const FROM: &str = "FROM assets a LEFT JOIN users o ON o.id = a.owner_id
    LEFT JOIN users c ON c.id = a.custodian_id";

/// `$2, $3, …` for a list of `n` values that follow `$1`.
fn marks(n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn insert_asset(c: &mut impl AsConn, a: &AssetRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO assets (id, org_id, number, asset_type, name, description, owner_id,
            custodian_id, location, confidentiality, integrity, availability, classification,
            in_scope, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
        .bind(a.id).bind(a.org_id).bind(a.number).bind(&a.asset_type).bind(&a.name)
        .bind(&a.description).bind(a.owner_id).bind(a.custodian_id).bind(&a.location)
        .bind(a.confidentiality).bind(a.integrity).bind(a.availability).bind(a.classification)
        .bind(a.in_scope).bind(a.created_at).bind(a.updated_at).bind(a.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write every field of `a` if `a.version` is still current; `false` when stale. The
/// stored version goes up by one.
pub async fn update_asset(c: &mut impl AsConn, a: &AssetRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE assets SET asset_type = $1, name = $2, description = $3, owner_id = $4,
            custodian_id = $5, location = $6, confidentiality = $7, integrity = $8,
            availability = $9, classification = $10, in_scope = $11, updated_at = $12,
            version = version + 1
         WHERE org_id = $13 AND id = $14 AND version = $15")
        .bind(&a.asset_type).bind(&a.name).bind(&a.description).bind(a.owner_id)
        .bind(a.custodian_id).bind(&a.location).bind(a.confidentiality).bind(a.integrity)
        .bind(a.availability).bind(a.classification).bind(a.in_scope).bind(a.updated_at)
        .bind(a.org_id).bind(a.id).bind(a.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn asset(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<AssetWithNames>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE a.org_id = $1 AND a.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, AssetWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// The assets of this organisation among `ids` (others' ids find nothing).
pub async fn assets_by_ids(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<AssetWithNames>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE a.org_id = $1 AND a.id IN ({}) ORDER BY a.number",
        marks(ids.len())
    );
    let params: Vec<Param> = ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(fetch_with!(c, AssetWithNames, sql, org_id, &params)?)
}

/// The assets of this organisation with these numbers.
pub async fn assets_by_numbers(
    c: &mut impl AsConn,
    org_id: Uuid,
    numbers: &[i64],
) -> Result<Vec<(Uuid, i64)>, DbError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, number FROM assets WHERE org_id = $1 AND number IN ({}) ORDER BY number",
        marks(numbers.len())
    );
    let params: Vec<Param> = numbers.iter().map(|n| Param::Int(*n)).collect();
    Ok(fetch_with!(c, (Uuid, i64), sql, org_id, &params)?)
}

pub async fn delete_asset(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM assets WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "assets", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM assets WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the inventory. Each is backed by an index that starts with `org_id`.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub asset_type: Option<String>,
    pub owner_id: Option<Uuid>,
    pub in_scope: Option<bool>,
    /// Exactly this classification level (1–4).
    pub classification: Option<i64>,
    /// This classification level or higher.
    pub min_classification: Option<i64>,
    pub tag: Option<String>,
    /// Lower-cased text the name contains.
    pub q: Option<String>,
}

/// Assets by number, after `after_number`. Only the filters given become SQL conditions,
/// so each query can use its index and the keyset range on `number`.
pub async fn list_assets(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &AssetFilter,
    after_number: Option<i64>,
    limit: i64,
) -> Result<Vec<AssetWithNames>, DbError> {
    let mut conds = vec!["a.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let mut add = |cond: &str, p: Param| {
        params.push(p);
        conds.push(cond.replace('?', &format!("${}", params.len() + 1)));
    };
    // With a tag, the tag index drives the query in number order (it holds the number),
    // so a rare tag does not scan the whole inventory.
    let (from, key) = match &f.tag {
        Some(t) => {
            add("t.org_id = $1 AND t.tag = ?", Param::Text(t.clone()));
            (
                format!("{FROM} JOIN asset_tags t ON t.asset_id = a.id"),
                "t.asset_number",
            )
        }
        None => (FROM.to_owned(), "a.number"),
    };
    if let Some(t) = &f.asset_type {
        add("a.asset_type = ?", Param::Text(t.clone()));
    }
    if let Some(o) = f.owner_id {
        add("a.owner_id = ?", Param::Uuid(o));
    }
    if let Some(b) = f.in_scope {
        add("a.in_scope = ?", Param::Bool(b));
    }
    if let Some(l) = f.classification {
        add("a.classification = ?", Param::Int(l));
    }
    if let Some(l) = f.min_classification {
        add("a.classification >= ?", Param::Int(l));
    }
    if let Some(q) = &f.q {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        add(
            "lower(a.name) LIKE ? ESCAPE '\\'",
            Param::Text(format!("%{escaped}%")),
        );
    }
    if let Some(n) = after_number {
        add(&format!("{key} > ?"), Param::Int(n));
    }
    let sql = format!(
        "SELECT {COLS} {from} WHERE {} ORDER BY {key} LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 100_001)
    );
    Ok(fetch_with!(c, AssetWithNames, sql, org_id, &params)?)
}

/// How many assets the organisation has.
pub async fn count_assets(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    Ok(
        run!(c, x => sqlx::query_scalar("SELECT COUNT(*) FROM assets WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?,
    )
}

/// The tags of each of `asset_ids` (one query for a page of assets).
pub async fn tags_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    asset_ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    if asset_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT asset_id, tag FROM asset_tags WHERE org_id = $1 AND asset_id IN ({})
         ORDER BY asset_id, tag",
        marks(asset_ids.len())
    );
    let params: Vec<Param> = asset_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(fetch_with!(c, (Uuid, String), sql, org_id, &params)?)
}

/// Replace the tags of an asset.
pub async fn set_tags(
    c: &mut impl AsConn,
    org_id: Uuid,
    asset_id: Uuid,
    asset_number: i64,
    tags: &[String],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM asset_tags WHERE org_id = $1 AND asset_id = $2")
        .bind(org_id).bind(asset_id).execute(x).await.map(|r| r.rows_affected()))?;
    for tag in tags {
        run!(c, x => sqlx::query(
            "INSERT INTO asset_tags (id, org_id, asset_id, asset_number, tag) VALUES ($1, $2, $3, $4, $5)")
            .bind(Uuid::now_v7()).bind(org_id).bind(asset_id).bind(asset_number).bind(tag)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Every tag in use in the organisation, with how many assets carry it (for the filter).
pub async fn tag_counts(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<(String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT tag, COUNT(*) FROM asset_tags WHERE org_id = $1 GROUP BY tag ORDER BY tag LIMIT 500")
        .bind(org_id).fetch_all(x).await)?)
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FlowRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub from_asset_id: Uuid,
    pub to_asset_id: Uuid,
    pub data_category: String,
    pub mechanism: String,
    pub encrypted: bool,
    pub description: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A flow with the names and types of both ends (joined, read-only).
#[derive(Debug, Clone, FromRow)]
pub struct FlowWithNames {
    #[sqlx(flatten)]
    pub flow: FlowRow,
    pub from_name: String,
    pub from_type: String,
    pub from_number: i64,
    pub to_name: String,
    pub to_type: String,
    pub to_number: i64,
}

const FLOW_COLS: &str = "f.id, f.org_id, f.number, f.from_asset_id, f.to_asset_id,
    f.data_category, f.mechanism, f.encrypted, f.description, f.created_at, f.updated_at,
    f.version, s.name AS from_name, s.asset_type AS from_type, s.number AS from_number,
    d.name AS to_name, d.asset_type AS to_type, d.number AS to_number";

const FLOW_FROM: &str = "FROM data_flows f JOIN assets s ON s.id = f.from_asset_id
    JOIN assets d ON d.id = f.to_asset_id";

pub async fn insert_flow(c: &mut impl AsConn, f: &FlowRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO data_flows (id, org_id, number, from_asset_id, to_asset_id, data_category,
            mechanism, encrypted, description, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(f.id).bind(f.org_id).bind(f.number).bind(f.from_asset_id).bind(f.to_asset_id)
        .bind(&f.data_category).bind(&f.mechanism).bind(f.encrypted).bind(&f.description)
        .bind(f.created_at).bind(f.updated_at).bind(f.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write every field of `f` if `f.version` is still current; `false` when stale.
pub async fn update_flow(c: &mut impl AsConn, f: &FlowRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE data_flows SET from_asset_id = $1, to_asset_id = $2, data_category = $3,
            mechanism = $4, encrypted = $5, description = $6, updated_at = $7,
            version = version + 1
         WHERE org_id = $8 AND id = $9 AND version = $10")
        .bind(f.from_asset_id).bind(f.to_asset_id).bind(&f.data_category).bind(&f.mechanism)
        .bind(f.encrypted).bind(&f.description).bind(f.updated_at).bind(f.org_id).bind(f.id)
        .bind(f.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn flow(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<FlowWithNames>, DbError> {
    let sql = format!("SELECT {FLOW_COLS} {FLOW_FROM} WHERE f.org_id = $1 AND f.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, FlowWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete_flow(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query("DELETE FROM data_flows WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_flow_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "data_flows", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM data_flows WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Filters of the data-flow list.
#[derive(Debug, Clone, Default)]
pub struct FlowFilter {
    /// Flows from or to this asset.
    pub asset_id: Option<Uuid>,
    pub encrypted: Option<bool>,
    /// Only flows whose both ends are in scope.
    pub in_scope_only: bool,
}

/// Data flows by number, after `after_number`.
pub async fn list_flows(
    c: &mut impl AsConn,
    org_id: Uuid,
    f: &FlowFilter,
    after_number: Option<i64>,
    limit: i64,
) -> Result<Vec<FlowWithNames>, DbError> {
    let mut conds = vec!["f.org_id = $1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let mut add = |cond: &str, p: Option<Param>| {
        if let Some(p) = p {
            params.push(p);
        }
        conds.push(cond.replace('?', &format!("${}", params.len() + 1)));
    };
    if let Some(a) = f.asset_id {
        // Each side through its own index (with `OR`, SQLite walked the flows by number
        // instead); the same placeholder is bound once.
        add(
            "f.id IN (SELECT x.id FROM data_flows x WHERE x.org_id = $1 AND x.from_asset_id = ? \
             UNION ALL SELECT y.id FROM data_flows y WHERE y.org_id = $1 AND y.to_asset_id = ?)",
            Some(Param::Uuid(a)),
        );
    }
    if let Some(e) = f.encrypted {
        add("f.encrypted = ?", Some(Param::Bool(e)));
    }
    if f.in_scope_only {
        add("s.in_scope = TRUE AND d.in_scope = TRUE", None);
    }
    if let Some(n) = after_number {
        add("f.number > ?", Some(Param::Int(n)));
    }
    let sql = format!(
        "SELECT {FLOW_COLS} {FLOW_FROM} WHERE {} ORDER BY f.number LIMIT {}",
        conds.join(" AND "),
        limit.clamp(1, 100_001)
    );
    Ok(fetch_with!(c, FlowWithNames, sql, org_id, &params)?)
}

/// How many data flows and risks name an asset (deletion is refused while any do).
pub async fn references(
    c: &mut impl AsConn,
    org_id: Uuid,
    asset_id: Uuid,
) -> Result<(i64, i64), DbError> {
    let flows: i64 = run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM data_flows WHERE org_id = $1 AND (from_asset_id = $2 OR to_asset_id = $2)")
        .bind(org_id).bind(asset_id).fetch_one(x).await)?;
    let risks: i64 = run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM risk_assets WHERE org_id = $1 AND asset_id = $2")
        .bind(org_id).bind(asset_id).fetch_one(x).await)?;
    Ok((flows, risks))
}

/// The assets linked to each of `risk_ids`: (risk id, asset id, number, name).
pub async fn assets_of_risks(
    c: &mut impl AsConn,
    org_id: Uuid,
    risk_ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid, i64, String)>, DbError> {
    if risk_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT ra.risk_id, a.id, a.number, a.name FROM risk_assets ra
         JOIN assets a ON a.id = ra.asset_id
         WHERE ra.org_id = $1 AND ra.risk_id IN ({}) ORDER BY ra.risk_id, a.number",
        marks(risk_ids.len())
    );
    let params: Vec<Param> = risk_ids.iter().map(|i| Param::Uuid(*i)).collect();
    Ok(fetch_with!(
        c,
        (Uuid, Uuid, i64, String),
        sql,
        org_id,
        &params
    )?)
}

/// Replace the assets linked to a risk.
pub async fn set_risk_assets(
    c: &mut impl AsConn,
    org_id: Uuid,
    risk_id: Uuid,
    assets: &[Uuid],
) -> Result<(), DbError> {
    run!(c, x => sqlx::query("DELETE FROM risk_assets WHERE org_id = $1 AND risk_id = $2")
        .bind(org_id).bind(risk_id).execute(x).await.map(|r| r.rows_affected()))?;
    for asset in assets {
        run!(c, x => sqlx::query(
            "INSERT INTO risk_assets (id, org_id, risk_id, asset_id) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7()).bind(org_id).bind(risk_id).bind(*asset)
            .execute(x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Risks that concern an asset (asset page), by number: (id, number, title, status).
pub async fn risks_for_asset(
    c: &mut impl AsConn,
    org_id: Uuid,
    asset_id: Uuid,
) -> Result<Vec<(Uuid, i64, String, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT r.id, r.number, r.title, r.status FROM risk_assets ra JOIN risks r ON r.id = ra.risk_id
         WHERE ra.org_id = $1 AND ra.asset_id = $2 ORDER BY r.number LIMIT 200")
        .bind(org_id).bind(asset_id).fetch_all(x).await)?)
}
