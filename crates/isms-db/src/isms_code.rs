//! ISMS as code: every row one organisation owns, read and written engine-neutrally
//! through the backup's table list (`backup::TABLES`, with column kinds).

use crate::backup::{Kind, TABLES};
use crate::{Day, Db, DbError, Ts, Tx, run};
use isms_domain::isms_code::{Cell, Col, OrgData, Table, User};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

fn col(k: Kind) -> Col {
    match k {
        Kind::Uuid => Col::Uuid,
        Kind::Text => Col::Text,
        Kind::Int => Col::Int,
        Kind::Bool => Col::Bool,
        Kind::Ts => Col::Ts,
        Kind::Day => Col::Day,
        Kind::Float => Col::Float,
        Kind::Bytes => Col::Bytes,
    }
}

/// The organisation-owned tables (those with an `org_id` column), parents first.
pub fn schema() -> Vec<(String, Vec<(String, Col)>)> {
    TABLES
        .iter()
        .filter(|(_, cols)| cols.iter().any(|(n, _)| *n == "org_id"))
        .map(|(t, cols)| {
            (
                (*t).to_owned(),
                cols.iter()
                    .map(|(n, k)| ((*n).to_owned(), col(*k)))
                    .collect(),
            )
        })
        .collect()
}

macro_rules! read_cell {
    ($row:expr, $i:expr, $kind:expr) => {{
        let r = $row;
        let i = $i;
        match $kind {
            Kind::Uuid => r.try_get::<Option<Uuid>, _>(i)?.map(Cell::Uuid),
            Kind::Text => r.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            Kind::Int => r.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
            Kind::Bool => r.try_get::<Option<bool>, _>(i)?.map(Cell::Bool),
            Kind::Float => r.try_get::<Option<f64>, _>(i)?.map(Cell::Float),
            Kind::Ts => r
                .try_get::<Option<Ts>, _>(i)?
                .map(|t| Cell::Ts(t.0.millis())),
            Kind::Day => r
                .try_get::<Option<Day>, _>(i)?
                .map(|d| Cell::Day(isms_domain::time::format_date(d.0))),
            Kind::Bytes => r.try_get::<Option<Vec<u8>>, _>(i)?.map(Cell::Bytes),
        }
        .unwrap_or(Cell::Null)
    }};
}

/// Read everything `org_id` owns in one snapshot: its own fields, every table of
/// [`schema`] (one query per table) and the accounts its rows name.
pub async fn read_org(
    db: &Db,
    org_id: Uuid,
    progress: &mut (dyn FnMut(&str, usize) + Send),
) -> Result<OrgData, DbError> {
    let mut snap = db.snapshot().await?;
    let org: Vec<Cell> = run!(&mut snap, x => {
        let row = sqlx::query("SELECT name, employees, sites, other_management_system FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_one(x)
            .await?;
        Ok::<_, DbError>(vec![
            read_cell!(&row, 0, Kind::Text),
            read_cell!(&row, 1, Kind::Int),
            read_cell!(&row, 2, Kind::Int),
            read_cell!(&row, 3, Kind::Text),
        ])
    })?;
    let mut tables = Vec::new();
    let mut named: HashSet<Uuid> = HashSet::new();
    for (table, cols) in TABLES
        .iter()
        .filter(|(_, cols)| cols.iter().any(|(n, _)| *n == "org_id"))
    {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let sql = format!("SELECT {} FROM {table} WHERE org_id = $1", names.join(", "));
        let rows: Vec<Vec<Cell>> = run!(&mut snap, x => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_all(x).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut vals = Vec::with_capacity(cols.len());
                for (i, (_, kind)) in cols.iter().enumerate() {
                    vals.push(read_cell!(row, i, *kind));
                }
                out.push(vals);
            }
            Ok::<_, DbError>(out)
        })?;
        for r in &rows {
            for c in r {
                if let Cell::Uuid(u) = c {
                    named.insert(*u);
                }
            }
        }
        progress(table, rows.len());
        tables.push(Table {
            name: (*table).to_owned(),
            cols: cols
                .iter()
                .map(|(n, k)| ((*n).to_owned(), col(*k)))
                .collect(),
            rows,
        });
    }
    let users = all_users(&mut snap).await?;
    snap.commit().await?;
    Ok(OrgData {
        org,
        users: users
            .into_iter()
            .filter(|u| named.contains(&u.id))
            .collect(),
        tables,
    })
}

async fn all_users(tx: &mut Tx) -> Result<Vec<User>, DbError> {
    run!(tx, x => {
        let rows = sqlx::query("SELECT id, email, name FROM users").fetch_all(x).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(User { id: r.try_get(0)?, email: r.try_get(1)?, name: r.try_get(2)? });
        }
        Ok::<_, DbError>(out)
    })
}

/// Every account's id by lower-case e-mail.
pub async fn user_ids(tx: &mut Tx) -> Result<HashMap<String, Uuid>, DbError> {
    Ok(all_users(tx)
        .await?
        .into_iter()
        .map(|u| (u.email.to_lowercase(), u.id))
        .collect())
}

/// The password hash of an account that cannot sign in (no PHC string matches it).
pub const NO_SIGN_IN: &str = "!no-sign-in";

/// Create an account that cannot sign in until a password is set.
pub async fn create_user_without_sign_in(
    tx: &mut Tx,
    id: Uuid,
    email: &str,
    name: &str,
    now: Ts,
) -> Result<(), DbError> {
    run!(tx, x => sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, is_admin, disabled, totp_secret, totp_enabled, totp_last_step, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, FALSE, FALSE, NULL, FALSE, NULL, $5, $5, 1)")
        .bind(id).bind(email).bind(name).bind(NO_SIGN_IN).bind(now)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replace everything `org_id` owns by `tables` (as [`schema`] orders them) and set its
/// fields. Runs inside the caller's transaction; `label` names a row for error messages.
pub async fn replace_org(
    tx: &mut Tx,
    org_id: Uuid,
    org: &[Cell],
    tables: &[Table],
    label: &(dyn Fn(usize, usize) -> String + Sync),
    progress: &mut (dyn FnMut(&str, usize) + Send),
) -> Result<(), DbError> {
    let cell = |i: usize| org.get(i).cloned().unwrap_or(Cell::Null);
    let (name, employees, sites, other) = (cell(0), cell(1), cell(2), cell(3));
    run!(&mut *tx, x => sqlx::query(
        "UPDATE organisations SET name = COALESCE($2, name), employees = $3, sites = $4, other_management_system = $5 WHERE id = $1")
        .bind(org_id)
        .bind(match name { Cell::Text(s) => Some(s), _ => None })
        .bind(match employees { Cell::Int(i) => Some(i), _ => None })
        .bind(match sites { Cell::Int(i) => Some(i), _ => None })
        .bind(match other { Cell::Text(s) => Some(s), _ => None })
        .execute(x).await.map(|r| r.rows_affected()))?;
    for t in tables.iter().rev() {
        let sql = format!("DELETE FROM {} WHERE org_id = $1", t.name);
        run!(&mut *tx, x => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org_id).execute(x).await.map(|r| r.rows_affected()))?;
    }
    for (ti, t) in tables.iter().enumerate() {
        if !TABLES.iter().any(|(n, _)| *n == t.name) {
            return Err(DbError::Backup(format!("unknown table {}", t.name)));
        }
        let names: Vec<&str> = t.cols.iter().map(|(n, _)| n.as_str()).collect();
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            t.name,
            names.join(", "),
            params.join(", ")
        );
        for (ri, row) in t.rows.iter().enumerate() {
            run!(&mut *tx, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for ((_, kind), c) in t.cols.iter().zip(row) {
                    q = match (kind, c) {
                        (Col::Uuid, Cell::Uuid(u)) => q.bind(Some(*u)),
                        (Col::Uuid, _) => q.bind(None::<Uuid>),
                        (Col::Text, Cell::Text(s)) => q.bind(Some(s.clone())),
                        (Col::Text, _) => q.bind(None::<String>),
                        (Col::Int, Cell::Int(i)) => q.bind(Some(*i)),
                        (Col::Int, _) => q.bind(None::<i64>),
                        (Col::Bool, Cell::Bool(b)) => q.bind(Some(*b)),
                        (Col::Bool, _) => q.bind(None::<bool>),
                        (Col::Float, Cell::Float(f)) => q.bind(Some(*f)),
                        (Col::Float, _) => q.bind(None::<f64>),
                        (Col::Ts, Cell::Ts(ms)) => q.bind(Some(Ts(isms_domain::time::Timestamp(*ms)))),
                        (Col::Ts, _) => q.bind(None::<Ts>),
                        (Col::Day, Cell::Day(d)) => q.bind(isms_domain::time::parse_date(d).map(Day)),
                        (Col::Day, _) => q.bind(None::<Day>),
                        (Col::Bytes, Cell::Bytes(b)) => q.bind(Some(b.clone())),
                        (Col::Bytes, _) => q.bind(None::<Vec<u8>>),
                    };
                }
                q.execute(x).await.map_err(|e| {
                    let msg = e.to_string();
                    let msg = msg.rsplit("error returned from database: ").next().unwrap_or(&msg).to_owned();
                    DbError::Backup(format!("{}: cannot be stored ({msg})", label(ti, ri)))
                })?;
                Ok::<(), DbError>(())
            })?;
        }
        progress(&t.name, t.rows.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use isms_domain::isms_code::rules::ruled_columns;

    /// Every value rule names a column the export writes, so renaming or dropping a
    /// column cannot silently drop its rule.
    #[test]
    fn every_ruled_column_is_an_exported_column() {
        let schema = schema();
        for (table, column) in ruled_columns() {
            let cols = schema
                .iter()
                .find(|(t, _)| t == table)
                .map(|(_, c)| c)
                .unwrap_or_else(|| panic!("rule on {table}.{column}: no such exported table"));
            let kind = cols
                .iter()
                .find(|(c, _)| c == column)
                .map(|(_, k)| *k)
                .unwrap_or_else(|| panic!("rule on {table}.{column}: no such column in TABLES"));
            assert!(
                matches!(kind, Col::Text | Col::Int),
                "rule on {table}.{column}: a {kind:?} column"
            );
        }
        assert!(ruled_columns().len() >= 40);
    }
}
