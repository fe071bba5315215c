//! What the migrated schema looks like, read from the engine's own catalogue. The
//! parity test compares SQLite and PostgreSQL with it, and the backup test checks that
//! the backup covers every table and column.

use crate::{AsConn, DbError, run};
use std::collections::{BTreeMap, BTreeSet};

/// Tables → columns → nullable, and the named indexes (table, name, unique).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaShape {
    pub tables: BTreeMap<String, BTreeMap<String, bool>>,
    pub indexes: BTreeSet<(String, String, bool)>,
}

pub async fn describe(c: &mut impl AsConn) -> Result<SchemaShape, DbError> {
    let mut shape = SchemaShape::default();
    match c.conn() {
        crate::Conn::Sqlite(x) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
            )
            .fetch_all(&mut *x)
            .await?;
            for t in tables {
                let cols: Vec<(String, i64, i64)> =
                    sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(&mut *x)
                        .await?;
                let map = cols
                    .into_iter()
                    .map(|(n, notnull, pk)| (n, notnull == 0 && pk == 0))
                    .collect();
                let idx: Vec<(String, i64, String)> =
                    sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                        .bind(&t)
                        .fetch_all(&mut *x)
                        .await?;
                for (name, unique, origin) in idx {
                    if origin == "c" {
                        shape.indexes.insert((t.clone(), name, unique != 0));
                    }
                }
                shape.tables.insert(t, map);
            }
        }
        crate::Conn::Postgres(x) => {
            let cols: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable::text
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'
                 ORDER BY table_name, ordinal_position",
            )
            .fetch_all(&mut *x)
            .await?;
            for (t, c, nullable) in cols {
                shape
                    .tables
                    .entry(t)
                    .or_default()
                    .insert(c, nullable == "YES");
            }
            let idx: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT t.relname::text, i.relname::text, ix.indisunique
                 FROM pg_index ix
                 JOIN pg_class i ON i.oid = ix.indexrelid
                 JOIN pg_class t ON t.oid = ix.indrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 WHERE n.nspname = current_schema() AND NOT ix.indisprimary
                   AND t.relname NOT LIKE '\\_sqlx%'",
            )
            .fetch_all(&mut *x)
            .await?;
            shape.indexes.extend(idx);
        }
    }
    let _ = run!(c, x => sqlx::query("SELECT 1").execute(x).await.map(|r| r.rows_affected()))?;
    Ok(shape)
}

/// Versions of the migrations applied, in order.
pub async fn applied_migrations(c: &mut impl AsConn) -> Result<Vec<i64>, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, i64>(
        "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(x).await)?)
}
