//! The asset inventory pages: the list with filters, keyset pages, a bulk edit and exports;
//! an asset's page with its edit form, data flows in and out (with an add-flow form), the
//! data-flow diagram and the risks that concern it; the data-flow page with the diagram of
//! the whole scope. Readers see everything without forms.

use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use isms_app::assets::{
    Asset, AssetPatch, AssetQuery, AssetRisk, BulkEdit, DataFlow, FlowQuery, NewAsset, NewDataFlow,
};
use isms_app::members::Member;
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError};
use isms_domain::ValidationError;
use isms_domain::asset::{AssetType, Rating, TransferMechanism};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

#[allow(clippy::result_large_err)]
fn parse_id(id: &str, what: &'static str) -> Result<Uuid, Response> {
    Uuid::parse_str(id).map_err(|_| error_page(&AppError::NotFound(what)))
}

async fn members(st: &AppState, ctx: &OrgCtx) -> Vec<Member> {
    st.app
        .list_members(ctx, None, None, Some(500))
        .await
        .map(|p| p.items.into_iter().filter(|m| m.active).collect())
        .unwrap_or_default()
}

fn types() -> Vec<(&'static str, &'static str)> {
    AssetType::ALL
        .into_iter()
        .map(|t| (t.as_str(), t.label()))
        .collect()
}

fn mechanisms() -> Vec<(&'static str, &'static str)> {
    TransferMechanism::ALL
        .into_iter()
        .map(|m| (m.as_str(), m.label()))
        .collect()
}

fn ratings() -> Vec<(u8, &'static str)> {
    Rating::all().map(|r| (r.value(), r.label())).collect()
}

fn uuid_field(v: &mut ValidationError, field: &str, s: &str) -> Option<Uuid> {
    match s.trim() {
        "" => None,
        t => Uuid::parse_str(t).ok().or_else(|| {
            v.push(field, "is not a member of this organisation");
            None
        }),
    }
}

fn rating_field(v: &mut ValidationError, field: &str, s: &str) -> i64 {
    s.trim().parse().unwrap_or_else(|_| {
        v.push(field, "choose a rating from 1 to 4");
        0
    })
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    #[serde(default, rename = "type")]
    pub asset_type: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub min_rating: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "assets.html")]
pub struct ListPage {
    pub l: Layout,
    pub assets: Vec<Asset>,
    pub next_cursor: Option<String>,
    pub f: ListForm,
    pub members: Vec<Member>,
    pub types: Vec<(&'static str, &'static str)>,
    pub ratings: Vec<(u8, &'static str)>,
    pub tags: Vec<(String, i64)>,
    pub can_write: bool,
    pub query: String,
}

impl ListPage {
    pub fn sel_rating(&self, n: &u8) -> bool {
        self.f.min_rating == n.to_string()
    }
}

pub async fn list_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<ListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    list_with(&st, &u, &ctx, f, flash, None).await
}

async fn list_with(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    f: ListForm,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let mut l = Layout::new(st, u, "Assets", Some(ctx), "assets", flash).await;
    let mut v = ValidationError::new();
    let owner = uuid_field(&mut v, "owner", &f.owner);
    let min_rating = match f.min_rating.trim() {
        "" => None,
        s => s.parse().ok().or_else(|| {
            v.push("min_rating", "choose a rating from 1 to 4");
            None
        }),
    };
    let q = AssetQuery {
        asset_type: Some(f.asset_type.clone()).filter(|s| !s.is_empty()),
        owner_id: owner,
        in_scope: match f.scope.as_str() {
            "in" => Some(true),
            "out" => Some(false),
            _ => None,
        },
        min_rating,
        tag: Some(f.tag.clone()).filter(|s| !s.is_empty()),
        q: Some(f.q.clone()).filter(|s| !s.trim().is_empty()),
        cursor: Some(f.cursor.clone()).filter(|s| !s.is_empty()),
        limit: Some(100),
        ..Default::default()
    };
    let mut code = StatusCode::OK;
    let page = match v.into_result() {
        Ok(()) => st.app.list_assets(ctx, &q).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    let (assets, next_cursor) = match page {
        Ok(p) => (p.items, p.next_cursor),
        Err(e @ AppError::Validation(_)) => {
            l = l.with_errors(&e);
            code = StatusCode::UNPROCESSABLE_ENTITY;
            (Vec::new(), None)
        }
        Err(e) => return error_page(&e),
    };
    if let Some(e) = err {
        l = l.with_errors(e);
        code = match e {
            AppError::Conflict(_) => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
    }
    let query = serde_urlencoded::to_string([
        ("type", f.asset_type.as_str()),
        ("owner", f.owner.as_str()),
        ("scope", f.scope.as_str()),
        ("min_rating", f.min_rating.as_str()),
        ("tag", f.tag.as_str()),
        ("q", f.q.as_str()),
    ])
    .unwrap_or_default();
    render(
        code,
        &ListPage {
            l,
            assets,
            next_cursor,
            f,
            members: members(st, ctx).await,
            types: types(),
            ratings: ratings(),
            tags: st.app.asset_tags(ctx).await.unwrap_or_default(),
            can_write: ctx.can(Permission::Write),
            query,
        },
    )
}

/// The fields of the asset form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct AssetForm {
    #[serde(default)]
    pub asset_type: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub custodian_id: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub confidentiality: String,
    #[serde(default)]
    pub integrity: String,
    #[serde(default)]
    pub availability: String,
    #[serde(default)]
    pub in_scope: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub version: String,
}

impl AssetForm {
    fn from_asset(a: &Asset) -> Self {
        Self {
            asset_type: a.asset_type.clone(),
            name: a.name.clone(),
            description: a.description.clone(),
            owner_id: a.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            custodian_id: a.custodian_id.map(|u| u.to_string()).unwrap_or_default(),
            location: a.location.clone(),
            confidentiality: a.confidentiality.to_string(),
            integrity: a.integrity.to_string(),
            availability: a.availability.to_string(),
            in_scope: if a.in_scope { "yes" } else { "" }.to_owned(),
            tags: a.tags.join(", "),
            version: a.version.to_string(),
        }
    }
}

/// The add-flow form on an asset's page.
#[derive(Deserialize, Default, Clone)]
pub struct FlowForm {
    /// `out` (from this asset) or `in` (to this asset).
    #[serde(default)]
    pub direction: String,
    /// The other asset, as a reference (A-0007).
    #[serde(default)]
    pub other: String,
    #[serde(default)]
    pub data_category: String,
    #[serde(default)]
    pub mechanism: String,
    #[serde(default)]
    pub encrypted: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Template)]
#[template(path = "asset.html")]
pub struct AssetPage {
    pub l: Layout,
    pub asset: Option<Asset>,
    pub f: AssetForm,
    pub members: Vec<Member>,
    pub types: Vec<(&'static str, &'static str)>,
    pub ratings: Vec<(u8, &'static str)>,
    pub mechanisms: Vec<(&'static str, &'static str)>,
    pub flows_out: Vec<DataFlow>,
    pub flows_in: Vec<DataFlow>,
    pub risks: Vec<AssetRisk>,
    pub diagram: String,
    pub flow: FlowForm,
    pub can_write: bool,
}

impl AssetPage {
    /// Whether the select option `n` is the form's value.
    pub fn sel(&self, value: &str, n: &u8) -> bool {
        value == n.to_string()
    }
}

#[allow(clippy::too_many_arguments)]
async fn asset_page_with(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    asset: Option<Asset>,
    f: AssetForm,
    flow: FlowForm,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let title = asset.as_ref().map_or("New asset".to_owned(), |a| {
        format!("{} {}", a.reference, a.name)
    });
    let mut l = Layout::new(st, u, &title, Some(ctx), "assets", flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    let (mut flows_out, mut flows_in, mut risks, mut diagram) =
        (Vec::new(), Vec::new(), Vec::new(), String::new());
    if let Some(a) = &asset {
        let q = FlowQuery {
            asset_id: Some(a.id),
            ..Default::default()
        };
        match st.app.all_data_flows(ctx, &q).await {
            Ok(all) => {
                (flows_out, flows_in) = all.into_iter().partition(|f| f.from_asset_id == a.id);
            }
            Err(e) => return error_page(&e),
        }
        risks = match st.app.risks_for_asset(ctx, a.id).await {
            Ok(r) => r,
            Err(e) => return error_page(&e),
        };
        diagram = match st.app.data_flow_diagram(ctx, Some(a.id)).await {
            Ok(d) => d,
            Err(e) => return error_page(&e),
        };
    }
    let code = match err {
        Some(AppError::Conflict(_)) => StatusCode::CONFLICT,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    render(
        code,
        &AssetPage {
            l,
            asset,
            f,
            members: members(st, ctx).await,
            types: types(),
            ratings: ratings(),
            mechanisms: mechanisms(),
            flows_out,
            flows_in,
            risks,
            diagram,
            flow,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn new_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    if let Err(e) = ctx.require(Permission::Write, "add assets") {
        return error_page(&e);
    }
    let f = AssetForm {
        owner_id: u.p.user_id.to_string(),
        asset_type: "information".into(),
        confidentiality: "2".into(),
        integrity: "2".into(),
        availability: "2".into(),
        in_scope: "yes".into(),
        ..Default::default()
    };
    asset_page_with(&st, &u, &ctx, None, f, FlowForm::default(), flash, None).await
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(f): WebForm<AssetForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let mut v = ValidationError::new();
    let input = NewAsset {
        asset_type: f.asset_type.clone(),
        name: f.name.clone(),
        description: f.description.clone(),
        owner_id: uuid_field(&mut v, "owner_id", &f.owner_id),
        custodian_id: uuid_field(&mut v, "custodian_id", &f.custodian_id),
        location: f.location.clone(),
        confidentiality: rating_field(&mut v, "confidentiality", &f.confidentiality),
        integrity: rating_field(&mut v, "integrity", &f.integrity),
        availability: rating_field(&mut v, "availability", &f.availability),
        in_scope: f.in_scope == "yes",
        tags: split_tags(&f.tags),
    };
    let result = match v.into_result() {
        Ok(()) => st.app.create_asset(Actor::User(&u.p), &ctx, &input).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/assets/{}", a.id),
            &format!(
                "{} added, classified {}.",
                a.reference, a.classification_label
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            asset_page_with(
                &st,
                &u,
                &ctx,
                None,
                f,
                FlowForm::default(),
                Flash::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn asset_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id, "asset") {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.get_asset(&ctx, aid).await {
        Ok(a) => {
            let f = AssetForm::from_asset(&a);
            let flow = FlowForm {
                direction: "out".into(),
                encrypted: "yes".into(),
                ..Default::default()
            };
            asset_page_with(&st, &u, &ctx, Some(a), f, flow, flash, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<AssetForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id, "asset") {
        Ok(i) => i,
        Err(r) => return r,
    };
    let before = match st.app.get_asset(&ctx, aid).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let mut v = ValidationError::new();
    let patch = AssetPatch {
        asset_type: Some(f.asset_type.clone()),
        name: Some(f.name.clone()),
        description: Some(f.description.clone()),
        owner_id: uuid_field(&mut v, "owner_id", &f.owner_id),
        custodian_id: Some(uuid_field(&mut v, "custodian_id", &f.custodian_id)),
        location: Some(f.location.clone()),
        confidentiality: Some(rating_field(&mut v, "confidentiality", &f.confidentiality)),
        integrity: Some(rating_field(&mut v, "integrity", &f.integrity)),
        availability: Some(rating_field(&mut v, "availability", &f.availability)),
        in_scope: Some(f.in_scope == "yes"),
        tags: Some(split_tags(&f.tags)),
        version: f.version.parse().unwrap_or(-1),
    };
    if f.owner_id.trim().is_empty() {
        v.push("owner_id", "every asset needs an owner: choose a member");
    }
    let result = match v.into_result() {
        Ok(()) => {
            st.app
                .update_asset(Actor::User(&u.p), &ctx, aid, &patch)
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    match result {
        Ok(a) => flash_redirect(
            &format!("/o/{org}/assets/{id}"),
            &format!("{} saved.", a.reference),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            asset_page_with(
                &st,
                &u,
                &ctx,
                Some(before),
                f,
                FlowForm::default(),
                Flash::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct Empty {}

pub async fn delete(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id, "asset") {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.delete_asset(Actor::User(&u.p), &ctx, aid).await {
        Ok(()) => flash_redirect(&format!("/o/{org}/assets"), "Asset removed."),
        Err(e @ AppError::Conflict(_)) => match st.app.get_asset(&ctx, aid).await {
            Ok(a) => {
                let f = AssetForm::from_asset(&a);
                asset_page_with(
                    &st,
                    &u,
                    &ctx,
                    Some(a),
                    f,
                    FlowForm::default(),
                    Flash::default(),
                    Some(&e),
                )
                .await
            }
            Err(e) => error_page(&e),
        },
        Err(e) => error_page(&e),
    }
}

/// Add a data flow from or to this asset.
pub async fn add_flow(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(fl): WebForm<FlowForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id, "asset") {
        Ok(i) => i,
        Err(r) => return r,
    };
    let asset = match st.app.get_asset(&ctx, aid).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let result = async {
        ctx.require(Permission::Write, "add data flows")?;
        let other = st
            .app
            .resolve_asset_refs(&ctx, "other", &fl.other)
            .await?
            .first()
            .copied()
            .ok_or_else(|| ValidationError::single("other", "give the other asset, e.g. A-0007"))?;
        let (from, to) = if fl.direction == "in" {
            (other, aid)
        } else {
            (aid, other)
        };
        st.app
            .create_data_flow(
                Actor::User(&u.p),
                &ctx,
                &NewDataFlow {
                    from_asset_id: from,
                    to_asset_id: to,
                    data_category: fl.data_category.clone(),
                    mechanism: fl.mechanism.clone(),
                    encrypted: fl.encrypted == "yes",
                    description: fl.description.clone(),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(f) => flash_redirect(
            &format!("/o/{org}/assets/{id}#flows"),
            &format!(
                "Data flow {} added: {} → {}.",
                f.reference, f.from_name, f.to_name
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            let f = AssetForm::from_asset(&asset);
            asset_page_with(
                &st,
                &u,
                &ctx,
                Some(asset),
                f,
                fl,
                Flash::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

/// Bulk edit from the list: the ticked assets get the chosen changes, all or nothing.
pub async fn bulk(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut v = ValidationError::new();
    let ids: Vec<Uuid> = pairs
        .iter()
        .filter(|(n, _)| n == "ids")
        .filter_map(|(_, s)| {
            Uuid::parse_str(s).ok().or_else(|| {
                v.push("ids", "is not an asset of this organisation");
                None
            })
        })
        .collect();
    let input = BulkEdit {
        ids,
        owner_id: get("owner_id").and_then(|s| uuid_field(&mut v, "owner_id", &s)),
        custodian_id: match get("custodian_id").as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(s) => Some(uuid_field(&mut v, "custodian_id", s)),
        },
        in_scope: match get("in_scope").as_deref() {
            Some("in") => Some(true),
            Some("out") => Some(false),
            _ => None,
        },
        location: get("location"),
        asset_type: get("asset_type"),
        add_tags: get("add_tags").map(|s| split_tags(&s)).unwrap_or_default(),
        remove_tags: get("remove_tags")
            .map(|s| split_tags(&s))
            .unwrap_or_default(),
    };
    let result = match v.into_result() {
        Ok(()) => {
            st.app
                .bulk_edit_assets(Actor::User(&u.p), &ctx, &input)
                .await
        }
        Err(e) => Err(AppError::Validation(e)),
    };
    let back = get("back").unwrap_or_default();
    match result {
        Ok(r) => flash_redirect(
            &format!("/o/{org}/assets?{}", back.trim_start_matches('?')),
            &format!(
                "{} asset{} changed.",
                r.updated,
                if r.updated == 1 { "" } else { "s" }
            ),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let f: ListForm = serde_urlencoded::from_str(&back).unwrap_or_default();
            list_with(&st, &u, &ctx, f, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct FlowListForm {
    #[serde(default)]
    pub cursor: String,
}

#[derive(Template)]
#[template(path = "data_flows.html")]
pub struct FlowsPage {
    pub l: Layout,
    pub flows: Vec<DataFlow>,
    pub next_cursor: Option<String>,
    pub diagram: String,
    pub can_write: bool,
}

pub async fn flows_page(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
    Query(f): Query<FlowListForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let l = Layout::new(&st, &u, "Data flows", Some(&ctx), "data-flows", flash).await;
    let q = FlowQuery {
        cursor: Some(f.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(100),
        ..Default::default()
    };
    let page = match st.app.list_data_flows(&ctx, &q).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let diagram = match st.app.data_flow_diagram(&ctx, None).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    render(
        StatusCode::OK,
        &FlowsPage {
            l,
            flows: page.items,
            next_cursor: page.next_cursor,
            diagram,
            can_write: ctx.can(Permission::Write),
        },
    )
}

/// Remove a data flow (from the data-flow page or an asset's page).
pub async fn delete_flow(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let fid = match parse_id(&id, "data flow") {
        Ok(i) => i,
        Err(r) => return r,
    };
    let back = pairs
        .iter()
        .find(|(k, _)| k == "back")
        .and_then(|(_, v)| Uuid::parse_str(v).ok())
        .map_or_else(
            || format!("/o/{org}/data-flows"),
            |a| format!("/o/{org}/assets/{a}#flows"),
        );
    match st.app.delete_data_flow(Actor::User(&u.p), &ctx, fid).await {
        Ok(()) => flash_redirect(&back, "Data flow removed."),
        Err(e) => error_page(&e),
    }
}

fn svg_file(svg: String, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "image/svg+xml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        svg,
    )
        .into_response()
}

/// The whole-scope diagram as a file.
pub async fn scope_diagram_svg(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    match st.app.data_flow_diagram(&ctx, None).await {
        Ok(svg) => svg_file(svg, &format!("{org}-data-flows.svg")),
        Err(e) => error_page(&e),
    }
}

/// One asset's diagram as a file.
pub async fn asset_diagram_svg(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let aid = match parse_id(&id, "asset") {
        Ok(i) => i,
        Err(r) => return r,
    };
    match st.app.data_flow_diagram(&ctx, Some(aid)).await {
        Ok(svg) => svg_file(svg, &format!("{org}-asset-data-flows.svg")),
        Err(e) => error_page(&e),
    }
}

/// Download the inventory or the data flows (`?format=csv|xlsx|md|pdf`).
pub async fn export(st: &AppState, u: &WebUser, org: &str, kind: &str, format: &str) -> Response {
    let ctx = org_or_page!(st, u, org);
    let format = if format.is_empty() { "csv" } else { format };
    match st.app.export(&ctx, kind, format, None).await {
        Ok(f) => crate::download(f),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize, Default)]
pub struct ExportForm {
    #[serde(default)]
    pub format: String,
}

pub async fn export_assets(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportForm>,
) -> Response {
    export(&st, &u, &org, "assets", &q.format).await
}

pub async fn export_flows(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    Query(q): Query<ExportForm>,
) -> Response {
    export(&st, &u, &org, "data-flows", &q.format).await
}
