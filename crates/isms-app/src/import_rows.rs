//! The shape every register import but the assets' follows: read the file, plan each row
//! against the register's current export ([`isms_domain::import::plan_rows`]), then write
//! each row through the register's OWN create and update (the `…_in` variants that take
//! the caller's transaction), so that an import checks exactly the rules the forms and
//! the API check. All rows go in one transaction: a bad row is reported with its line and
//! field, the other rows are still checked, and then nothing is committed. A dry run
//! writes every row and rolls back, so it reports the same problems a real import would.
//! One extra audit-trail entry names the file (SHA-256) and what the import did; each
//! record also gets the entry its create or update writes.
//!
//! The assets have their own bulk path (enterprise registers hold 100,000 assets).

use crate::imports::RegisterImportReport;
use crate::orgs::OrgCtx;
use crate::progress::Progress;
use crate::{Actor, App, AppError, AppResult};
use isms_domain::ValidationError;
use isms_domain::import::{
    Cells, Column, Current, DataRows, Header, RowAction, data_rows, plan_rows, split_list,
};
use isms_export::Table;

/// A file read for an import: its rows and where each known column is.
pub(crate) struct Sheet {
    pub sha256: String,
    rows: Vec<Vec<String>>,
    pub header: Header,
}

impl Sheet {
    /// Read CSV or XLSX bytes; a missing required column is an error on `file`.
    pub fn read(bytes: &[u8], columns: &[Column], progress: &dyn Progress) -> AppResult<Sheet> {
        progress.start("reading the file", 0);
        let rows = crate::imports::read_rows(bytes)?;
        progress.finish();
        let header = {
            let (head, _) = data_rows(&rows)?;
            Header::find(head, columns)?
        };
        Ok(Sheet {
            sha256: crate::imports::sha256_hex(bytes),
            rows,
            header,
        })
    }

    /// Rows already read (a peer's layout turned into ours, line for line); `sha256` is
    /// the file's.
    pub fn from_rows(
        rows: Vec<Vec<String>>,
        sha256: String,
        columns: &[Column],
    ) -> AppResult<Sheet> {
        let header = {
            let (head, _) = data_rows(&rows)?;
            Header::find(head, columns)?
        };
        Ok(Sheet {
            sha256,
            rows,
            header,
        })
    }

    /// The data rows (line, cells), empty rows left out.
    pub fn data(&self) -> AppResult<DataRows<'_>> {
        let (_, data) = data_rows(&self.rows)?;
        if data.is_empty() {
            return Err(ValidationError::single(
                "file",
                "the file has a header row but no data rows",
            )
            .into());
        }
        Ok(data)
    }

    /// Plan every row against the register's current export (references with `prefix`).
    pub fn plan(
        &self,
        prefix: &str,
        columns: &[Column],
        current: &Table,
    ) -> AppResult<Vec<(Cells<'_>, RowAction)>> {
        let data = self.data()?;
        let plan = plan_rows(
            prefix,
            &data,
            &self.header,
            columns,
            Current {
                headers: &current.headers,
                rows: &current.rows,
            },
        )?;
        Ok(data
            .into_iter()
            .zip(plan)
            .map(|((line, row), a)| (Cells::new(line, row, &self.header), a))
            .collect())
    }
}

/// A cell for a patch: `None` when the file has no such column (the field is kept).
pub(crate) fn patch_text(c: &Cells<'_>, name: &str) -> Option<String> {
    c.opt(name).map(str::to_owned)
}

/// A cell for a create: "" when blank or missing.
pub(crate) fn new_text(c: &Cells<'_>, name: &str) -> String {
    c.get(name).to_owned()
}

/// An optional cell for a create: `None` when blank or missing (the create's default).
pub(crate) fn new_opt(c: &Cells<'_>, name: &str) -> Option<String> {
    Some(c.get(name))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A list cell (`a; b`) for a create: empty when blank or missing.
pub(crate) fn new_list(c: &Cells<'_>, name: &str) -> Vec<String> {
    split_list(c.get(name))
}

/// A list cell for a patch: `None` when the file has no such column.
pub(crate) fn patch_list(c: &Cells<'_>, name: &str) -> Option<Vec<String>> {
    c.opt(name).map(split_list)
}

/// What the rows of an import did, and the problems found on them.
pub(crate) struct Outcome {
    report: RegisterImportReport,
    errors: ValidationError,
}

impl Outcome {
    pub fn new(kind: &str, sheet: &Sheet, rows: usize, dry_run: bool) -> Self {
        Outcome {
            report: RegisterImportReport {
                kind: kind.to_owned(),
                dry_run,
                sha256: sheet.sha256.clone(),
                rows,
                created: Vec::new(),
                updated: Vec::new(),
                unchanged: 0,
            },
            errors: ValidationError::new(),
        }
    }

    /// Note the result of writing one row. A broken rule (or a record changed meanwhile)
    /// becomes an error on the row's line; anything else ends the import.
    pub fn row<T>(
        &mut self,
        line: usize,
        action: RowAction,
        reference: String,
        r: AppResult<T>,
    ) -> AppResult<()> {
        match r {
            Ok(_) => {
                match action {
                    RowAction::Create(_) => self.report.created.push(reference),
                    RowAction::Update(_) => self.report.updated.push(reference),
                    RowAction::Unchanged(_) => self.report.unchanged += 1,
                }
                Ok(())
            }
            Err(AppError::Validation(e)) => {
                for fe in e.errors {
                    let name = if fe.field.is_empty() {
                        "row"
                    } else {
                        fe.field.as_str()
                    };
                    self.errors.push(
                        format!("lines[{line}].{name}"),
                        format!("line {line}: {name}: {}", fe.message),
                    );
                }
                Ok(())
            }
            Err(AppError::Conflict(m)) => {
                self.errors.push(
                    format!("lines[{line}].reference"),
                    format!("line {line}: {reference}: {m}"),
                );
                Ok(())
            }
            Err(AppError::NotFound(what)) => {
                self.errors.push(
                    format!("lines[{line}].reference"),
                    format!("line {line}: {reference}: the {what} is not found"),
                );
                Ok(())
            }
            // A database failure after a broken rule may be its consequence (PostgreSQL
            // refuses statements after a failed one): report the rules first.
            Err(e @ AppError::Internal(_)) if !self.errors.is_empty() => {
                tracing::debug!(error = %e, "import stopped after row errors");
                Err(std::mem::take(&mut self.errors).into())
            }
            Err(e) => Err(e),
        }
    }

    /// Move the problems found while reading a row's cells (already named
    /// `lines[N].field`) into the outcome; true when there were any (skip the row).
    pub fn cells(&mut self, c: &mut Cells<'_>) -> bool {
        let bad = !c.errors.is_empty();
        self.errors.errors.append(&mut c.errors.errors);
        bad
    }

    /// A row that needs no write.
    pub fn unchanged(&mut self) {
        self.report.unchanged += 1;
    }

    /// Any row errors: nothing is written. A dry run: nothing is written either, and the
    /// report says what would have happened. Otherwise one audit-trail entry for the
    /// import and commit.
    pub async fn finish(
        self,
        app: &App,
        mut tx: isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        progress: &dyn Progress,
    ) -> AppResult<RegisterImportReport> {
        progress.finish();
        if !self.errors.is_empty() {
            return Err(self.errors.into());
        }
        if self.report.dry_run {
            drop(tx);
            return Ok(self.report);
        }
        app.record_import(&mut tx, actor, ctx, &self.report).await?;
        tx.commit().await?;
        Ok(self.report)
    }
}

/// The create's or update's field names turned into the file's column names (`owner_id`
/// is the `owner` column, …), so a broken rule names the column to fix.
pub(crate) fn as_columns<T>(r: AppResult<T>, names: &[(&str, &str)]) -> AppResult<T> {
    r.map_err(|e| match e {
        AppError::Validation(mut v) => {
            for fe in &mut v.errors {
                if let Some((_, to)) = names.iter().find(|(from, _)| fe.field == *from) {
                    fe.field = (*to).to_owned();
                }
            }
            AppError::Validation(v)
        }
        e => e,
    })
}
