//! Bulk writes for generated data (`isms demo --size`): multi-row `INSERT` statements
//! inside the caller's transaction, no round trip per row. Table and column names must be
//! those of the backup's [`crate::backup::TABLES`], so no text from outside ever reaches
//! the SQL.

use crate::{AsConn, Day, DbError, Ts, run};
use uuid::Uuid;

/// One bound value of a bulk row (`None` writes NULL).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Float(Option<f64>),
    Ts(Option<Ts>),
    Day(Option<Day>),
}

macro_rules! val_from {
    ($t:ty, $v:ident, $e:expr) => {
        impl From<$t> for Val {
            fn from($v: $t) -> Val {
                $e
            }
        }
    };
}
val_from!(Uuid, v, Val::Uuid(Some(v)));
val_from!(Option<Uuid>, v, Val::Uuid(v));
val_from!(String, v, Val::Text(Some(v)));
val_from!(&str, v, Val::Text(Some(v.to_owned())));
val_from!(Option<String>, v, Val::Text(v));
val_from!(i64, v, Val::Int(Some(v)));
val_from!(Option<i64>, v, Val::Int(v));
val_from!(bool, v, Val::Bool(v));
val_from!(f64, v, Val::Float(Some(v)));
val_from!(Ts, v, Val::Ts(Some(v)));
val_from!(Option<Ts>, v, Val::Ts(v));
val_from!(Day, v, Val::Day(Some(v)));
val_from!(Option<Day>, v, Val::Day(v));

/// Bound parameters per statement: below SQLite's limit (32766 since 3.32) and
/// PostgreSQL's (65535).
const MAX_BINDS: usize = 32_000;
/// Rows per statement at most, so that one statement's text stays small.
const MAX_ROWS: usize = 1_000;

/// Rows per statement for `cols` columns.
pub fn rows_per_statement(cols: usize) -> usize {
    (MAX_BINDS / cols.max(1)).clamp(1, MAX_ROWS)
}

/// Check that `table` and every column are in the backup's table list.
fn check_names(table: &str, cols: &[&str]) -> Result<(), DbError> {
    let known = crate::backup::TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .ok_or_else(|| DbError::Backup(format!("bulk insert into unknown table {table}")))?;
    for c in cols {
        if !known.1.iter().any(|(n, _)| n == c) {
            return Err(DbError::Backup(format!(
                "bulk insert into {table}: unknown column {c}"
            )));
        }
    }
    Ok(())
}

/// The `INSERT` text for `rows` rows of `cols` columns (`$1, $2, …` placeholders).
fn insert_sql(table: &str, cols: &[&str], rows: usize) -> String {
    let n = cols.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..n {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * n + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Insert `rows` (each one value per column of `cols`, in order) into `table` with as
/// few statements as the engines' bind limits allow. Runs in the caller's transaction.
/// The values are moved into their binds (no copy of the texts).
pub async fn insert(
    c: &mut impl AsConn,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Val>>,
) -> Result<u64, DbError> {
    check_names(table, cols)?;
    if let Some(bad) = rows.iter().position(|r| r.len() != cols.len()) {
        return Err(DbError::Backup(format!(
            "bulk insert into {table}: row {bad} has {} values for {} columns",
            rows[bad].len(),
            cols.len()
        )));
    }
    let per = rows_per_statement(cols.len());
    let mut written = 0;
    let mut left = rows.into_iter().peekable();
    // The text of a full statement is the same for every chunk but the last.
    let mut full_sql: Option<String> = None;
    while left.peek().is_some() {
        let chunk: Vec<Vec<Val>> = left.by_ref().take(per).collect();
        let sql = if chunk.len() == per {
            full_sql
                .get_or_insert_with(|| crate::for_engine(c, insert_sql(table, cols, per)))
                .clone()
        } else {
            crate::for_engine(c, insert_sql(table, cols, chunk.len()))
        };
        written += run!(c, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in chunk.into_iter().flatten() {
                q = match v {
                    Val::Uuid(v) => q.bind(v),
                    Val::Text(v) => q.bind(v),
                    Val::Int(v) => q.bind(v),
                    Val::Bool(v) => q.bind(v),
                    Val::Float(v) => q.bind(v),
                    Val::Ts(v) => q.bind(v),
                    Val::Day(v) => q.bind(v),
                };
            }
            q.execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(written)
}

/// Page cache for one large generated write on SQLite, in KiB (256 MiB).
const LARGE_WRITE_CACHE_KIB: i64 = 262_144;

/// Ready the transaction's connection for a write of hundreds of megabytes (the large
/// demo organisation). SQLite's default page cache (2 MiB) fills within the first few
/// thousand rows; from then on every new page first spills a dirty one to the WAL and
/// index pages are read back again and again. A cache that holds the working set and
/// temporary b-trees in memory avoids both. The setting belongs to the connection, which
/// keeps it after the transaction: call it only where the process ends after the write
/// (the `isms demo` command). PostgreSQL needs nothing here.
pub async fn prepare_large_write(c: &mut impl AsConn) -> Result<(), DbError> {
    if let crate::Conn::Sqlite(x) = crate::AsConn::conn(c) {
        let sql = format!("PRAGMA cache_size = -{LARGE_WRITE_CACHE_KIB}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *x)
            .await?;
        sqlx::query("PRAGMA temp_store = MEMORY")
            .execute(&mut *x)
            .await?;
    }
    Ok(())
}

/// After a large write has committed.
///
/// SQLite: copy the write-ahead log into the database file and truncate it, so that the
/// SQLite file is left alone on disk (the log of the large demo is as big as the
/// database). SQLite's planner is never given statistics (the product's plans do not
/// depend on them).
///
/// PostgreSQL: refresh the planner's statistics. Until autovacuum gets to the new rows,
/// the planner takes an organisation's rows for a few dozen and sorts all of them for a
/// first page (8.9 ms instead of 0.3 ms for 100 of 7,541 risks; docs/performance.md).
pub async fn finish_large_write(db: &crate::Db) -> Result<(), DbError> {
    match db {
        crate::Db::Sqlite(p) => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await?;
        }
        crate::Db::Postgres(_) => db.analyze().await?,
    }
    Ok(())
}

/// How many rows of an organisation-owned table belong to `org_id` (`table` must be in
/// the backup's list and have an `org_id` column).
pub async fn count_of_org(c: &mut impl AsConn, table: &str, org_id: Uuid) -> Result<i64, DbError> {
    check_names(table, &["org_id"])?;
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1");
    Ok(
        run!(c, x => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_one(x).await)?,
    )
}

/// The highest `number` of an organisation's records in `table` (0 when it has none):
/// generated records continue the numbering.
pub async fn max_number(c: &mut impl AsConn, table: &str, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, table, org_id).await?;
    check_names(table, &["org_id", "number"])?;
    let sql = format!("SELECT COALESCE(MAX(number), 0) FROM {table} WHERE org_id = $1");
    Ok(
        run!(c, x => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(org_id).fetch_one(x).await)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(
            insert_sql("tasks", &["id", "title"], 2),
            "INSERT INTO tasks (id, title) VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn statements_stay_under_both_bind_limits() {
        for cols in 1..40 {
            let rows = rows_per_statement(cols);
            assert!(rows * cols <= 32_766, "{cols} columns");
            assert!(rows >= 1);
        }
    }

    #[test]
    fn only_backed_up_tables_and_columns() {
        assert!(check_names("assets", &["id", "org_id", "name"]).is_ok());
        assert!(check_names("assets; DROP TABLE users", &["id"]).is_err());
        assert!(check_names("assets", &["id", "nope"]).is_err());
    }
}
