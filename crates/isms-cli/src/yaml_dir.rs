//! `isms export yaml` and `isms import yaml`: the directory on disk.

use isms_app::isms_code::YamlImportReport;
use isms_domain::isms_code::{FileSet, README_MARKER};
use std::path::Path;

fn hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Write `files` into `dir`. A directory that holds anything but hidden entries (such as
/// `.git`) must be an earlier export; its files are replaced, hidden entries are kept.
pub fn write(dir: &Path, files: &FileSet) -> Result<(), String> {
    let shown = |e: std::io::Error| format!("cannot write {}: {e}", dir.display());
    if dir.exists() {
        let entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(shown)?
            .filter_map(Result::ok)
            .filter(|e| !hidden(&e.file_name()))
            .collect();
        if !entries.is_empty() {
            let readme = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
            if !readme.contains(README_MARKER) {
                return Err(format!(
                    "{} is not empty and holds no earlier export; choose a new or empty directory",
                    dir.display()
                ));
            }
            for e in entries {
                let p = e.path();
                let r = if e.file_type().map_err(shown)?.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
                r.map_err(|err| format!("cannot replace {}: {err}", p.display()))?;
            }
        }
    }
    for (rel, bytes) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(shown)?;
        }
        std::fs::write(&p, bytes).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(())
}

/// Read every file under `dir` (hidden entries and symbolic links left out).
pub fn read(dir: &Path) -> Result<FileSet, String> {
    if !dir.is_dir() {
        return Err(format!(
            "{} is not a directory; give the directory `isms export yaml` wrote",
            dir.display()
        ));
    }
    let mut files = FileSet::new();
    let mut todo = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = todo.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for e in rd {
            let e = e.map_err(|e| format!("cannot read {}: {e}", d.display()))?;
            if hidden(&e.file_name()) {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            let t = e
                .file_type()
                .map_err(|err| format!("cannot read {rel}: {err}"))?;
            if t.is_dir() {
                if prefix.matches('/').count() >= 4 {
                    return Err(format!("{rel}: directories nest too deeply"));
                }
                todo.push((e.path(), format!("{rel}/")));
            } else if t.is_file() {
                let b =
                    std::fs::read(e.path()).map_err(|err| format!("cannot read {rel}: {err}"))?;
                files.insert(rel, b);
            }
        }
    }
    Ok(files)
}

fn list(label: &str, keys: &[String]) {
    if keys.is_empty() {
        return;
    }
    const SHOWN: usize = 20;
    let mut s = keys
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if keys.len() > SHOWN {
        s.push_str(&format!(" and {} more", keys.len() - SHOWN));
    }
    println!("    {label:<8} {s}");
}

/// Print the plan and the outcome; the exit code (2 when the plan waits for --yes).
pub fn print_report(org: &str, r: &YamlImportReport, dry_run: bool) -> u8 {
    let (added, changed, removed) = r.plan.counts();
    let records: usize = r.counts.values().sum();
    if r.plan.is_empty() {
        println!("The files match the organisation: nothing to change.");
    } else {
        println!(
            "Plan: {added} added, {changed} changed, {removed} removed ({} unchanged).",
            r.plan.unchanged
        );
        for f in &r.plan.files {
            println!(
                "  {}: {} added, {} changed, {} removed",
                f.file,
                f.added.len(),
                f.changed.len(),
                f.removed.len()
            );
            if !r.was_empty {
                list("added", &f.added);
                list("changed", &f.changed);
                list("removed", &f.removed);
            }
        }
    }
    for e in &r.users_created {
        println!(
            "  new account without sign-in: {e} (set a password with `isms user set-password`)"
        );
    }
    if r.applied {
        println!("Imported {records} records into {org}.");
        0
    } else if dry_run {
        println!("Dry run: nothing was written.");
        0
    } else if r.plan.is_empty() {
        0
    } else {
        eprintln!(
            "{org} already holds records: nothing was written. Check the plan above and re-run with --yes to apply it."
        );
        2
    }
}
