//! Peers' spreadsheet layouts, rewritten into ours so that one import path (and its
//! rules) serves both. Each rewrite keeps one output row per input row, so every problem
//! the import finds still names the line of the user's own file.
//!
//! CISO Assistant's asset sheet: `ref_id`, `name`, `description`, `type` (`PR` primary,
//! `SP` supporting), `security_objectives` (`confidentiality: 3,integrity: 2,…`),
//! `filtering_labels`/`labels` (`a|b` or `a,b`), `observation`, `reference_link`. It has
//! no owner: an `owner` column added to the sheet is read, otherwise every row is refused
//! by our rule that each asset has an owner.

use crate::import::parse_reference;
use crate::soa::import::norm_header;
use std::collections::HashMap;

/// The header of our asset layout that [`ciso_assets`] writes.
pub const OUR_ASSET_HEADER: [&str; 9] = [
    "reference",
    "name",
    "type",
    "owner",
    "confidentiality",
    "integrity",
    "availability",
    "tags",
    "description",
];

/// Whether a header row is CISO Assistant's asset sheet (`ref_id` and `name`, and none of
/// our own `reference`).
pub fn is_ciso_asset_header(head: &[String]) -> bool {
    let h: Vec<String> = head.iter().map(|c| norm_header(c)).collect();
    let has = |n: &str| h.iter().any(|c| c == n);
    has("ref id") && has("name") && !has("reference")
}

/// A security objective's value: a number as it is (our scale is 1 to 4, the import
/// checks it), or the FIPS 199 words CISO Assistant also offers.
fn objective_value(s: &str) -> String {
    match s.trim().to_lowercase().as_str() {
        "low" => "1".into(),
        "moderate" | "medium" => "2".into(),
        "high" => "3".into(),
        "very high" | "critical" => "4".into(),
        other => other.to_owned(),
    }
}

/// `confidentiality: 3,integrity: 2,availability: 1` → (c, i, a); a missing objective
/// is blank (the import then asks for it).
fn objectives(s: &str) -> [String; 3] {
    let mut out = [String::new(), String::new(), String::new()];
    for part in s.split([',', ';', '\n']) {
        let Some((k, v)) = part.split_once(':') else {
            continue;
        };
        let slot = match k.trim().to_lowercase().as_str() {
            "confidentiality" | "c" => 0,
            "integrity" | "i" => 1,
            "availability" | "a" => 2,
            _ => continue,
        };
        out[slot] = objective_value(v);
    }
    out
}

/// Labels (`EU|crm`, `EU, crm`, `Customer data`) as our tags: lower case, spaces as `-`,
/// separated by commas (the import checks each tag).
fn labels_as_tags(s: &str) -> String {
    s.split(['|', ',', '\n'])
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join("-"))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// Rewrite CISO Assistant's asset sheet (header first) into our asset layout
/// ([`OUR_ASSET_HEADER`]). A `ref_id` that is one of our references (`A-0007`) keys the
/// row; otherwise a row whose name is an existing asset's (`existing_by_name`, lower case
/// → number) updates that asset, so that importing the same sheet twice changes nothing.
/// `PR` becomes `information` and `SP` (and a blank type) `software`; any of our own type
/// names is kept.
pub fn ciso_assets(
    rows: &[Vec<String>],
    existing_by_name: &HashMap<String, i64>,
) -> Vec<Vec<String>> {
    let Some(head) = rows.first() else {
        return Vec::new();
    };
    let h: Vec<String> = head.iter().map(|c| norm_header(c)).collect();
    let at = |names: &[&str]| names.iter().find_map(|n| h.iter().position(|c| c == n));
    let col = |row: &[String], names: &[&str]| -> String {
        at(names)
            .and_then(|i| row.get(i))
            .map_or(String::new(), |s| s.trim().to_owned())
    };
    let mut out = vec![OUR_ASSET_HEADER.iter().map(|s| (*s).to_owned()).collect()];
    for row in &rows[1..] {
        let name = col(row, &["name"]);
        let ref_id = col(row, &["ref id"]);
        let reference = match parse_reference("A", &ref_id) {
            Ok(n) if ref_id.to_uppercase().starts_with("A-") => format!("A-{n:04}"),
            _ => existing_by_name
                .get(&name.to_lowercase())
                .map_or(String::new(), |n| format!("A-{n:04}")),
        };
        let kind = match col(row, &["type"]).to_uppercase().as_str() {
            "PR" | "PRIMARY" => "information".to_owned(),
            "SP" | "SUPPORTING" | "" => "software".to_owned(),
            _ => col(row, &["type"]),
        };
        let [mut c, mut i, mut a] = objectives(&col(row, &["security objectives"]));
        for (slot, names) in [
            (&mut c, &["confidentiality", "c"][..]),
            (&mut i, &["integrity", "i"][..]),
            (&mut a, &["availability", "a"][..]),
        ] {
            let own = col(row, names);
            if !own.is_empty() {
                *slot = objective_value(&own);
            }
        }
        let mut labels = col(row, &["filtering labels"]);
        let more = col(row, &["labels"]);
        if !more.is_empty() {
            labels = format!("{labels}|{more}");
        }
        let mut description = col(row, &["description"]);
        for (label, names) in [
            ("Observation", &["observation"][..]),
            ("Link", &["reference link", "link"][..]),
        ] {
            let v = col(row, names);
            if !v.is_empty() {
                if !description.is_empty() {
                    description.push_str("\n\n");
                }
                description.push_str(&format!("{label}: {v}"));
            }
        }
        // A row that is entirely empty stays empty (the import skips it).
        if row.iter().all(|c| c.trim().is_empty()) {
            out.push(vec![String::new(); OUR_ASSET_HEADER.len()]);
            continue;
        }
        out.push(vec![
            reference,
            name,
            kind,
            col(row, &["owner", "owner email"]),
            c,
            i,
            a,
            labels_as_tags(&labels),
            description,
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_ciso_asset_sheet_becomes_ours() {
        let sheet = vec![
            row(&[
                "ref_id",
                "name",
                "description",
                "domain",
                "type",
                "security_objectives",
                "filtering_labels",
                "observation",
                "owner",
            ]),
            row(&[
                "AST-01",
                "Customer data",
                "All customer records",
                "Global",
                "PR",
                "confidentiality: 3,integrity: 2,availability: high",
                "GDPR|Customer facing",
                "kept in the EU",
                "dana@x.test",
            ]),
            row(&["", "CRM", "", "", "SP", "", "", "", ""]),
            row(&[
                "A-0007",
                "Laptops",
                "",
                "",
                "hardware",
                "c: 1, i: 1, a: 2",
                "",
                "",
                "",
            ]),
            row(&["", "", "", "", "", "", "", "", ""]),
        ];
        assert!(is_ciso_asset_header(&sheet[0]));
        assert!(!is_ciso_asset_header(&row(&[
            "reference",
            "ref_id",
            "name"
        ])));
        let existing = HashMap::from([("crm".to_owned(), 3)]);
        let ours = ciso_assets(&sheet, &existing);
        assert_eq!(
            ours.len(),
            sheet.len(),
            "one row per row: line numbers hold"
        );
        assert_eq!(ours[0], OUR_ASSET_HEADER.map(str::to_owned).to_vec());
        assert_eq!(
            ours[1],
            row(&[
                "",
                "Customer data",
                "information",
                "dana@x.test",
                "3",
                "2",
                "3",
                "GDPR,Customer-facing",
                "All customer records\n\nObservation: kept in the EU",
            ])
        );
        // Matched by name to the existing A-0003; no ratings: left blank for the import.
        assert_eq!(ours[2][0], "A-0003");
        assert_eq!(ours[2][2], "software");
        assert_eq!(ours[2][4], "");
        // Our own reference and type are kept.
        assert_eq!(ours[3][0], "A-0007");
        assert_eq!(ours[3][2], "hardware");
        assert_eq!(&ours[3][4..7], ["1", "1", "2"]);
        assert!(ours[4].iter().all(String::is_empty));
    }
}
