//! PDF reports, typeset by Typst used as a library with its fonts embedded in the binary.
//!
//! One fixed layout (`report.typ`) reads the report as JSON from a virtual file, so text from
//! the database is always shown as text and never evaluated as Typst markup. Charts are SVG
//! files in the same virtual file system. Nothing is read from disk or the network.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::{ExportError, Report, check_shape};

const LAYOUT: &str = include_str!("report.typ");

/// The fonts shipped with Typst (Libertinus Serif, New Computer Modern, DejaVu Sans Mono),
/// loaded once per process.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> Result<FileId, ExportError> {
    let vpath = VirtualPath::new(path).map_err(|e| ExportError::Pdf(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// The virtual project: the layout as main file, the report as JSON, the charts as SVG.
struct ReportWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Reports carry their date in the text; the layout never asks Typst for today.
        None
    }
}

/// Column widths from the content: 0 for a column of short values (the layout sizes it to
/// fit, without wrapping), else a relative share of the remaining width — long text gets
/// more room, capped so that one long cell cannot squeeze the other columns to nothing.
fn column_widths(headers: &[String], rows: &[Vec<String>]) -> Vec<u32> {
    headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let header = h.chars().count();
            let content = rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0);
            if header.max(content) <= 14 {
                0
            } else {
                u32::try_from(content.clamp(header.min(20), 48)).unwrap_or(48)
            }
        })
        .collect()
}

fn report_json(r: &Report) -> Result<(serde_json::Value, Vec<(String, Bytes)>), ExportError> {
    use serde_json::json;
    let mut charts = Vec::new();
    let mut sections = Vec::new();
    for (i, s) in r.sections.iter().enumerate() {
        let chart = match &s.chart {
            Some(svg) => {
                let path = format!("/chart-{i}.svg");
                charts.push((path.clone(), Bytes::new(svg.clone().into_bytes())));
                json!(path)
            }
            None => serde_json::Value::Null,
        };
        let table = match &s.table {
            Some(t) => {
                check_shape(t)?;
                json!({
                    "headers": t.headers,
                    "rows": t.rows,
                    "widths": column_widths(&t.headers, &t.rows),
                })
            }
            None => serde_json::Value::Null,
        };
        sections.push(json!({
            "heading": s.heading,
            "paragraphs": s.paragraphs,
            "bullets": s.bullets,
            "chart": chart,
            "table": table,
        }));
    }
    let meta: Vec<[&str; 2]> = r
        .meta
        .iter()
        .map(|(k, v)| [k.as_str(), v.as_str()])
        .collect();
    let find = |label: &str| {
        r.meta
            .iter()
            .find(|(k, _)| k == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Ok((
        json!({
            "title": r.title,
            "meta": meta,
            "sections": sections,
            "landscape": r.landscape,
            "title_page": r.title_page,
            "header_right": find("Organisation"),
            "footer_left": format!("ISMS Workbench · {}", find("Report date")).trim_end_matches(" · ").to_owned(),
        }),
        charts,
    ))
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Typeset a report as PDF (A4, page numbers, table headers repeated on every page).
pub fn pdf_report(r: &Report) -> Result<Vec<u8>, ExportError> {
    let (data, charts) = report_json(r)?;
    let json = serde_json::to_vec(&data).map_err(|e| ExportError::Pdf(e.to_string()))?;
    let main = Source::new(file_id("/main.typ")?, LAYOUT.to_owned());
    let mut files = HashMap::new();
    files.insert(file_id("/report.json")?, Bytes::new(json));
    for (path, bytes) in charts {
        files.insert(file_id(&path)?, bytes);
    }
    let world = ReportWorld { main, files };
    let result = typst::compile::<PagedDocument>(&world).output;
    // Keep the memoisation cache from growing without bound in a long-running server.
    typst::comemo::evict(10);
    let document = result.map_err(|e| ExportError::Pdf(describe(&e)))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(r.title.clone()),
        creator: typst::foundations::Smart::Custom(Some("ISMS Workbench".to_owned())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| ExportError::Pdf(describe(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Section, Table, charts};

    fn report(rows: usize) -> Report {
        Report {
            title: "Gap assessment report: Baseline".into(),
            meta: vec![
                ("Organisation".into(), "Northwind Traders & Co".into()),
                ("Report date".into(), "2026-11-28".into()),
            ],
            sections: vec![
                Section {
                    heading: "Maturity per area".into(),
                    paragraphs: vec!["Text with #markup *that* must stay $text$ = [x]".into()],
                    table: Some(Table {
                        title: String::new(),
                        headers: vec!["Area".into(), "Average now".into()],
                        rows: vec![vec!["Governance & leadership".into(), "2.5".into()]],
                    }),
                    chart: Some(charts::standalone(&charts::maturity_bars(&[(
                        "Governance".into(),
                        2.5,
                        4.0,
                    )]))),
                    ..Default::default()
                },
                Section {
                    heading: "Gaps by priority".into(),
                    bullets: vec!["first point".into()],
                    table: Some(Table {
                        title: String::new(),
                        headers: vec!["Priority".into(), "Item".into()],
                        rows: (0..rows)
                            .map(|i| vec!["High".into(), format!("Row number {i}")])
                            .collect(),
                    }),
                    ..Default::default()
                },
            ],
            landscape: false,
            title_page: false,
        }
    }

    fn text_of(pdf: &[u8]) -> Vec<String> {
        pdf_extract::extract_text_from_mem_by_pages(pdf).unwrap()
    }

    #[test]
    fn report_reads_back_with_pages_text_table_and_chart() {
        let pdf = pdf_report(&report(120)).unwrap();
        if let Ok(dir) = std::env::var("ISMS_PDF_OUT") {
            std::fs::write(format!("{dir}/report-test.pdf"), &pdf).unwrap();
        }
        assert!(pdf.starts_with(b"%PDF-"));
        let pages = text_of(&pdf);
        assert!(
            pages.len() >= 3,
            "120 rows take several pages, got {}",
            pages.len()
        );
        let first = &pages[0];
        assert!(first.contains("Gap assessment report: Baseline"));
        assert!(first.contains("Northwind Traders & Co"));
        assert!(first.contains("2026-11-28"));
        assert!(first.contains("Governance & leadership"));
        // Text from the data is shown literally, not evaluated as markup.
        assert!(
            first.contains("#markup *that* must stay $text$ = [x]"),
            "{first}"
        );
        assert!(first.contains(&format!("Page 1 of {}", pages.len())));
        // The table header repeats on the following pages, and every row is there.
        assert!(pages[1].contains("Priority"));
        let all = pages.join("\n");
        assert!(all.contains("Row number 0") && all.contains("Row number 119"));
        // The chart is drawn on the first page: its value label and legend are text there.
        // (pdf-extract spaces out glyphs placed one by one, so compare without spaces.)
        let squeezed: String = first.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            squeezed.contains("Governance2.5/4.0") && squeezed.contains("currenttarget"),
            "{first}"
        );
    }

    #[test]
    fn same_report_gives_same_bytes_and_tables_render_in_landscape() {
        assert_eq!(
            pdf_report(&report(3)).unwrap(),
            pdf_report(&report(3)).unwrap()
        );
        let t = Table {
            title: "Roadmap".into(),
            headers: vec!["title".into(), "status".into()],
            rows: vec![vec!["Write the policy".into(), "open".into()]],
        };
        let pdf = crate::render(&t, crate::TableFormat::Pdf).unwrap();
        let doc = pdf_extract::Document::load_mem(&pdf).unwrap();
        let page = doc.get_pages()[&1];
        let media = doc
            .get_dictionary(page)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        let num = |o: &pdf_extract::Object| {
            o.as_float()
                .or_else(|_| o.as_i64().map(|i| i as f32))
                .unwrap()
        };
        assert!(
            num(&media[2]) > num(&media[3]),
            "landscape: wider than tall"
        );
        assert!(text_of(&pdf)[0].contains("Write the policy"));
    }

    #[test]
    fn short_columns_fit_their_content_and_long_ones_share_the_rest() {
        let widths = column_widths(
            &["Now".into(), "Item".into(), "Description".into()],
            &[vec![
                "2".into(),
                "A long description of a control".into(),
                "x".repeat(200),
            ]],
        );
        assert_eq!(widths, vec![0, 31, 48]);
    }

    #[test]
    fn a_ragged_table_is_refused() {
        let mut r = report(1);
        if let Some(t) = r.sections[1].table.as_mut() {
            t.rows.push(vec!["only one".into()]);
        }
        assert!(matches!(pdf_report(&r), Err(ExportError::Shape { .. })));
    }
}

#[cfg(test)]
mod title_page_tests {
    use super::*;
    use crate::{Section, Table};

    #[test]
    fn a_title_page_stands_alone_and_the_table_header_repeats() {
        let r = Report {
            title: "Statement of Applicability — Acme".into(),
            meta: vec![
                ("Organisation".into(), "Acme Ltd".into()),
                ("Scope reference".into(), "Scope statement version 2".into()),
            ],
            sections: vec![Section {
                heading: "Organisational controls".into(),
                table: Some(Table {
                    title: String::new(),
                    headers: vec!["Control".into(), "Justification".into()],
                    rows: (0..80)
                        .map(|i| vec![format!("A.5.{i}"), "=SUM(A1)".into()])
                        .collect(),
                }),
                ..Default::default()
            }],
            landscape: true,
            title_page: true,
        };
        let pdf = pdf_report(&r).unwrap();
        let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
        let n = pages.len();
        assert!(n >= 3, "{n} pages");
        assert!(pages[0].contains("Scope statement version 2"));
        assert!(!pages[0].contains("A.5.0"), "the title page holds no table");
        assert!(pages[0].contains(&format!("Page 1 of {n}")));
        assert!(pages[1].contains("A.5.0") && pages[1].contains("Control"));
        assert!(pages[2].contains("Justification"), "header repeated");
        assert!(pages[n - 1].contains(&format!("Page {n} of {n}")));
    }
}
