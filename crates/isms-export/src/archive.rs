//! Zip archives of exported files (the Stage 1 document pack), written in memory: no
//! temporary files, the files in the order given, every entry stamped with the same time
//! so that the same files give the same archive.

use crate::ExportError;
use std::io::{Cursor, Write};
use time::Date;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// One file of an archive: its path inside the archive and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

fn zip_err(e: impl std::fmt::Display) -> ExportError {
    ExportError::Zip(e.to_string())
}

/// Write `files` into a zip archive, in the order given, each dated `day` (midnight).
/// Paths must be unique and relative (`a/b.pdf`).
pub fn zip_archive(files: &[ArchiveFile], day: Date) -> Result<Vec<u8>, ExportError> {
    let stamp = DateTime::from_date_and_time(
        u16::try_from(day.year()).unwrap_or(1980).clamp(1980, 2107),
        u8::from(day.month()),
        day.day(),
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for f in files {
        if f.path.is_empty() || f.path.starts_with('/') || f.path.split('/').any(|p| p == "..") {
            return Err(ExportError::Zip(format!(
                "\"{}\" is not a relative path",
                f.path
            )));
        }
        w.start_file(f.path.as_str(), options).map_err(zip_err)?;
        w.write_all(&f.bytes).map_err(zip_err)?;
    }
    Ok(w.finish().map_err(zip_err)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use time::macros::date;

    fn files() -> Vec<ArchiveFile> {
        vec![
            ArchiveFile {
                path: "README.md".into(),
                bytes: b"# Pack\n".to_vec(),
            },
            ArchiveFile {
                path: "01-scope/scope-v2.pdf".into(),
                bytes: b"%PDF-1.7 body".repeat(100),
            },
        ]
    }

    #[test]
    fn files_come_back_in_order_with_their_bytes() {
        let bytes = zip_archive(&files(), date!(2026 - 12 - 01)).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(z.len(), 2);
        let names: Vec<String> = (0..z.len())
            .map(|i| z.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        assert_eq!(names, ["README.md", "01-scope/scope-v2.pdf"]);
        let mut f = z.by_name("01-scope/scope-v2.pdf").unwrap();
        let mut out = Vec::new();
        f.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"%PDF-1.7 body".repeat(100));
        let t = f.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (2026, 12, 1));
    }

    #[test]
    fn the_same_files_give_the_same_archive() {
        let a = zip_archive(&files(), date!(2026 - 12 - 01)).unwrap();
        let b = zip_archive(&files(), date!(2026 - 12 - 01)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn paths_that_leave_the_archive_are_refused() {
        for bad in ["/etc/passwd", "../x", "a/../../x", ""] {
            let f = [ArchiveFile {
                path: bad.into(),
                bytes: Vec::new(),
            }];
            assert!(zip_archive(&f, date!(2026 - 12 - 01)).is_err(), "{bad}");
        }
    }
}
