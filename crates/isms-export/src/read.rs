//! Reading a table someone gives us: the rows of a CSV file or of the first sheet of an
//! XLSX workbook, every cell as text. The importers (the SoA, the registers) decide what
//! the cells mean.
//!
//! Hostile files are bounded before any work is done on them: the file's size, the
//! number of rows, the length of a cell, and for a workbook the declared and the real
//! uncompressed size of every zip entry (checked before calamine sees the bytes, so a zip
//! bomb is refused, not inflated). Formula cells are read as their cached value, never
//! evaluated.

use std::io::Read;

/// Most rows a file may hold by default (the SoA import).
pub const MAX_ROWS: usize = 10_000;

/// How much a file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows, the header row included.
    pub max_rows: usize,
    /// Bytes of one cell.
    pub max_cell: usize,
    /// Bytes of the file as given.
    pub max_bytes: usize,
    /// Bytes of a workbook once unzipped (all entries together).
    pub max_unzipped: u64,
}

impl Limits {
    /// The SoA import: a few hundred rows.
    pub const SMALL: Limits = Limits {
        max_rows: MAX_ROWS,
        max_cell: 64 * 1024,
        max_bytes: 16 * 1024 * 1024,
        max_unzipped: 64 * 1024 * 1024,
    };
    /// Register imports: 100,000 assets and more.
    pub const REGISTER: Limits = Limits {
        max_rows: 250_000,
        max_cell: 64 * 1024,
        max_bytes: 64 * 1024 * 1024,
        max_unzipped: 512 * 1024 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::SMALL
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither an XLSX workbook nor a UTF-8 CSV file")]
    NotText,
    #[error("the file is not UTF-8 at line {0}; save it as CSV UTF-8")]
    NotUtf8(usize),
    #[error("the file could not be read as CSV: {0}")]
    Csv(String),
    #[error("the workbook could not be read: {0}")]
    Xlsx(String),
    #[error("the file has more than {0} rows")]
    TooLong(usize),
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the workbook unpacks to more than {0} bytes; it is refused")]
    Unzipped(u64),
    #[error("line {line}, column {column}: the cell is longer than {max} bytes")]
    CellTooLong {
        line: usize,
        column: usize,
        max: usize,
    },
}

/// The rows of a CSV or XLSX file within [`Limits::SMALL`] (see [`read_table_with`]).
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    read_table_with(bytes, &Limits::SMALL)
}

/// The rows of a CSV (`,`, `;` or tab separated; UTF-8 with or without a byte-order mark,
/// or UTF-16 with one) or XLSX file (its first sheet). Row 0 is line 1 of the file.
pub fn read_table_with(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge(limits.max_bytes));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(bytes, limits)?;
        return read_xlsx(bytes, limits);
    }
    let decoded;
    let text = if let Some(u16) = utf16(bytes) {
        decoded = u16?;
        decoded.as_str()
    } else {
        std::str::from_utf8(bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            ReadError::NotUtf8(line)
        })?
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| ReadError::Csv(e.to_string()))?;
        if rows.len() >= limits.max_rows {
            return Err(ReadError::TooLong(limits.max_rows));
        }
        // Lines are rows, as a spreadsheet numbers them: a quoted cell over several
        // lines of text is one row.
        let line = rows.len() + 1;
        let mut cells = Vec::with_capacity(rec.len());
        for (i, c) in rec.iter().enumerate() {
            check_cell(c, line, i, limits)?;
            cells.push(c.to_owned());
        }
        rows.push(cells);
    }
    Ok(rows)
}

fn check_cell(c: &str, line: usize, i: usize, limits: &Limits) -> Result<(), ReadError> {
    if c.len() > limits.max_cell {
        return Err(ReadError::CellTooLong {
            line,
            column: i + 1,
            max: limits.max_cell,
        });
    }
    Ok(())
}

/// UTF-16 text with a byte-order mark, decoded; `None` when there is no such mark.
fn utf16(bytes: &[u8]) -> Option<Result<String, ReadError>> {
    let le = match bytes {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let body = &bytes[2..];
    if !body.len().is_multiple_of(2) {
        return Some(Err(ReadError::NotText));
    }
    let units = body.chunks_exact(2).map(|p| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    let mut line = 1;
    for ch in char::decode_utf16(units) {
        match ch {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                out.push(c);
            }
            Err(_) => return Some(Err(ReadError::NotUtf8(line))),
        }
    }
    Some(Ok(out))
}

/// Refuse a zip whose entries declare, or really unpack to, more than the limit. Every
/// entry is inflated into nothing, counting, and stops at the limit.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let bad = |e: zip::result::ZipError| ReadError::Xlsx(e.to_string());
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    let cap = limits.max_unzipped;
    let mut declared = 0u64;
    for i in 0..z.len() {
        let f = z.by_index_raw(i).map_err(bad)?;
        declared = declared.saturating_add(f.size());
        if declared > cap {
            return Err(ReadError::Unzipped(cap));
        }
    }
    let mut real = 0u64;
    for i in 0..z.len() {
        let f = z.by_index(i).map_err(bad)?;
        let left = cap - real;
        let n = std::io::copy(&mut f.take(left + 1), &mut std::io::sink())
            .map_err(|e| ReadError::Xlsx(e.to_string()))?;
        real += n;
        if real > cap {
            return Err(ReadError::Unzipped(cap));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| ReadError::Xlsx(e.to_string()))?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(ReadError::Xlsx("it has no sheet".into()));
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| ReadError::Xlsx(e.to_string()))?;
    // Rows as the sheet numbers them, so that line numbers match what people see.
    let offset = range.start().map_or(0, |(r, _)| r as usize);
    let col_offset = range.start().map_or(0, |(_, c)| c as usize);
    if range.height() + offset > limits.max_rows {
        return Err(ReadError::TooLong(limits.max_rows));
    }
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); offset];
    for row in range.rows() {
        let line = rows.len() + 1;
        let mut cells = vec![String::new(); col_offset];
        for c in row {
            let s = match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
                other => other.to_string(),
            };
            check_cell(&s, line, cells.len(), limits)?;
            cells.push(s);
        }
        rows.push(cells);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
