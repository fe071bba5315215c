//! Bulk writes of the register imports: the organisation's existing records are read once
//! (no query per row) and new records go in as multi-row INSERTs of a few hundred rows
//! each, all inside the caller's one transaction.

use crate::assets::AssetRow;
use crate::{AsConn, DbError, Ts, run};
use uuid::Uuid;

/// Rows per multi-row INSERT (17 values each stays well under both engines' limits).
const CHUNK: usize = 500;

/// A value of a multi-row statement.
enum V<'a> {
    Uuid(Uuid),
    OptUuid(Option<Uuid>),
    Text(&'a str),
    Int(i64),
    Bool(bool),
    Ts(Ts),
}

/// `($1, $2, …), ($n+1, …)` for `rows` rows of `cols` values.
fn values(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (0..cols)
                .map(|c| format!("${}", r * cols + c + 1))
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn exec(c: &mut impl AsConn, sql: String, vals: &[V<'_>]) -> Result<(), DbError> {
    let sql = crate::for_engine(c, sql);
    run!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for v in vals {
            q = match v {
                V::Uuid(u) => q.bind(*u),
                V::OptUuid(u) => q.bind(*u),
                V::Text(t) => q.bind(*t),
                V::Int(i) => q.bind(*i),
                V::Bool(b) => q.bind(*b),
                V::Ts(t) => q.bind(*t),
            };
        }
        q.execute(x).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every asset of the organisation (one query), by number.
pub async fn all_assets(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<AssetRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, AssetRow>(
        "SELECT id, org_id, number, asset_type, name, description, owner_id, custodian_id,
            location, confidentiality, integrity, availability, classification, in_scope,
            created_at, updated_at, version
         FROM assets WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// Every (asset, tag) of the organisation (one query).
pub async fn all_asset_tags(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT asset_id, tag FROM asset_tags WHERE org_id = $1 ORDER BY asset_id, tag")
        .bind(org_id).fetch_all(x).await)?)
}

/// Insert many assets, a few hundred per statement.
pub async fn insert_assets(c: &mut impl AsConn, rows: &[AssetRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO assets (id, org_id, number, asset_type, name, description, owner_id,
                custodian_id, location, confidentiality, integrity, availability, classification,
                in_scope, created_at, updated_at, version) VALUES {}",
            values(chunk.len(), 17)
        );
        let mut vals = Vec::with_capacity(chunk.len() * 17);
        for a in chunk {
            vals.extend([
                V::Uuid(a.id),
                V::Uuid(a.org_id),
                V::Int(a.number),
                V::Text(&a.asset_type),
                V::Text(&a.name),
                V::Text(&a.description),
                V::OptUuid(a.owner_id),
                V::OptUuid(a.custodian_id),
                V::Text(&a.location),
                V::Int(a.confidentiality),
                V::Int(a.integrity),
                V::Int(a.availability),
                V::Int(a.classification),
                V::Bool(a.in_scope),
                V::Ts(a.created_at),
                V::Ts(a.updated_at),
                V::Int(a.version),
            ]);
        }
        exec(c, sql, &vals).await.map_err(|e| match e {
            DbError::Sqlx(s) => crate::dup("number")(s),
            other => other,
        })?;
    }
    Ok(())
}

/// Replace the tags of many assets: (asset id, asset number, tags).
pub async fn replace_asset_tags(
    c: &mut impl AsConn,
    org_id: Uuid,
    items: &[(Uuid, i64, Vec<String>)],
) -> Result<(), DbError> {
    for chunk in items.chunks(CHUNK) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "DELETE FROM asset_tags WHERE org_id = $1 AND asset_id IN ({})",
            marks.join(", ")
        );
        let mut vals = vec![V::Uuid(org_id)];
        vals.extend(chunk.iter().map(|(id, _, _)| V::Uuid(*id)));
        exec(c, sql, &vals).await?;
    }
    let all: Vec<(Uuid, i64, &str)> = items
        .iter()
        .flat_map(|(id, n, tags)| tags.iter().map(move |t| (*id, *n, t.as_str())))
        .collect();
    for chunk in all.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO asset_tags (id, org_id, asset_id, asset_number, tag) VALUES {}",
            values(chunk.len(), 5)
        );
        let mut vals = Vec::with_capacity(chunk.len() * 5);
        for (id, n, t) in chunk {
            vals.extend([
                V::Uuid(Uuid::now_v7()),
                V::Uuid(org_id),
                V::Uuid(*id),
                V::Int(*n),
                V::Text(t),
            ]);
        }
        exec(c, sql, &vals).await?;
    }
    Ok(())
}
