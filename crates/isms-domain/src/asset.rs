//! Assets of the ISMS: what kind they are, how much confidentiality, integrity and
//! availability matter (CIA ratings), the resulting classification, tags, and data flows
//! between assets.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use uuid::Uuid;

/// What kind of thing an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetType {
    /// Data and documents, in any form.
    Information,
    /// Applications, operating systems and code.
    Software,
    /// Computers, phones, network devices and media.
    Hardware,
    /// A service we run or use (email, payroll, hosting).
    Service,
    /// People or teams with knowledge and access that matter.
    People,
    /// Offices, data centres and other locations.
    Site,
    /// Something a supplier provides and runs for us.
    SupplierProvided,
}

impl AssetType {
    /// Every type, in display order.
    pub const ALL: [AssetType; 7] = [
        AssetType::Information,
        AssetType::Software,
        AssetType::Hardware,
        AssetType::Service,
        AssetType::People,
        AssetType::Site,
        AssetType::SupplierProvided,
    ];

    /// Stable identifier (`supplier_provided`).
    pub fn as_str(self) -> &'static str {
        match self {
            AssetType::Information => "information",
            AssetType::Software => "software",
            AssetType::Hardware => "hardware",
            AssetType::Service => "service",
            AssetType::People => "people",
            AssetType::Site => "site",
            AssetType::SupplierProvided => "supplier_provided",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            AssetType::Information => "Information",
            AssetType::Software => "Software",
            AssetType::Hardware => "Hardware",
            AssetType::Service => "Service",
            AssetType::People => "People",
            AssetType::Site => "Site",
            AssetType::SupplierProvided => "Supplier-provided",
        }
    }

    /// Parse the identifier (also accepts `supplier-provided`, `Supplier provided`).
    pub fn parse(field: &str, s: &str) -> Result<AssetType, ValidationError> {
        let t = s.trim().to_lowercase().replace([' ', '-'], "_");
        AssetType::ALL
            .into_iter()
            .find(|a| a.as_str() == t)
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    format!(
                        "must be one of: {}",
                        AssetType::ALL.map(AssetType::as_str).join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for AssetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How much confidentiality, integrity or availability of an asset matters, 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    /// Lowest rating.
    pub const MIN: u8 = 1;
    /// Highest rating.
    pub const MAX: u8 = 4;

    /// The rating with this value, if it is 1 to 4.
    pub fn new(v: u8) -> Option<Rating> {
        (Self::MIN..=Self::MAX).contains(&v).then_some(Rating(v))
    }

    /// The value, 1 to 4.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Name shown to people: Low, Medium, High, Very high.
    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "Low",
            2 => "Medium",
            3 => "High",
            _ => "Very high",
        }
    }

    /// Every rating, lowest first.
    pub fn all() -> impl Iterator<Item = Rating> {
        (Self::MIN..=Self::MAX).map(Rating)
    }
}

impl TryFrom<u8> for Rating {
    type Error = String;

    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Rating::new(v).ok_or_else(|| format!("rating must be 1 to 4, got {v}"))
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label())
    }
}

/// Parse a CIA rating from a number; anything but 1 to 4 names the field.
pub fn parse_rating(field: &str, v: i64) -> Result<Rating, ValidationError> {
    u8::try_from(v).ok().and_then(Rating::new).ok_or_else(|| {
        ValidationError::single(
            field,
            "must be 1 (low), 2 (medium), 3 (high) or 4 (very high)",
        )
    })
}

/// The classification of an asset from its confidentiality, integrity and availability
/// ratings. The highest of the three decides, so an asset is handled with the care its
/// most demanding property needs: 1 Public, 2 Internal, 3 Confidential, 4 Restricted.
pub fn classification_label(c: Rating, i: Rating, a: Rating) -> &'static str {
    classification_name(classification(c, i, a))
}

/// The classification level of an asset: the highest of its three ratings. The only
/// place the stored `classification` column is computed.
pub fn classification(c: Rating, i: Rating, a: Rating) -> Rating {
    c.max(i).max(a)
}

/// The name of a classification level: 1 Public, 2 Internal, 3 Confidential, 4 Restricted.
pub fn classification_name(level: Rating) -> &'static str {
    match level.value() {
        1 => "Public",
        2 => "Internal",
        3 => "Confidential",
        _ => "Restricted",
    }
}

/// Most tags an asset may have.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;

/// Turn comma-separated tags into a clean list: trimmed, lowercase, without duplicates,
/// sorted. Each tag is 1 to 40 letters, digits, `-` or `_`; at most 20 tags. Empty items
/// (as in `a,,b` or a trailing comma) are ignored.
pub fn normalise_tags(field: &str, input: &str) -> Result<Vec<String>, ValidationError> {
    let mut errs = ValidationError::new();
    let mut tags = BTreeSet::new();
    for raw in input.split(',') {
        let tag = raw.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            errs.push(
                field,
                format!("tag \"{tag}\" is longer than {MAX_TAG_CHARS} characters"),
            );
        } else if !tag
            .chars()
            .all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')
        {
            errs.push(
                field,
                format!(
                    "tag \"{tag}\" may only contain letters, digits, - and _ (separate tags with commas)"
                ),
            );
        } else {
            tags.insert(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        errs.push(
            field,
            format!("at most {MAX_TAGS} tags (found {})", tags.len()),
        );
    }
    errs.into_result().map(|()| tags.into_iter().collect())
}

/// How information moves from one asset to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferMechanism {
    /// A programmatic interface called over the network.
    Api,
    /// Files copied or uploaded (SFTP, shared folder, upload portal).
    FileTransfer,
    /// Sent by email.
    Email,
    /// Read from or written to a shared database.
    Database,
    /// A message queue or event stream.
    Messaging,
    /// Carried by people: typed in, printed, on a USB stick.
    Manual,
    /// Anything else; describe it in the flow's notes.
    Other,
}

impl TransferMechanism {
    /// Every mechanism, in display order.
    pub const ALL: [TransferMechanism; 7] = [
        TransferMechanism::Api,
        TransferMechanism::FileTransfer,
        TransferMechanism::Email,
        TransferMechanism::Database,
        TransferMechanism::Messaging,
        TransferMechanism::Manual,
        TransferMechanism::Other,
    ];

    /// Stable identifier (`file_transfer`).
    pub fn as_str(self) -> &'static str {
        match self {
            TransferMechanism::Api => "api",
            TransferMechanism::FileTransfer => "file_transfer",
            TransferMechanism::Email => "email",
            TransferMechanism::Database => "database",
            TransferMechanism::Messaging => "messaging",
            TransferMechanism::Manual => "manual",
            TransferMechanism::Other => "other",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            TransferMechanism::Api => "API",
            TransferMechanism::FileTransfer => "File transfer",
            TransferMechanism::Email => "Email",
            TransferMechanism::Database => "Database",
            TransferMechanism::Messaging => "Messaging",
            TransferMechanism::Manual => "Manual",
            TransferMechanism::Other => "Other",
        }
    }

    /// Parse the identifier; unknown values name the field.
    pub fn parse(field: &str, s: &str) -> Result<TransferMechanism, ValidationError> {
        let t = s.trim().to_lowercase().replace([' ', '-'], "_");
        TransferMechanism::ALL
            .into_iter()
            .find(|m| m.as_str() == t)
            .ok_or_else(|| {
                ValidationError::single(
                    field,
                    format!(
                        "must be one of: {}",
                        TransferMechanism::ALL
                            .map(TransferMechanism::as_str)
                            .join(", ")
                    ),
                )
            })
    }
}

/// A data flow needs two different assets (field `to_asset`).
pub fn check_flow(from: Uuid, to: Uuid) -> Result<(), ValidationError> {
    if from == to {
        return Err(ValidationError::single(
            "to_asset",
            "must be a different asset from the source: a flow connects two assets",
        ));
    }
    Ok(())
}

/// Most assets one bulk edit may change.
pub const MAX_BULK: usize = 500;

/// The assets of a bulk edit: 1 to 500 ids, without repeats (field `ids`).
pub fn check_bulk_ids(ids: &[Uuid]) -> Result<Vec<Uuid>, ValidationError> {
    if ids.is_empty() {
        return Err(ValidationError::single("ids", "choose at least one asset"));
    }
    if ids.len() > MAX_BULK {
        return Err(ValidationError::single(
            "ids",
            format!("at most {MAX_BULK} assets at once (got {})", ids.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if seen.insert(*id) {
            out.push(*id);
        }
    }
    Ok(out)
}

/// Longest asset name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Check a name (1 to 200 characters after trimming) and return it trimmed.
pub fn check_name(field: &str, s: &str) -> Result<String, ValidationError> {
    let t = s.trim();
    if t.is_empty() {
        Err(ValidationError::single(field, "must not be empty"))
    } else if t.chars().count() > MAX_NAME_CHARS {
        Err(ValidationError::single(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ))
    } else {
        Ok(t.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_type_round_trip() {
        for t in AssetType::ALL {
            assert_eq!(AssetType::parse("type", t.as_str()), Ok(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(
            AssetType::parse("type", "Supplier-provided"),
            Ok(AssetType::SupplierProvided)
        );
        let e = AssetType::parse("type", "car").unwrap_err();
        assert_eq!(e.errors[0].field, "type");
    }

    #[test]
    fn ratings() {
        assert_eq!(
            parse_rating("confidentiality", 1).map(Rating::label),
            Ok("Low")
        );
        assert_eq!(parse_rating("c", 4).map(Rating::label), Ok("Very high"));
        for bad in [0, 5, -1, 300, i64::MAX] {
            let e = parse_rating("integrity", bad).unwrap_err();
            assert_eq!(e.errors[0].field, "integrity");
        }
        assert_eq!(Rating::all().count(), 4);
        let r: Rating = serde_json::from_str("3").unwrap();
        assert_eq!(r.value(), 3);
        assert!(serde_json::from_str::<Rating>("0").is_err());
        assert!(serde_json::from_str::<Rating>("5").is_err());
        assert_eq!(serde_json::to_string(&r).unwrap(), "3");
        assert_eq!(r.to_string(), "3 High");
    }

    #[test]
    fn classification_follows_the_highest_rating() {
        let r = |v| Rating::new(v).unwrap();
        assert_eq!(classification_label(r(1), r(1), r(1)), "Public");
        assert_eq!(classification_label(r(2), r(1), r(1)), "Internal");
        assert_eq!(classification_label(r(1), r(3), r(2)), "Confidential");
        assert_eq!(classification_label(r(1), r(1), r(4)), "Restricted");
        for c in Rating::all() {
            for i in Rating::all() {
                for a in Rating::all() {
                    let expected = classification_label(c.max(i).max(a), r(1), r(1));
                    assert_eq!(classification_label(c, i, a), expected);
                }
            }
        }
    }

    #[test]
    fn classification_level_is_the_highest_rating() {
        let r = |v| Rating::new(v).unwrap();
        assert_eq!(classification(r(1), r(2), r(3)), r(3));
        assert_eq!(classification(r(4), r(1), r(1)), r(4));
        assert_eq!(classification_name(r(2)), "Internal");
        assert_eq!(
            classification_label(r(2), r(2), r(1)),
            classification_name(classification(r(2), r(2), r(1)))
        );
    }

    #[test]
    fn bulk_ids() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert_eq!(check_bulk_ids(&[a, b, a]).unwrap(), vec![a, b]);
        assert_eq!(check_bulk_ids(&[]).unwrap_err().errors[0].field, "ids");
        let many: Vec<Uuid> = (0..501).map(Uuid::from_u128).collect();
        assert_eq!(check_bulk_ids(&many).unwrap_err().errors[0].field, "ids");
        assert_eq!(check_bulk_ids(&many[..500]).unwrap().len(), 500);
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            normalise_tags("tags", " Finance, gdpr ,finance,,HR-core, data_2 ,").unwrap(),
            vec!["data_2", "finance", "gdpr", "hr-core"]
        );
        assert_eq!(normalise_tags("tags", "").unwrap(), Vec::<String>::new());
        assert_eq!(normalise_tags("tags", " , ").unwrap(), Vec::<String>::new());
        assert_eq!(normalise_tags("tags", "Größe").unwrap(), vec!["größe"]);
        let e = normalise_tags("tags", "ok, not ok, a/b").unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert!(e.errors.iter().all(|x| x.field == "tags"));
        assert!(normalise_tags("tags", &"x".repeat(40)).is_ok());
        assert!(normalise_tags("tags", &"x".repeat(41)).is_err());
        let twenty: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
        assert_eq!(normalise_tags("tags", &twenty.join(",")).unwrap().len(), 20);
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let e = normalise_tags("labels", &many.join(",")).unwrap_err();
        assert_eq!(e.errors[0].field, "labels");
        // Duplicates count once towards the limit.
        assert!(normalise_tags("tags", &format!("{},t0,T0", twenty.join(","))).is_ok());
    }

    #[test]
    fn transfer_mechanism_round_trip() {
        for m in TransferMechanism::ALL {
            assert_eq!(TransferMechanism::parse("mechanism", m.as_str()), Ok(m));
            assert!(!m.label().is_empty());
        }
        assert_eq!(
            TransferMechanism::parse("mechanism", "File transfer"),
            Ok(TransferMechanism::FileTransfer)
        );
        assert_eq!(
            TransferMechanism::parse("mechanism", "carrier pigeon")
                .unwrap_err()
                .errors[0]
                .field,
            "mechanism"
        );
    }

    #[test]
    fn flows_and_names() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert!(check_flow(a, b).is_ok());
        assert_eq!(check_flow(a, a).unwrap_err().errors[0].field, "to_asset");
        assert_eq!(check_name("name", "  CRM  ").unwrap(), "CRM");
        assert_eq!(
            check_name("name", "   ").unwrap_err().errors[0].field,
            "name"
        );
        assert!(check_name("name", &"é".repeat(200)).is_ok());
        assert_eq!(
            check_name("title", &"a".repeat(201)).unwrap_err().errors[0].field,
            "title"
        );
    }
}
