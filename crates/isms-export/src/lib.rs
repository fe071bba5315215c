//! Exports: pure functions from a report to bytes. Nothing here reads the database; the
//! services build the [`Table`] and pick the format.

use std::borrow::Cow;

pub mod archive;
pub mod charts;
pub mod flow_diagram;
pub mod ics;
pub mod markdown;
pub mod oscal;
mod pdf;
mod read;
pub use pdf::pdf_report;
pub use read::{Limits, MAX_ROWS, ReadError, read_table, read_table_with};

/// A register or list as rows of text, ready to write in any format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not write XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("row {row} has {got} cells but the table has {want} columns")]
    Shape { row: usize, got: usize, want: usize },
    #[error("could not typeset the PDF: {0}")]
    Pdf(String),
    #[error("could not write the zip archive: {0}")]
    Zip(String),
}

/// The formats a [`Table`] can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Markdown,
    Xlsx,
    Pdf,
}

impl TableFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "md" | "markdown" => Some(Self::Markdown),
            "xlsx" => Some(Self::Xlsx),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Markdown => "md",
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pdf => "application/pdf",
        }
    }
}

/// Make a cell harmless in a spreadsheet: text that starts like a formula (`=`, `+`,
/// `-`, `@`, tab, carriage return) gets a leading apostrophe so it stays text. Text that
/// already starts with such an apostrophe gets one more, so that [`unescape_cell`] gives
/// back exactly the original.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    if needs_quote(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn needs_quote(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => needs_quote(&s[1..]),
        _ => false,
    }
}

/// The original text of a cell [`safe_cell`] wrote (`'=x` → `=x`); other text as it is.
pub fn unescape_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => s,
    }
}

fn check_shape(t: &Table) -> Result<(), ExportError> {
    for (i, r) in t.rows.iter().enumerate() {
        if r.len() != t.headers.len() {
            return Err(ExportError::Shape {
                row: i + 1,
                got: r.len(),
                want: t.headers.len(),
            });
        }
    }
    Ok(())
}

/// RFC 4180 CSV with a header row, every cell formula-safe.
pub fn csv(t: &Table) -> Result<Vec<u8>, ExportError> {
    check_shape(t)?;
    let mut w = TableWriter::new(&t.title, &t.headers, TableFormat::Csv)?;
    for r in &t.rows {
        w.row(r.clone())?;
    }
    w.finish()
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// A Markdown document: the title as a heading, then a pipe table.
pub fn markdown(t: &Table) -> Result<String, ExportError> {
    check_shape(t)?;
    let mut out = format!("# {}\n\n", md_cell(&t.title));
    out.push_str(&format!(
        "| {} |\n",
        t.headers
            .iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!("|{}\n", " --- |".repeat(t.headers.len())));
    for r in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    Ok(out)
}

/// Write `t` in `format`.
pub fn render(t: &Table, format: TableFormat) -> Result<Vec<u8>, ExportError> {
    match format {
        TableFormat::Csv => csv(t),
        TableFormat::Markdown => markdown(t).map(String::into_bytes),
        TableFormat::Xlsx => xlsx(t),
        TableFormat::Pdf => pdf_report(&Report {
            title: t.title.clone(),
            meta: Vec::new(),
            sections: vec![Section {
                heading: format!("{} rows", t.rows.len()),
                table: Some(t.clone()),
                ..Default::default()
            }],
            landscape: true,
            title_page: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            title: "Members | Acme".into(),
            headers: vec!["name".into(), "note".into()],
            rows: vec![
                vec!["Alice".into(), "=HYPERLINK(\"http://x\")".into()],
                vec!["Bob, Jr.".into(), "line one\nline two".into()],
                vec!["-1".into(), "@cmd".into()],
            ],
        }
    }

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let out = String::from_utf8(csv(&table()).unwrap()).unwrap();
        let mut r = ::csv::Reader::from_reader(out.as_bytes());
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows[0], ["Alice", "'=HYPERLINK(\"http://x\")"]);
        assert_eq!(rows[1], ["Bob, Jr.", "line one\nline two"]);
        assert_eq!(rows[2], ["'-1", "'@cmd"]);
    }

    #[test]
    fn markdown_escapes_pipes_and_newlines() {
        let md = markdown(&table()).unwrap();
        assert!(md.starts_with("# Members \\| Acme\n\n| name | note |\n| --- | --- |\n"));
        assert!(md.contains("| Bob, Jr. | line one line two |"));
    }

    #[test]
    fn ragged_rows_are_refused() {
        let mut t = table();
        t.rows.push(vec!["only one".into()]);
        assert!(matches!(
            csv(&t),
            Err(ExportError::Shape {
                row: 4,
                got: 1,
                want: 2
            })
        ));
        assert_eq!(TableFormat::parse("MD"), Some(TableFormat::Markdown));
        assert_eq!(TableFormat::parse("pdf"), Some(TableFormat::Pdf));
        assert_eq!(TableFormat::parse("docx"), None);
    }
}

/// A document: a title, facts about it, and sections of text, lists and tables. The same
/// report renders to Markdown ([`markdown_report`]) and PDF ([`pdf_report`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub title: String,
    /// (label, value) lines under the title: organisation, date, status…
    pub meta: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// Typeset the PDF in landscape (wide tables such as the SoA).
    pub landscape: bool,
    /// In the PDF, the title and the facts stand alone on the first page (a title page
    /// an auditor files, e.g. the SoA's organisation, scope reference and approval).
    pub title_page: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub bullets: Vec<String>,
    pub table: Option<Table>,
    /// A chart (SVG, drawn with [`charts`]) shown after the text and before the table.
    pub chart: Option<String>,
}

fn md_text(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A workbook with one sheet: a bold, frozen header row with filters, every cell written
/// as text (formula-safe like the CSV), columns sized to their content.
pub fn xlsx(t: &Table) -> Result<Vec<u8>, ExportError> {
    check_shape(t)?;
    let mut w = XlsxRows::new(&t.title, &t.headers)?;
    for row in &t.rows {
        w.row(row)?;
    }
    w.finish()
}

/// The worksheet name Excel accepts for `title`: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "Register".to_owned()
    } else {
        name
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// An XLSX workbook written a row at a time in constant memory: each row goes to a
/// temporary file as it is written, cells are stored inline (no shared-string table), so
/// a register of any size costs the same memory; only the finished (compressed) file is
/// held. The same layout as [`xlsx`]: bold frozen header with filters, text cells.
pub struct XlsxRows {
    wb: rust_xlsxwriter::Workbook,
    columns: usize,
    widths: Vec<usize>,
    rows: u32,
}

impl XlsxRows {
    pub fn new(title: &str, headers: &[String]) -> Result<Self, ExportError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        // Level 3 of 9: about 6% larger than the default and a third faster to write.
        wb.set_zip_compression_level(3);
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet_name(title))?;
        let bold = Format::new().set_bold();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, col(c), safe_cell(h).as_ref(), &bold)?;
        }
        Ok(Self {
            wb,
            columns: headers.len(),
            widths: headers.iter().map(|h| h.chars().count()).collect(),
            rows: 0,
        })
    }

    fn sheet(&mut self) -> Result<&mut rust_xlsxwriter::Worksheet, ExportError> {
        Ok(self.wb.worksheet_from_index(0)?)
    }

    /// Write the next row; it must have one cell per header.
    pub fn row(&mut self, cells: &[String]) -> Result<(), ExportError> {
        if cells.len() != self.columns {
            return Err(ExportError::Shape {
                row: self.rows as usize + 1,
                got: cells.len(),
                want: self.columns,
            });
        }
        self.rows = self.rows.saturating_add(1);
        let r = self.rows;
        for (c, (cell, w)) in cells.iter().zip(self.widths.iter_mut()).enumerate() {
            *w = (*w).max(cell.chars().count().min(60));
            // A workbook cannot hold an empty string cell: leave the cell blank.
            if !cell.is_empty() {
                self.wb.worksheet_from_index(0)?.write_string(
                    r,
                    col(c),
                    safe_cell(cell).as_ref(),
                )?;
            }
        }
        Ok(())
    }

    /// Size the columns, freeze the header, add the filters and give the file.
    pub fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        let (rows, columns) = (self.rows, self.columns);
        let widths = std::mem::take(&mut self.widths);
        let ws = self.sheet()?;
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(col(c), (*w as f64 + 2.0).min(62.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        if columns > 0 {
            ws.autofilter(0, 0, rows, col(columns - 1))?;
        }
        Ok(self.wb.save_to_buffer()?)
    }
}

/// A [`Table`] written as its rows arrive: CSV and XLSX row by row (memory does not
/// grow with the register), Markdown and PDF from the collected rows at the end (they
/// lay out the whole table).
pub enum TableWriter {
    Csv {
        w: Box<csv::Writer<Vec<u8>>>,
        columns: usize,
        rows: usize,
    },
    Xlsx(Box<XlsxRows>),
    Collect(Table, TableFormat),
}

impl TableWriter {
    pub fn new(title: &str, headers: &[String], format: TableFormat) -> Result<Self, ExportError> {
        Ok(match format {
            TableFormat::Csv => {
                let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
                w.write_record(headers.iter().map(|h| safe_cell(h)).map(|c| c.into_owned()))?;
                TableWriter::Csv {
                    w: Box::new(w),
                    columns: headers.len(),
                    rows: 0,
                }
            }
            TableFormat::Xlsx => TableWriter::Xlsx(Box::new(XlsxRows::new(title, headers)?)),
            f @ (TableFormat::Markdown | TableFormat::Pdf) => TableWriter::Collect(
                Table {
                    title: title.to_owned(),
                    headers: headers.to_vec(),
                    rows: Vec::new(),
                },
                f,
            ),
        })
    }

    /// The next row; it must have one cell per header.
    pub fn row(&mut self, cells: Vec<String>) -> Result<(), ExportError> {
        match self {
            TableWriter::Csv { w, columns, rows } => {
                *rows += 1;
                if cells.len() != *columns {
                    return Err(ExportError::Shape {
                        row: *rows,
                        got: cells.len(),
                        want: *columns,
                    });
                }
                w.write_record(cells.iter().map(|c| safe_cell(c).into_owned()))?;
                Ok(())
            }
            TableWriter::Xlsx(x) => x.row(&cells),
            TableWriter::Collect(t, _) => {
                if cells.len() != t.headers.len() {
                    return Err(ExportError::Shape {
                        row: t.rows.len() + 1,
                        got: cells.len(),
                        want: t.headers.len(),
                    });
                }
                t.rows.push(cells);
                Ok(())
            }
        }
    }

    /// The finished file.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        match self {
            TableWriter::Csv { w, .. } => w
                .into_inner()
                .map_err(|e| ExportError::Csv(e.into_error().into())),
            TableWriter::Xlsx(x) => x.finish(),
            TableWriter::Collect(t, f) => render(&t, f),
        }
    }
}

/// The report as a Markdown document.
pub fn markdown_report(r: &Report) -> Result<String, ExportError> {
    let mut out = format!("# {}\n\n", md_text(&r.title));
    for (k, v) in &r.meta {
        out.push_str(&format!("- **{}:** {}\n", md_text(k), md_text(v)));
    }
    if !r.meta.is_empty() {
        out.push('\n');
    }
    for s in &r.sections {
        out.push_str(&format!("## {}\n\n", md_text(&s.heading)));
        for p in &s.paragraphs {
            out.push_str(&md_text(p));
            out.push_str("\n\n");
        }
        for b in &s.bullets {
            out.push_str(&format!("- {}\n", md_text(b)));
        }
        if !s.bullets.is_empty() {
            out.push('\n');
        }
        if let Some(t) = &s.table {
            check_shape(t)?;
            out.push_str(&format!(
                "| {} |\n",
                t.headers
                    .iter()
                    .map(|h| md_cell(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
            out.push_str(&format!("|{}\n", " --- |".repeat(t.headers.len())));
            for row in &t.rows {
                out.push_str(&format!(
                    "| {} |\n",
                    row.iter()
                        .map(|c| md_cell(c))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod xlsx_tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn xlsx_reads_back_with_text_cells_and_formula_safety() {
        let t = Table {
            title: "Roadmap of Acme [test]".into(),
            headers: vec!["title".into(), "note".into()],
            rows: vec![
                vec!["Write policy".into(), "=1+1".into()],
                vec!["Ünïcode".into(), "".into()],
            ],
        };
        let bytes = xlsx(&t).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["Roadmap of Acme test".to_owned()]);
        let range = wb.worksheet_range("Roadmap of Acme test").unwrap();
        let cell = |r: usize, c: usize| match range.get((r, c)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            other => format!("{other:?}"),
        };
        assert_eq!(cell(0, 0), "title");
        assert_eq!(cell(1, 1), "'=1+1");
        assert_eq!(cell(2, 0), "Ünïcode");
        assert_eq!(range.height(), 3);
        assert_eq!(TableFormat::parse("XLSX"), Some(TableFormat::Xlsx));
    }
}

#[cfg(test)]
mod report_tests {
    use super::*;

    #[test]
    fn report_renders_sections_lists_and_tables() {
        let r = Report {
            title: "Gap report".into(),
            meta: vec![("Organisation".into(), "Acme".into())],
            sections: vec![Section {
                heading: "Areas".into(),
                paragraphs: vec!["Two lines\nbecome one.".into()],
                bullets: vec!["first".into()],
                table: Some(Table {
                    title: String::new(),
                    headers: vec!["a".into(), "b".into()],
                    rows: vec![vec!["1|2".into(), "x".into()]],
                }),
                chart: None,
            }],
            landscape: false,
            title_page: false,
        };
        let md = markdown_report(&r).unwrap();
        assert!(md.starts_with("# Gap report\n\n- **Organisation:** Acme\n\n## Areas\n\nTwo lines become one.\n\n- first\n\n| a | b |\n| --- | --- |\n| 1\\|2 | x |\n"));
    }
}
