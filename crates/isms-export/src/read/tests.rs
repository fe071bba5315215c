use super::*;
use crate::Table;
use proptest::prelude::*;

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
fn not_utf8_names_the_line() {
    let mut bytes = b"name,owner\nLaptop,Ann\nServer,Jos".to_vec();
    bytes.push(0xe9); // Latin-1 é
    bytes.extend_from_slice(b"\n");
    assert_eq!(read_table(&bytes), Err(ReadError::NotUtf8(3)));
    assert_eq!(
        ReadError::NotUtf8(3).to_string(),
        "the file is not UTF-8 at line 3; save it as CSV UTF-8"
    );
}

#[test]
fn utf16_with_a_bom_is_read() {
    let text = "name,owner\nCafé,Zoë\n";
    let mut le = vec![0xff, 0xfe];
    let mut be = vec![0xfe, 0xff];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    for bytes in [le, be] {
        let rows = read_table(&bytes).unwrap();
        assert_eq!(rows[1], ["Café", "Zoë"]);
    }
}

#[test]
fn limits_are_named() {
    let limits = Limits {
        max_rows: 3,
        max_cell: 10,
        max_bytes: 1000,
        max_unzipped: 10_000,
    };
    assert_eq!(
        read_table_with(b"a\nb\nc\nd\n", &limits),
        Err(ReadError::TooLong(3))
    );
    assert_eq!(
        read_table_with(b"a,b\nc,01234567890\n", &limits),
        Err(ReadError::CellTooLong {
            line: 2,
            column: 2,
            max: 10
        })
    );
    assert_eq!(
        read_table_with(&[b'a'; 1001], &limits),
        Err(ReadError::TooLarge(1000))
    );
    // A quoted cell over several lines of text is one row (line = row).
    assert_eq!(
        read_table_with(b"a,b\n\"x\ny\",1\nz,01234567890\n", &limits),
        Err(ReadError::CellTooLong {
            line: 3,
            column: 2,
            max: 10
        })
    );
}

#[test]
fn malformed_csv_is_an_error_not_a_panic() {
    // Unbalanced quotes are read leniently by csv; what fails must fail cleanly.
    for bytes in [&b"a,b\n\"x,1\n"[..], b"\"\"\"\n", b",,,\n\n\n,", b"\r\r\r"] {
        let _ = read_table(bytes);
    }
}

fn table(rows: Vec<Vec<String>>) -> Table {
    Table {
        title: "T".into(),
        headers: vec!["a".into(), "b".into()],
        rows,
    }
}

#[test]
fn our_own_xlsx_reads_back() {
    let t = Table {
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

#[test]
fn a_truncated_workbook_is_refused() {
    let bytes = crate::xlsx(&table(vec![vec!["x".into(), "y".into()]])).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 10, 30] {
        assert!(matches!(read_table(&bytes[..cut]), Err(ReadError::Xlsx(_))));
    }
}

/// A zip with one entry of `n` zero bytes (deflated to almost nothing).
fn bomb(n: usize) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        w.write_all(&chunk[..k]).unwrap();
        left -= k;
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let limits = Limits {
        max_unzipped: 4 * 1024 * 1024,
        ..Limits::SMALL
    };
    let b = bomb(16 * 1024 * 1024);
    assert!(b.len() < 100_000, "the bomb is small: {}", b.len());
    assert_eq!(
        read_table_with(&b, &limits),
        Err(ReadError::Unzipped(4 * 1024 * 1024))
    );
    // A lie in the declared size: patch the central directory's size fields to 1.
    let mut lying = b.clone();
    let cd = lying.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    lying[cd + 24..cd + 28].copy_from_slice(&1u32.to_le_bytes());
    assert!(matches!(
        read_table_with(&lying, &limits),
        Err(ReadError::Unzipped(_) | ReadError::Xlsx(_))
    ));
}

#[test]
fn a_formula_cell_is_read_as_its_value_never_evaluated() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "name").unwrap();
    ws.write_formula(1, 0, rust_xlsxwriter::Formula::new("=1+1").set_result("2"))
        .unwrap();
    ws.write_formula(2, 0, "=HYPERLINK(\"http://x\",\"y\")")
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let rows = read_table(&bytes).unwrap();
    assert_eq!(rows[1], ["2"]);
    assert!(!rows[2][0].contains("http"), "{:?}", rows[2]);
}

fn cell() -> impl Strategy<Value = String> {
    // Any text a spreadsheet keeps: no control characters but tab and newline (XML 1.0
    // cannot hold them), no surrounding whitespace-only ambiguity.
    proptest::string::string_regex("[ -~àéüß€日本\t\n=+@-]{0,24}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cells_survive_csv(rows in proptest::collection::vec(proptest::collection::vec(cell(), 2), 1..6)) {
        let t = table(rows.clone());
        let back = read_table(&crate::csv(&t).unwrap()).unwrap();
        let back: Vec<Vec<String>> = back.into_iter().skip(1).map(|r| r.into_iter().map(|c| crate::unescape_cell(&c).to_owned()).collect()).collect();
        prop_assert_eq!(back, rows);
    }

    #[test]
    fn cells_survive_xlsx(rows in proptest::collection::vec(proptest::collection::vec(cell(), 2), 1..6)) {
        let t = table(rows.clone());
        let back = read_table(&crate::xlsx(&t).unwrap()).unwrap();
        let back: Vec<Vec<String>> = back.into_iter().skip(1).map(|r| r.into_iter().map(|c| crate::unescape_cell(&c).to_owned()).collect()).collect();
        // A workbook stores no empty rows, so rows of empty cells at the end are not there
        // to read back (nothing is lost: an empty row holds no record).
        let mut expected = rows;
        while expected.last().is_some_and(|r| r.iter().all(String::is_empty)) {
            expected.pop();
        }
        prop_assert_eq!(back, expected);
    }

    #[test]
    fn any_bytes_read_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_table(&bytes);
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&bytes);
        let _ = read_table(&z);
    }
}
