//! The results: rows with their targets, written as a Markdown table and as JSON.

use serde::Serialize;
use serde_json::Value;

/// Whether a row met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Met {
    Yes,
    No,
    /// No target for this row.
    None,
    /// The workload did not complete.
    Failed,
}

impl Met {
    pub fn from_bool(ok: bool) -> Met {
        if ok { Met::Yes } else { Met::No }
    }

    fn text(self) -> &'static str {
        match self {
            Met::Yes => "yes",
            Met::No => "no",
            Met::None => "—",
            Met::Failed => "FAILED",
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The `--only` key of the workload the row belongs to.
    pub key: String,
    pub workload: String,
    pub result: String,
    pub target: String,
    pub met: Met,
    /// The raw numbers behind the result.
    pub raw: Value,
}

impl Row {
    pub fn new(key: &str, workload: impl Into<String>, result: impl Into<String>) -> Row {
        Row {
            key: key.to_owned(),
            workload: workload.into(),
            result: result.into(),
            target: String::new(),
            met: Met::None,
            raw: Value::Null,
        }
    }

    /// Set the target text and whether it was met.
    pub fn target(mut self, text: &str, met: bool) -> Row {
        self.target = text.to_owned();
        self.met = Met::from_bool(met);
        self
    }

    pub fn raw(mut self, raw: Value) -> Row {
        self.raw = raw;
        self
    }

    /// A row for a workload that failed.
    pub fn failed(key: &str, workload: &str, err: &anyhow::Error) -> Row {
        let msg = format!("{err:#}").replace('\n', " ");
        let msg: String = msg.chars().take(300).collect();
        Row {
            key: key.to_owned(),
            workload: workload.to_owned(),
            result: format!("FAILED: {msg}"),
            target: String::new(),
            met: Met::Failed,
            raw: Value::String(format!("{err:#}")),
        }
    }
}

/// Where and how the run was made.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub date_utc: String,
    pub nproc: usize,
    pub mem_total: String,
    pub database: String,
    pub size: String,
    pub git_rev: Option<String>,
    pub isms: String,
}

impl Header {
    fn line(&self) -> String {
        format!(
            "ISMS Workbench benchmark — {} — machine: {} CPUs, {} RAM — database: {} — size: {}{}",
            self.date_utc,
            self.nproc,
            self.mem_total,
            self.database,
            self.size,
            self.git_rev
                .as_deref()
                .map(|r| format!(" — commit {r}"))
                .unwrap_or_default()
        )
    }
}

/// A table cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The header line and the Markdown table.
pub fn markdown(header: &Header, rows: &[Row]) -> String {
    let mut out = format!("{}\n\n", header.line());
    out.push_str("| workload | result | target | met |\n");
    out.push_str("| --- | --- | --- | --- |\n");
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&r.workload),
            cell(&r.result),
            if r.target.is_empty() {
                "—".to_owned()
            } else {
                cell(&r.target)
            },
            r.met.text()
        ));
    }
    out
}

/// Everything as JSON: the header and each row with its raw numbers.
pub fn json(header: &Header, rows: &[Row]) -> Value {
    serde_json::json!({ "header": header, "rows": rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_escapes_pipes() {
        let h = Header {
            date_utc: "2026-01-01 00:00 UTC".into(),
            nproc: 2,
            mem_total: "8 GiB".into(),
            database: "sqlite".into(),
            size: "small".into(),
            git_rev: None,
            isms: "isms".into(),
        };
        let rows = vec![
            Row::new("demo", "a|b", "1 s").target("< 2 s", true),
            Row::new("rss", "x", "y"),
        ];
        let md = markdown(&h, &rows);
        assert!(md.contains("| a\\|b | 1 s | < 2 s | yes |"));
        assert!(md.contains("| x | y | — | — |"));
    }
}
