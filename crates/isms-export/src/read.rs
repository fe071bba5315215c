//! Reading a table someone gives us: the rows of a CSV file or of the first sheet of an
//! XLSX workbook, every cell as text. The importers (the SoA) decide what the cells mean.

/// Most rows a file may hold.
pub const MAX_ROWS: usize = 10_000;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither an XLSX workbook nor a UTF-8 CSV file")]
    NotText,
    #[error("the file could not be read as CSV: {0}")]
    Csv(String),
    #[error("the workbook could not be read: {0}")]
    Xlsx(String),
    #[error("the file has more than {MAX_ROWS} rows")]
    TooLong,
}

/// The rows of a CSV (`,`, `;` or tab separated, with or without a byte-order mark) or
/// XLSX file (its first sheet). Row 0 is line 1 of the file.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
        rows.push(rec.iter().map(str::to_owned).collect());
        if rows.len() > MAX_ROWS {
            return Err(ReadError::TooLong);
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| ReadError::Xlsx(e.to_string()))?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(ReadError::Xlsx("it has no sheet".into()));
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| ReadError::Xlsx(e.to_string()))?;
    if range.height() > MAX_ROWS {
        return Err(ReadError::TooLong);
    }
    // Rows as the sheet numbers them, so that line numbers match what people see.
    let offset = range.start().map_or(0, |(r, _)| r as usize);
    let col_offset = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); offset];
    for row in range.rows() {
        let mut cells = vec![String::new(); col_offset];
        cells.extend(row.iter().map(|c| match c {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            other => other.to_string(),
        }));
        rows.push(cells);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_bom_and_semicolons_is_read() {
        let rows =
            read_table("\u{feff}Control;Applicable\n5.1;yes\n\"5.2\";\"no; really\"\n".as_bytes())
                .unwrap();
        assert_eq!(rows[0], ["Control", "Applicable"]);
        assert_eq!(rows[2], ["5.2", "no; really"]);
        assert_eq!(read_table(b"  \n"), Err(ReadError::Empty));
        assert_eq!(read_table(&[0xff, 0xfe, 0x00]), Err(ReadError::NotText));
    }

    #[test]
    fn our_own_xlsx_reads_back() {
        let t = crate::Table {
            title: "SoA".into(),
            headers: vec!["Control".into(), "Applicable".into()],
            rows: vec![vec!["A.5.1".into(), "Yes".into()]],
        };
        let rows = read_table(&crate::xlsx(&t).unwrap()).unwrap();
        assert_eq!(rows, [vec!["Control", "Applicable"], vec!["A.5.1", "Yes"]]);
        assert!(matches!(
            read_table(b"PK\x03\x04 not really a zip"),
            Err(ReadError::Xlsx(_))
        ));
    }
}
