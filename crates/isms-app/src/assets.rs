//! The asset inventory (A.5.9) and the data flows between assets: types, owners and
//! custodians who are members, CIA ratings and the classification they give (computed only
//! by `isms_domain::asset`), tags, bulk edits applied all-or-nothing, and the rule that an
//! asset named by a data flow or a risk is not deleted.

use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, paginate, record,
};
use isms_db::assets::{
    self as store, AssetFilter, AssetRow, AssetWithNames, FlowFilter, FlowRow, FlowWithNames,
};
use isms_db::{AsConn, Ts, orgs};
use isms_domain::ValidationError;
use isms_domain::asset::{
    AssetType, Rating, TransferMechanism, check_bulk_ids, check_flow, check_name, classification,
    classification_name, normalise_tags, parse_rating,
};
use isms_domain::rbac::{Permission, membership_active};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// An asset as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Asset {
    pub id: Uuid,
    pub number: i64,
    /// `A-0001`.
    pub reference: String,
    /// `information`, `software`, `hardware`, `service`, `people`, `site` or `supplier_provided`.
    pub asset_type: String,
    pub asset_type_label: String,
    pub name: String,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub custodian_id: Option<Uuid>,
    pub custodian_name: Option<String>,
    pub location: String,
    /// 1 (low) to 4 (very high).
    pub confidentiality: i64,
    pub integrity: i64,
    pub availability: i64,
    /// The highest of the three ratings, 1 to 4.
    pub classification: i64,
    /// `Public`, `Internal`, `Confidential` or `Restricted`.
    pub classification_label: String,
    pub in_scope: bool,
    /// Lower-case tags, sorted.
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new asset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAsset {
    /// `information`, `software`, `hardware`, `service`, `people`, `site` or `supplier_provided`.
    pub asset_type: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A current member of the organisation (required: every asset has an owner).
    pub owner_id: Option<Uuid>,
    /// A current member who looks after the asset day to day.
    pub custodian_id: Option<Uuid>,
    #[serde(default)]
    pub location: String,
    /// 1 (low) to 4 (very high).
    pub confidentiality: i64,
    pub integrity: i64,
    pub availability: i64,
    #[serde(default = "yes")]
    pub in_scope: bool,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn yes() -> bool {
    true
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Changes to an asset. Omitted fields keep their value; `null` clears the custodian.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetPatch {
    pub asset_type: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner_id: Option<Uuid>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub custodian_id: Option<Option<Uuid>>,
    pub location: Option<String>,
    pub confidentiality: Option<i64>,
    pub integrity: Option<i64>,
    pub availability: Option<i64>,
    pub in_scope: Option<bool>,
    /// Replaces every tag.
    pub tags: Option<Vec<String>>,
    pub version: i64,
}

/// One change applied to many assets at once, all or nothing.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkEdit {
    /// The assets to change (1 to 500).
    pub ids: Vec<Uuid>,
    pub owner_id: Option<Uuid>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Uuid>)]
    pub custodian_id: Option<Option<Uuid>>,
    pub in_scope: Option<bool>,
    pub location: Option<String>,
    pub asset_type: Option<String>,
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

/// What a bulk edit changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkResult {
    /// How many assets were changed.
    pub updated: usize,
}

/// Filters of the inventory.
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    pub asset_type: Option<String>,
    pub owner_id: Option<Uuid>,
    pub in_scope: Option<bool>,
    /// Exactly this classification level (1–4).
    pub classification: Option<i64>,
    /// At least this classification level (the highest CIA rating is at least this).
    pub min_rating: Option<i64>,
    pub tag: Option<String>,
    /// Text the name contains (any case).
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A data flow between two assets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataFlow {
    pub id: Uuid,
    pub number: i64,
    /// `F-001`.
    pub reference: String,
    pub from_asset_id: Uuid,
    pub from_name: String,
    pub from_type: String,
    pub to_asset_id: Uuid,
    pub to_name: String,
    pub to_type: String,
    /// What kind of data moves, e.g. `customer personal data`.
    pub data_category: String,
    /// `api`, `file_transfer`, `email`, `database`, `messaging`, `manual` or `other`.
    pub mechanism: String,
    pub mechanism_label: String,
    pub encrypted: bool,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new data flow.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDataFlow {
    pub from_asset_id: Uuid,
    pub to_asset_id: Uuid,
    pub data_category: String,
    pub mechanism: String,
    pub encrypted: bool,
    #[serde(default)]
    pub description: String,
}

/// Changes to a data flow; omitted fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataFlowPatch {
    pub from_asset_id: Option<Uuid>,
    pub to_asset_id: Option<Uuid>,
    pub data_category: Option<String>,
    pub mechanism: Option<String>,
    pub encrypted: Option<bool>,
    pub description: Option<String>,
    pub version: i64,
}

/// Filters of the data-flow list.
#[derive(Debug, Clone, Default)]
pub struct FlowQuery {
    /// Flows from or to this asset.
    pub asset_id: Option<Uuid>,
    pub encrypted: Option<bool>,
    /// Only flows between in-scope assets.
    pub in_scope_only: bool,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A risk that concerns an asset (asset page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetRisk {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    /// The status as shown (e.g. `Treated`).
    pub status: String,
}

/// An asset named by a risk.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct AssetRef {
    pub id: Uuid,
    /// `A-0001`.
    pub reference: String,
    pub name: String,
}

/// `A-0001`.
pub fn asset_reference(number: i64) -> String {
    format!("A-{number:04}")
}

fn flow_reference(number: i64) -> String {
    format!("F-{number:03}")
}

pub(crate) fn text(v: &mut ValidationError, field: &str, s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
    }
    s.to_owned()
}

fn tags(v: &mut ValidationError, field: &str, list: &[String]) -> Vec<String> {
    v.check(normalise_tags(field, &list.join(",")))
        .unwrap_or_default()
}

fn snapshot(a: &AssetRow, tags: &[String]) -> serde_json::Value {
    serde_json::json!({
        "number": a.number, "type": a.asset_type, "name": a.name, "owner_id": a.owner_id,
        "custodian_id": a.custodian_id, "location": a.location,
        "cia": [a.confidentiality, a.integrity, a.availability],
        "classification": a.classification, "in_scope": a.in_scope, "tags": tags,
    })
}

fn flow_snapshot(f: &FlowRow) -> serde_json::Value {
    serde_json::json!({
        "number": f.number, "from": f.from_asset_id, "to": f.to_asset_id,
        "data_category": f.data_category, "mechanism": f.mechanism, "encrypted": f.encrypted,
    })
}

fn to_asset(r: AssetWithNames, tags: Vec<String>) -> Asset {
    let a = r.asset;
    let kind = AssetType::parse("asset_type", &a.asset_type).ok();
    let level = u8::try_from(a.classification)
        .ok()
        .and_then(Rating::new)
        .map_or("Restricted", classification_name);
    Asset {
        id: a.id,
        number: a.number,
        reference: asset_reference(a.number),
        asset_type_label: kind.map_or_else(|| a.asset_type.clone(), |k| k.label().to_owned()),
        asset_type: a.asset_type,
        name: a.name,
        description: a.description,
        owner_id: a.owner_id,
        owner_name: r.owner_name,
        custodian_id: a.custodian_id,
        custodian_name: r.custodian_name,
        location: a.location,
        confidentiality: a.confidentiality,
        integrity: a.integrity,
        availability: a.availability,
        classification: a.classification,
        classification_label: level.to_owned(),
        in_scope: a.in_scope,
        tags,
        created_at: a.created_at.0.rfc3339(),
        updated_at: a.updated_at.0.rfc3339(),
        version: a.version,
    }
}

fn to_flow(r: FlowWithNames) -> DataFlow {
    let f = r.flow;
    let mech = TransferMechanism::parse("mechanism", &f.mechanism).ok();
    DataFlow {
        id: f.id,
        number: f.number,
        reference: flow_reference(f.number),
        from_asset_id: f.from_asset_id,
        from_name: r.from_name,
        from_type: r.from_type,
        to_asset_id: f.to_asset_id,
        to_name: r.to_name,
        to_type: r.to_type,
        data_category: f.data_category,
        mechanism_label: mech.map_or_else(|| f.mechanism.clone(), |m| m.label().to_owned()),
        mechanism: f.mechanism,
        encrypted: f.encrypted,
        description: f.description,
        created_at: f.created_at.0.rfc3339(),
        updated_at: f.updated_at.0.rfc3339(),
        version: f.version,
    }
}

/// Set the three ratings (each 1–4) and the classification they give.
fn rate(v: &mut ValidationError, row: &mut AssetRow, c: i64, i: i64, a: i64) {
    let rc = v.check(parse_rating("confidentiality", c));
    let ri = v.check(parse_rating("integrity", i));
    let ra = v.check(parse_rating("availability", a));
    if let (Some(rc), Some(ri), Some(ra)) = (rc, ri, ra) {
        row.confidentiality = c;
        row.integrity = i;
        row.availability = a;
        row.classification = i64::from(classification(rc, ri, ra).value());
    }
}

fn cursor_number(v: &mut ValidationError, cursor: Option<String>) -> Option<i64> {
    cursor.and_then(|s| {
        s.parse::<i64>().ok().or_else(|| {
            v.push("cursor", "is not a cursor this server issued");
            None
        })
    })
}

impl App {
    /// `user` must be a current member of the organisation (else an error on `field`).
    pub(crate) async fn check_member(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        field: &str,
        user: Option<Uuid>,
    ) -> AppResult<()> {
        if let Some(u) = user {
            let ok = orgs::membership_of(c, ctx.org.id, u)
                .await?
                .is_some_and(|m| membership_active(m.expires_on.map(|d| d.0), self.today()));
            if !ok {
                v.push(field, "is not a member of this organisation");
            }
        }
        Ok(())
    }

    /// The assets of this organisation among `ids`, in number order; an id that is not one
    /// (unknown, or another organisation's) is reported on `field[i]`.
    pub(crate) async fn check_assets(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        field: &str,
        ids: &[Uuid],
    ) -> AppResult<Vec<AssetRef>> {
        let mut unique = Vec::new();
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        let found = store::assets_by_ids(c, ctx.org.id, &unique).await?;
        let known: BTreeSet<Uuid> = found.iter().map(|a| a.asset.id).collect();
        for (i, id) in ids.iter().enumerate() {
            if !known.contains(id) {
                v.push(
                    format!("{field}[{i}]"),
                    format!("{id} is not an asset of this organisation"),
                );
            }
        }
        Ok(found
            .into_iter()
            .map(|a| AssetRef {
                id: a.asset.id,
                reference: asset_reference(a.asset.number),
                name: a.asset.name,
            })
            .collect())
    }

    /// Asset ids from references as people type them (`A-0007`, `a-7` or `7`, separated by
    /// commas or spaces); one that is not an asset of this organisation is reported on
    /// `field`.
    pub async fn resolve_asset_refs(
        &self,
        ctx: &OrgCtx,
        field: &str,
        text: &str,
    ) -> AppResult<Vec<Uuid>> {
        let mut v = ValidationError::new();
        let mut numbers = Vec::new();
        for raw in text
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let digits = raw
                .strip_prefix("A-")
                .or_else(|| raw.strip_prefix("a-"))
                .unwrap_or(raw);
            match digits.parse::<i64>() {
                Ok(n) if n > 0 => numbers.push((raw.to_owned(), n)),
                _ => v.push(
                    field,
                    format!("\"{raw}\" is not an asset reference (e.g. A-0007)"),
                ),
            }
        }
        let nums: Vec<i64> = numbers.iter().map(|(_, n)| *n).collect();
        let mut c = self.db.read().await?;
        let found: HashMap<i64, Uuid> = store::assets_by_numbers(&mut c, ctx.org.id, &nums)
            .await?
            .into_iter()
            .map(|(id, n)| (n, id))
            .collect();
        let mut out = Vec::new();
        for (raw, n) in &numbers {
            match found.get(n) {
                Some(id) if !out.contains(id) => out.push(*id),
                Some(_) => {}
                None => v.push(
                    field,
                    format!("there is no asset {raw} in this organisation"),
                ),
            }
        }
        v.into_result()?;
        Ok(out)
    }

    async fn with_tags(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<AssetWithNames>,
    ) -> AppResult<Vec<Asset>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.asset.id).collect();
        let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (aid, tag) in store::tags_of(c, ctx.org.id, &ids).await? {
            tags.entry(aid).or_default().push(tag);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let t = tags.remove(&r.asset.id).unwrap_or_default();
                to_asset(r, t)
            })
            .collect())
    }

    /// The inventory by number; filters as in [`AssetQuery`].
    pub async fn list_assets(&self, ctx: &OrgCtx, q: &AssetQuery) -> AppResult<Page<Asset>> {
        ctx.require(Permission::Read, "see the asset inventory")?;
        let limit = page_limit(q.limit);
        let mut v = ValidationError::new();
        let after = cursor_number(&mut v, decode_cursor(q.cursor.as_deref())?);
        let asset_type = q
            .asset_type
            .as_deref()
            .filter(|t| !t.is_empty())
            .and_then(|t| v.check(AssetType::parse("asset_type", t)))
            .map(|t| t.as_str().to_owned());
        for (field, val) in [
            ("classification", q.classification),
            ("min_rating", q.min_rating),
        ] {
            if let Some(n) = val {
                v.check(parse_rating(field, n));
            }
        }
        let tag = match q.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => v
                .check(normalise_tags("tag", t))
                .and_then(|t| t.into_iter().next()),
            None => None,
        };
        v.into_result()?;
        let f = AssetFilter {
            asset_type,
            owner_id: q.owner_id,
            in_scope: q.in_scope,
            classification: q.classification,
            min_classification: q.min_rating,
            tag,
            q: q.q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase),
        };
        let mut c = self.db.read().await?;
        let rows = store::list_assets(&mut c, ctx.org.id, &f, after, limit + 1).await?;
        let page = paginate(rows, limit, |r| r.asset.number.to_string(), |r| r);
        let items = self.with_tags(&mut c, ctx, page.items).await?;
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    pub async fn get_asset(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Asset> {
        ctx.require(Permission::Read, "see the asset inventory")?;
        let mut c = self.db.read().await?;
        let row = store::asset(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("asset"))?;
        self.with_tags(&mut c, ctx, vec![row])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound("asset"))
    }

    /// Every tag in use, with how many assets carry it.
    pub async fn asset_tags(&self, ctx: &OrgCtx) -> AppResult<Vec<(String, i64)>> {
        ctx.require(Permission::Read, "see the asset inventory")?;
        let mut c = self.db.read().await?;
        Ok(store::tag_counts(&mut c, ctx.org.id).await?)
    }

    pub async fn create_asset(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewAsset,
    ) -> AppResult<Asset> {
        ctx.require(Permission::Write, "add assets")?;
        let mut v = ValidationError::new();
        let kind = v.check(AssetType::parse("asset_type", &input.asset_type));
        let name = v.check(check_name("name", &input.name));
        let description = text(&mut v, "description", &input.description, 8000);
        let location = text(&mut v, "location", &input.location, 300);
        let tag_list = tags(&mut v, "tags", &input.tags);
        if input.owner_id.is_none() {
            v.push("owner_id", "every asset needs an owner: choose a member");
        }
        let now = Ts(self.now());
        let mut row = AssetRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: 0,
            asset_type: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            name: name.unwrap_or_default(),
            description,
            owner_id: input.owner_id,
            custodian_id: input.custodian_id,
            location,
            confidentiality: 1,
            integrity: 1,
            availability: 1,
            classification: 1,
            in_scope: input.in_scope,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        rate(
            &mut v,
            &mut row,
            input.confidentiality,
            input.integrity,
            input.availability,
        );
        let mut tx = self.db.begin().await?;
        self.check_member(&mut tx, ctx, &mut v, "owner_id", input.owner_id)
            .await?;
        self.check_member(&mut tx, ctx, &mut v, "custodian_id", input.custodian_id)
            .await?;
        v.into_result()?;
        row.number = store::next_number(&mut tx, ctx.org.id).await?;
        store::insert_asset(&mut tx, &row).await?;
        store::set_tags(&mut tx, ctx.org.id, row.id, row.number, &tag_list).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "asset",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "added asset {} \"{}\"",
                    asset_reference(row.number),
                    row.name
                ),
                before: None,
                after: Some(snapshot(&row, &tag_list)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_asset(ctx, row.id).await
    }

    pub async fn update_asset(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &AssetPatch,
    ) -> AppResult<Asset> {
        ctx.require(Permission::Write, "change assets")?;
        let mut tx = self.db.begin().await?;
        let before = store::asset(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("asset"))?
            .asset;
        let before_tags: Vec<String> = store::tags_of(&mut tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.asset_type
            && let Some(k) = v.check(AssetType::parse("asset_type", t))
        {
            row.asset_type = k.as_str().to_owned();
        }
        if let Some(n) = &patch.name
            && let Some(n) = v.check(check_name("name", n))
        {
            row.name = n;
        }
        if let Some(d) = &patch.description {
            row.description = text(&mut v, "description", d, 8000);
        }
        if let Some(l) = &patch.location {
            row.location = text(&mut v, "location", l, 300);
        }
        if let Some(o) = patch.owner_id {
            self.check_member(&mut tx, ctx, &mut v, "owner_id", Some(o))
                .await?;
            row.owner_id = Some(o);
        }
        if let Some(c) = patch.custodian_id {
            self.check_member(&mut tx, ctx, &mut v, "custodian_id", c)
                .await?;
            row.custodian_id = c;
        }
        if patch.confidentiality.is_some()
            || patch.integrity.is_some()
            || patch.availability.is_some()
        {
            rate(
                &mut v,
                &mut row,
                patch.confidentiality.unwrap_or(before.confidentiality),
                patch.integrity.unwrap_or(before.integrity),
                patch.availability.unwrap_or(before.availability),
            );
        }
        if let Some(s) = patch.in_scope {
            row.in_scope = s;
        }
        let tag_list = match &patch.tags {
            Some(t) => tags(&mut v, "tags", t),
            None => before_tags.clone(),
        };
        v.into_result()?;
        row.version = patch.version;
        row.updated_at = Ts(self.now());
        if !store::update_asset(&mut tx, &row).await? {
            return Err(AppError::stale("asset"));
        }
        if tag_list != before_tags {
            store::set_tags(&mut tx, ctx.org.id, id, row.number, &tag_list).await?;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "asset",
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "changed asset {} \"{}\"",
                    asset_reference(row.number),
                    row.name
                ),
                before: Some(snapshot(&before, &before_tags)),
                after: Some(snapshot(&row, &tag_list)),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_asset(ctx, id).await
    }

    /// Apply one change to many assets in one transaction, with an audit entry per asset.
    /// Any bad input (an id that is not one of ours, an owner who is not a member, a bad
    /// tag) changes nothing.
    pub async fn bulk_edit_assets(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &BulkEdit,
    ) -> AppResult<BulkResult> {
        ctx.require(Permission::Write, "change assets")?;
        let ids = check_bulk_ids(&input.ids)?;
        let mut v = ValidationError::new();
        let kind = input
            .asset_type
            .as_deref()
            .and_then(|t| v.check(AssetType::parse("asset_type", t)));
        let location = input
            .location
            .as_deref()
            .map(|l| text(&mut v, "location", l, 300));
        let add = tags(&mut v, "add_tags", &input.add_tags);
        let remove = tags(&mut v, "remove_tags", &input.remove_tags);
        let nothing = input.owner_id.is_none()
            && input.custodian_id.is_none()
            && input.in_scope.is_none()
            && input.location.is_none()
            && input.asset_type.is_none()
            && input.add_tags.is_empty()
            && input.remove_tags.is_empty();
        if nothing {
            v.push(
                "changes",
                "choose at least one change: owner, custodian, in scope, location, type or tags",
            );
        }
        let mut tx = self.db.begin().await?;
        self.check_member(&mut tx, ctx, &mut v, "owner_id", input.owner_id)
            .await?;
        self.check_member(
            &mut tx,
            ctx,
            &mut v,
            "custodian_id",
            input.custodian_id.flatten(),
        )
        .await?;
        let rows = store::assets_by_ids(&mut tx, ctx.org.id, &ids).await?;
        if rows.len() != ids.len() {
            let known: BTreeSet<Uuid> = rows.iter().map(|r| r.asset.id).collect();
            let unknown: Vec<String> = ids
                .iter()
                .filter(|i| !known.contains(i))
                .map(Uuid::to_string)
                .collect();
            v.push(
                "ids",
                format!("not assets of this organisation: {}", unknown.join(", ")),
            );
        }
        v.into_result()?;
        let mut tags_by: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (aid, tag) in store::tags_of(&mut tx, ctx.org.id, &ids).await? {
            tags_by.entry(aid).or_default().push(tag);
        }
        let now = Ts(self.now());
        for r in &rows {
            let before = &r.asset;
            let mut row = before.clone();
            if let Some(o) = input.owner_id {
                row.owner_id = Some(o);
            }
            if let Some(c) = input.custodian_id {
                row.custodian_id = c;
            }
            if let Some(s) = input.in_scope {
                row.in_scope = s;
            }
            if let Some(l) = &location {
                row.location.clone_from(l);
            }
            if let Some(k) = kind {
                row.asset_type = k.as_str().to_owned();
            }
            let before_tags = tags_by.remove(&before.id).unwrap_or_default();
            let mut set: BTreeSet<String> = before_tags.iter().cloned().collect();
            set.extend(add.iter().cloned());
            for t in &remove {
                set.remove(t);
            }
            let tag_list: Vec<String> = set.into_iter().collect();
            if let Err(e) = normalise_tags("add_tags", &tag_list.join(",")) {
                return Err(ValidationError::single(
                    "add_tags",
                    format!(
                        "{} would get too many tags: {}",
                        asset_reference(row.number),
                        e.errors
                            .first()
                            .map_or_else(String::new, |x| x.message.clone())
                    ),
                )
                .into());
            }
            row.updated_at = now;
            if !store::update_asset(&mut tx, &row).await? {
                return Err(AppError::stale("asset"));
            }
            if tag_list != before_tags {
                store::set_tags(&mut tx, ctx.org.id, row.id, row.number, &tag_list).await?;
            }
            record(
                self,
                &mut tx,
                actor,
                Change {
                    org_id: Some(ctx.org.id),
                    entity: "asset",
                    entity_id: row.id.to_string(),
                    action: "bulk-update",
                    summary: format!(
                        "changed asset {} \"{}\" in a bulk edit of {} assets",
                        asset_reference(row.number),
                        row.name,
                        rows.len()
                    ),
                    before: Some(snapshot(before, &before_tags)),
                    after: Some(snapshot(&row, &tag_list)),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(BulkResult {
            updated: rows.len(),
        })
    }

    /// Remove an asset. Refused (409) while a data flow or a risk names it: the record of
    /// what the ISMS relied on is kept until those are changed first.
    pub async fn delete_asset(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove assets")?;
        let mut tx = self.db.begin().await?;
        let before = store::asset(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("asset"))?
            .asset;
        let (flows, risks) = store::references(&mut tx, ctx.org.id, id).await?;
        if flows > 0 || risks > 0 {
            return Err(AppError::Conflict(format!(
                "{} is still named by {flows} data flow(s) and {risks} risk(s); remove those flows and unlink those risks first",
                asset_reference(before.number)
            )));
        }
        let before_tags: Vec<String> = store::tags_of(&mut tx, ctx.org.id, &[id])
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        store::delete_asset(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "asset",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed asset {} \"{}\"",
                    asset_reference(before.number),
                    before.name
                ),
                before: Some(snapshot(&before, &before_tags)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Risks that concern an asset.
    pub async fn risks_for_asset(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Vec<AssetRisk>> {
        ctx.require(Permission::Read, "see the risk register")?;
        let mut c = self.db.read().await?;
        Ok(store::risks_for_asset(&mut c, ctx.org.id, id)
            .await?
            .into_iter()
            .map(|(id, number, title, status)| AssetRisk {
                id,
                reference: format!("R-{number:03}"),
                title,
                status: isms_domain::risk::RiskStatus::parse("status", &status)
                    .map_or(status, |s| s.label().to_owned()),
            })
            .collect())
    }

    /// Data flows by number; filters as in [`FlowQuery`].
    pub async fn list_data_flows(&self, ctx: &OrgCtx, q: &FlowQuery) -> AppResult<Page<DataFlow>> {
        ctx.require(Permission::Read, "see the data flows")?;
        let limit = page_limit(q.limit);
        let mut v = ValidationError::new();
        let after = cursor_number(&mut v, decode_cursor(q.cursor.as_deref())?);
        v.into_result()?;
        let f = FlowFilter {
            asset_id: q.asset_id,
            encrypted: q.encrypted,
            in_scope_only: q.in_scope_only,
        };
        let mut c = self.db.read().await?;
        let rows = store::list_flows(&mut c, ctx.org.id, &f, after, limit + 1).await?;
        Ok(paginate(
            rows,
            limit,
            |r| r.flow.number.to_string(),
            to_flow,
        ))
    }

    /// Every data flow matching `q` (all pages), for diagrams and exports.
    pub async fn all_data_flows(&self, ctx: &OrgCtx, q: &FlowQuery) -> AppResult<Vec<DataFlow>> {
        let mut q = FlowQuery {
            limit: Some(500),
            cursor: None,
            ..q.clone()
        };
        let mut out = Vec::new();
        loop {
            let page = self.list_data_flows(ctx, &q).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    pub async fn get_data_flow(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<DataFlow> {
        ctx.require(Permission::Read, "see the data flows")?;
        let mut c = self.db.read().await?;
        store::flow(&mut c, ctx.org.id, id)
            .await?
            .map(to_flow)
            .ok_or(AppError::NotFound("data flow"))
    }

    /// Both ends must be assets of this organisation, and different ones.
    async fn check_flow_ends(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        v: &mut ValidationError,
        from: Uuid,
        to: Uuid,
    ) -> AppResult<()> {
        for (field, id) in [("from_asset_id", from), ("to_asset_id", to)] {
            if store::asset(c, ctx.org.id, id).await?.is_none() {
                v.push(field, "is not an asset of this organisation");
            }
        }
        if check_flow(from, to).is_err() {
            v.push(
                "to_asset_id",
                "must be a different asset from the source: a flow connects two assets",
            );
        }
        Ok(())
    }

    pub async fn create_data_flow(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewDataFlow,
    ) -> AppResult<DataFlow> {
        ctx.require(Permission::Write, "add data flows")?;
        let mut tx = self.db.begin().await?;
        let out = self
            .create_data_flow_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a data flow inside the caller's transaction; `number` is given by an import
    /// (blank: the next free number).
    pub(crate) async fn create_data_flow_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewDataFlow,
        number: Option<i64>,
    ) -> AppResult<DataFlow> {
        ctx.require(Permission::Write, "add data flows")?;
        let mut v = ValidationError::new();
        let category = v.check(check_name("data_category", &input.data_category));
        let mech = v.check(TransferMechanism::parse("mechanism", &input.mechanism));
        let description = text(&mut v, "description", &input.description, 4000);
        self.check_flow_ends(tx, ctx, &mut v, input.from_asset_id, input.to_asset_id)
            .await?;
        v.into_result()?;
        let now = Ts(self.now());
        let row = FlowRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number: match number {
                Some(n) => n,
                None => store::next_flow_number(tx, ctx.org.id).await?,
            },
            from_asset_id: input.from_asset_id,
            to_asset_id: input.to_asset_id,
            data_category: category.unwrap_or_default(),
            mechanism: mech.map(|m| m.as_str().to_owned()).unwrap_or_default(),
            encrypted: input.encrypted,
            description,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_flow(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "data_flow",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "added data flow {} ({})",
                    flow_reference(row.number),
                    row.data_category
                ),
                before: None,
                after: Some(flow_snapshot(&row)),
            },
        )
        .await?;
        self.load_data_flow(tx, ctx, row.id).await
    }

    /// One data flow read through `c` (the caller's transaction sees its own writes).
    async fn load_data_flow(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<DataFlow> {
        store::flow(c, ctx.org.id, id)
            .await?
            .map(to_flow)
            .ok_or(AppError::NotFound("data flow"))
    }

    pub async fn update_data_flow(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &DataFlowPatch,
    ) -> AppResult<DataFlow> {
        ctx.require(Permission::Write, "change data flows")?;
        let mut tx = self.db.begin().await?;
        let out = self
            .update_data_flow_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a data flow inside the caller's transaction; a stale `version` is 409.
    pub(crate) async fn update_data_flow_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &DataFlowPatch,
    ) -> AppResult<DataFlow> {
        ctx.require(Permission::Write, "change data flows")?;
        let before = store::flow(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("data flow"))?
            .flow;
        let mut v = ValidationError::new();
        let mut row = before.clone();
        row.from_asset_id = patch.from_asset_id.unwrap_or(row.from_asset_id);
        row.to_asset_id = patch.to_asset_id.unwrap_or(row.to_asset_id);
        if let Some(c) = &patch.data_category
            && let Some(c) = v.check(check_name("data_category", c))
        {
            row.data_category = c;
        }
        if let Some(m) = &patch.mechanism
            && let Some(m) = v.check(TransferMechanism::parse("mechanism", m))
        {
            row.mechanism = m.as_str().to_owned();
        }
        if let Some(e) = patch.encrypted {
            row.encrypted = e;
        }
        if let Some(d) = &patch.description {
            row.description = text(&mut v, "description", d, 4000);
        }
        self.check_flow_ends(tx, ctx, &mut v, row.from_asset_id, row.to_asset_id)
            .await?;
        v.into_result()?;
        row.version = patch.version;
        row.updated_at = Ts(self.now());
        if !store::update_flow(tx, &row).await? {
            return Err(AppError::stale("data flow"));
        }
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "data_flow",
                entity_id: id.to_string(),
                action: "update",
                summary: format!("changed data flow {}", flow_reference(row.number)),
                before: Some(flow_snapshot(&before)),
                after: Some(flow_snapshot(&row)),
            },
        )
        .await?;
        self.load_data_flow(tx, ctx, id).await
    }

    pub async fn delete_data_flow(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "remove data flows")?;
        let mut tx = self.db.begin().await?;
        let before = store::flow(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("data flow"))?
            .flow;
        store::delete_flow(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "data_flow",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed data flow {}", flow_reference(before.number)),
                before: Some(flow_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The data-flow diagram as SVG: for one asset, it and its neighbours; without one,
    /// every flow between in-scope assets.
    pub async fn data_flow_diagram(
        &self,
        ctx: &OrgCtx,
        asset_id: Option<Uuid>,
    ) -> AppResult<String> {
        use isms_export::flow_diagram::{FlowEdge, FlowNode, data_flow_diagram};
        let (title, flows) = match asset_id {
            Some(id) => {
                let a = self.get_asset(ctx, id).await?;
                let q = FlowQuery {
                    asset_id: Some(id),
                    ..Default::default()
                };
                (
                    format!("Data flows of {} {}", a.reference, a.name),
                    self.all_data_flows(ctx, &q).await?,
                )
            }
            None => {
                let q = FlowQuery {
                    in_scope_only: true,
                    ..Default::default()
                };
                (
                    format!("Data flows between in-scope assets of {}", ctx.org.name),
                    self.all_data_flows(ctx, &q).await?,
                )
            }
        };
        let mut index: HashMap<Uuid, usize> = HashMap::new();
        let mut nodes = Vec::new();
        let label = |t: &str| {
            AssetType::parse("asset_type", t)
                .map_or_else(|_| t.to_owned(), |k| k.label().to_owned())
        };
        let mut node = |id: Uuid, name: &str, kind: &str| {
            *index.entry(id).or_insert_with(|| {
                nodes.push(FlowNode {
                    name: name.to_owned(),
                    kind: label(kind),
                    href: Some(format!("/o/{}/assets/{id}", ctx.org.slug)),
                    focus: asset_id == Some(id),
                });
                nodes.len() - 1
            })
        };
        let mut edges = Vec::new();
        for f in &flows {
            let from = node(f.from_asset_id, &f.from_name, &f.from_type);
            let to = node(f.to_asset_id, &f.to_name, &f.to_type);
            edges.push(FlowEdge {
                from,
                to,
                label: f.data_category.clone(),
                encrypted: f.encrypted,
            });
        }
        if let Some(id) = asset_id
            && nodes.is_empty()
        {
            let a = self.get_asset(ctx, id).await?;
            nodes.push(FlowNode {
                name: a.name,
                kind: a.asset_type_label,
                href: None,
                focus: true,
            });
        }
        Ok(data_flow_diagram(&title, &nodes, &edges))
    }
}

/// The columns of the data-flow import, as the data-flow export writes them: `from` and
/// `to` are asset references (`A-0001`; an asset's exact name is taken too when it names
/// one asset only). `from_name` and `to_name` are written for people and ignored.
pub const DATA_FLOW_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "flow id"]),
        Column::req("from").aka(&["from asset", "source"]),
        Column::req("to").aka(&["to asset", "destination", "target"]),
        Column::req("data_category").aka(&["data", "category"]),
        Column::req("mechanism").aka(&["transfer", "transfer mechanism"]),
        Column::opt("encrypted"),
        Column::opt("description"),
    ]
};

/// The organisation's assets by number and by (lower-case) name, to read asset cells.
pub(crate) struct AssetIndex {
    by_number: HashMap<i64, Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
}

impl AssetIndex {
    pub(crate) async fn load(c: &mut impl AsConn, ctx: &OrgCtx) -> AppResult<AssetIndex> {
        let mut ix = AssetIndex {
            by_number: HashMap::new(),
            by_name: HashMap::new(),
        };
        for a in isms_db::import::all_assets(c, ctx.org.id).await? {
            ix.by_number.insert(a.number, a.id);
            ix.by_name
                .entry(a.name.trim().to_lowercase())
                .or_default()
                .push(a.id);
        }
        Ok(ix)
    }

    /// The asset one cell names: a reference, or the name of exactly one asset.
    pub(crate) fn one(&self, s: &str) -> Result<Uuid, String> {
        let s = s.trim();
        if let Ok(n) = isms_domain::import::parse_reference("A", s)
            && let Some(id) = self.by_number.get(&n)
        {
            return Ok(*id);
        }
        match self.by_name.get(&s.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([_, _, ..]) => Err(format!(
                "\"{s}\" is the name of several assets; give the reference (A-0001)"
            )),
            _ if isms_domain::import::parse_reference("A", s).is_ok() => {
                Err(format!("there is no asset {s} in this organisation"))
            }
            _ => Err(format!(
                "\"{s}\" is neither an asset reference (A-0001) nor the name of an asset of this organisation"
            )),
        }
    }

    /// The asset a cell names; `None` when the file has no such column, and a blank or
    /// unknown asset is reported on the cell.
    pub(crate) fn cell(&self, c: &mut isms_domain::import::Cells<'_>, field: &str) -> Option<Uuid> {
        match c.opt(field) {
            None => None,
            Some("") => {
                c.bad(field, "give the asset's reference (A-0001)");
                None
            }
            Some(s) => match self.one(s) {
                Ok(id) => Some(id),
                Err(m) => {
                    c.bad(field, m);
                    None
                }
            },
        }
    }

    /// A `; `-separated list of assets; each bad item is reported on the cell.
    pub(crate) fn list(&self, c: &mut isms_domain::import::Cells<'_>, field: &str) -> Vec<Uuid> {
        let mut out = Vec::new();
        for item in isms_domain::import::split_list(c.get(field)) {
            match self.one(&item) {
                Ok(id) if !out.contains(&id) => out.push(id),
                Ok(_) => {}
                Err(m) => c.bad(field, m),
            }
        }
        out
    }
}

impl App {
    /// Import the data flows from CSV or XLSX (see `import_rows`); the assets they
    /// connect must be in the inventory already (import the assets first).
    pub(crate) async fn import_data_flows(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{Outcome, Sheet, new_text, patch_text};
        use isms_domain::import::RowAction;
        ctx.require(Permission::Write, "import data flows")?;
        let sheet = Sheet::read(bytes, DATA_FLOW_COLUMNS, progress)?;
        let current = self.data_flows_table(ctx).await?;
        let plan = sheet.plan("F", DATA_FLOW_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let assets = AssetIndex::load(&mut tx, ctx).await?;
        let ids: HashMap<i64, (Uuid, i64)> = self
            .all_data_flows(ctx, &FlowQuery::default())
            .await?
            .into_iter()
            .map(|f| (f.number, (f.id, f.version)))
            .collect();
        let mut out = Outcome::new("data-flows", &sheet, plan.len(), dry_run);
        progress.start("importing data flows", plan.len() as u64);
        for (mut c, action) in plan {
            progress.advance(1);
            if let RowAction::Unchanged(_) = action {
                out.unchanged();
                continue;
            }
            let reference = flow_reference(action.number());
            let from = assets.cell(&mut c, "from");
            let to = assets.cell(&mut c, "to");
            let encrypted = c.yes_no("encrypted", None);
            if out.cells(&mut c) {
                continue;
            }
            match action {
                RowAction::Create(n) => {
                    let (Some(from_asset_id), Some(to_asset_id)) = (from, to) else {
                        continue;
                    };
                    let input = NewDataFlow {
                        from_asset_id,
                        to_asset_id,
                        data_category: new_text(&c, "data_category"),
                        mechanism: new_text(&c, "mechanism"),
                        encrypted: encrypted.unwrap_or(false),
                        description: new_text(&c, "description"),
                    };
                    let r = self
                        .create_data_flow_in(&mut tx, actor, ctx, &input, Some(n))
                        .await;
                    out.row(c.line, action, reference, r)?;
                }
                RowAction::Update(n) => {
                    let Some((id, version)) = ids.get(&n).copied() else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    let patch = DataFlowPatch {
                        from_asset_id: from,
                        to_asset_id: to,
                        data_category: patch_text(&c, "data_category"),
                        mechanism: patch_text(&c, "mechanism"),
                        encrypted,
                        description: patch_text(&c, "description"),
                        version,
                    };
                    let r = self
                        .update_data_flow_in(&mut tx, actor, ctx, id, &patch)
                        .await;
                    out.row(c.line, action, reference, r)?;
                }
                RowAction::Unchanged(_) => out.unchanged(),
            }
        }
        out.finish(self, tx, actor, ctx, progress).await
    }
}
