//! The ISMS foundation records (clauses 4–6): the scope statement and the policy as
//! versioned documents, and the registers of issues, interested parties, roles and
//! objectives. Each collection is written once as a macro over its content type, so the
//! scope and the policy (and the four registers) behave exactly alike.

use super::{ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::{Path, State};
use isms_app::foundation::FoundationOverview;
use serde::Deserialize;
use utoipa::IntoParams;

/// Page of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompareParams {
    /// The older version's id.
    pub from: uuid::Uuid,
    /// The newer version's id.
    pub to: uuid::Uuid,
}

/// Format of a document download.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// `pdf` (default) or `md`.
    pub format: Option<String>,
}

/// Filters and page of a register list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EntryParams {
    /// Issues: `internal`/`external`; parties: their kind; objectives: their status.
    pub kind: Option<String>,
    /// Objectives: `draft`, `approved`, `achieved`, `missed` or `withdrawn` (the same
    /// filter as `kind`).
    pub status: Option<String>,
    /// Roles: the holder; objectives: the owner.
    pub person_id: Option<uuid::Uuid>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub(crate) fn parse_format(format: Option<String>) -> ApiResult<isms_export::TableFormat> {
    let format = format.unwrap_or_else(|| "pdf".to_owned());
    isms_export::TableFormat::parse(&format).ok_or_else(|| {
        isms_app::AppError::from(isms_domain::ValidationError::single(
            "format",
            format!("\"{format}\" is not a document format; choose pdf or md"),
        ))
        .into()
    })
}

/// What is still missing for clauses 4–6, and the climate-change determination.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/isms-foundation", tag = "isms-foundation", params(("org" = String, Path, description = "The organisation's slug")),
    responses((status = 200, body = FoundationOverview), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn overview(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path(org): Path<String>,
) -> ApiResult<Json<FoundationOverview>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(st.app.foundation_overview(&ctx).await?))
}

macro_rules! doc_api {
    ($m:ident, $c:ty, $tag:literal, $what:literal,
     $list:literal, $one:literal, $approve:literal, $doc:literal, $compare:literal) => {
        pub mod $m {
            use super::*;
            use axum::http::StatusCode;
            use isms_app::foundation::{Approve, Comparison, DocVersion, DocVersionPatch, NewDocVersion};
            use isms_app::{Actor, Page};
            use crate::api::ApiJson;
            #[allow(unused_imports)]
            use isms_domain::foundation::scope::{PolicyContent, ScopeContent};

            /// Every version, newest first (keyset pages).
            #[utoipa::path(get, path = $list, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), PageParams),
                responses((status = 200, body = Page<DocVersion<$c>>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn list(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path(org): Path<String>,
                ApiQuery(q): ApiQuery<PageParams>,
            ) -> ApiResult<Json<Page<DocVersion<$c>>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(
                    st.app
                        .list_doc_versions::<$c>(&ctx, q.cursor.as_deref(), q.limit)
                        .await?,
                ))
            }

            /// Start a draft: a copy of the version in force (empty when none). One draft at
            /// a time (409 otherwise).
            #[utoipa::path(post, path = $list, tag = $tag, params(("org" = String, Path, description = "The organisation's slug")), request_body = NewDocVersion,
                responses((status = 201, body = DocVersion<$c>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn create(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path(org): Path<String>,
                ApiJson(input): ApiJson<NewDocVersion>,
            ) -> ApiResult<(StatusCode, Json<DocVersion<$c>>)> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok((
                    StatusCode::CREATED,
                    Json(st.app.create_doc_version::<$c>(Actor::User(&p), &ctx, &input).await?),
                ))
            }

            /// One version.
            #[utoipa::path(get, path = $one, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")),
                responses((status = 200, body = DocVersion<$c>), (status = 404, body = Problem, content_type = "application/problem+json")))]
            pub async fn get(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
            ) -> ApiResult<Json<DocVersion<$c>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(st.app.get_doc_version::<$c>(&ctx, path_id(&id, $what)?).await?))
            }

            /// Change a draft (`content` replaces the whole content). Approved and superseded
            /// versions are frozen: 409. Send the `version` you read.
            #[utoipa::path(patch, path = $one, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")), request_body = DocVersionPatch<$c>,
                responses((status = 200, body = DocVersion<$c>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn update(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
                ApiJson(patch): ApiJson<DocVersionPatch<$c>>,
            ) -> ApiResult<Json<DocVersion<$c>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(
                    st.app
                        .update_doc_version::<$c>(Actor::User(&p), &ctx, path_id(&id, $what)?, &patch)
                        .await?,
                ))
            }

            /// Delete a draft (approved and superseded versions stay as records).
            #[utoipa::path(delete, path = $one, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")),
                responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
            pub async fn delete(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
            ) -> ApiResult<StatusCode> {
                let ctx = st.app.org_access(&p, &org).await?;
                st.app
                    .delete_doc_version::<$c>(Actor::User(&p), &ctx, path_id(&id, $what)?)
                    .await?;
                Ok(StatusCode::NO_CONTENT)
            }

            /// Approve a draft (ISMS managers and administrators): records who and when; the
            /// version before it is superseded.
            #[utoipa::path(post, path = $approve, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id")), request_body = Approve,
                responses((status = 200, body = DocVersion<$c>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn approve(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
                ApiJson(input): ApiJson<Approve>,
            ) -> ApiResult<Json<DocVersion<$c>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(
                    st.app
                        .approve_doc_version::<$c>(Actor::User(&p), &ctx, path_id(&id, $what)?, &input)
                        .await?,
                ))
            }

            /// The document of one version as PDF or Markdown.
            #[utoipa::path(get, path = $doc, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The version's id"), DocumentParams),
                responses((status = 200, description = "The document", content((Vec<u8> = "application/pdf"), (String = "text/markdown"))), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn document(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
                ApiQuery(q): ApiQuery<DocumentParams>,
            ) -> ApiResult<axum::response::Response> {
                let ctx = st.app.org_access(&p, &org).await?;
                let id = path_id(&id, $what)?;
                let fmt = parse_format(q.format)?;
                Ok(crate::download(st.app.doc_file::<$c>(&ctx, id, fmt).await?))
            }

            /// What changed between two versions, field by field.
            #[utoipa::path(get, path = $compare, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), CompareParams),
                responses((status = 200, body = Comparison), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn compare(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path(org): Path<String>,
                ApiQuery(q): ApiQuery<CompareParams>,
            ) -> ApiResult<Json<Comparison>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(st.app.compare_doc_versions::<$c>(&ctx, q.from, q.to).await?))
            }
        }
    };
}

doc_api!(
    scope,
    ScopeContent,
    "scope",
    "scope version",
    "/api/v1/orgs/{org}/scope-versions",
    "/api/v1/orgs/{org}/scope-versions/{id}",
    "/api/v1/orgs/{org}/scope-versions/{id}/approve",
    "/api/v1/orgs/{org}/scope-versions/{id}/document",
    "/api/v1/orgs/{org}/scope-versions/compare"
);
doc_api!(
    policy,
    PolicyContent,
    "policy",
    "policy version",
    "/api/v1/orgs/{org}/policy-versions",
    "/api/v1/orgs/{org}/policy-versions/{id}",
    "/api/v1/orgs/{org}/policy-versions/{id}/approve",
    "/api/v1/orgs/{org}/policy-versions/{id}/document",
    "/api/v1/orgs/{org}/policy-versions/compare"
);

macro_rules! register_api {
    ($m:ident, $b:ty, $tag:literal, $what:literal, $list:literal, $one:literal) => {
        pub mod $m {
            use super::*;
            use crate::api::ApiJson;
            use axum::http::StatusCode;
            use isms_app::foundation::{Entry, EntryPatch, EntryQuery};
            use isms_app::{Actor, Page};
            #[allow(unused_imports)]
            use isms_domain::foundation::registers::{Issue, Objective, Party, Role};

            /// The register by number, with filters (keyset pages).
            #[utoipa::path(get, path = $list, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), EntryParams),
                responses((status = 200, body = Page<Entry<$b>>), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn list(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path(org): Path<String>,
                ApiQuery(q): ApiQuery<EntryParams>,
            ) -> ApiResult<Json<Page<Entry<$b>>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                let kind_field = match (&q.kind, &q.status) {
                    (None, Some(_)) => Some("status"),
                    _ => None,
                };
                let q = EntryQuery {
                    kind: q.kind.or(q.status),
                    kind_field,
                    person_id: q.person_id,
                    cursor: q.cursor,
                    limit: q.limit,
                };
                Ok(Json(st.app.list_entries::<$b>(&ctx, &q).await?))
            }

            /// Add an entry.
            #[utoipa::path(post, path = $list, tag = $tag, params(("org" = String, Path, description = "The organisation's slug")), request_body = $b,
                responses((status = 201, body = Entry<$b>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn create(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path(org): Path<String>,
                ApiJson(input): ApiJson<$b>,
            ) -> ApiResult<(StatusCode, Json<Entry<$b>>)> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok((
                    StatusCode::CREATED,
                    Json(st.app.create_entry::<$b>(Actor::User(&p), &ctx, &input).await?),
                ))
            }

            /// One entry.
            #[utoipa::path(get, path = $one, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The entry's id")),
                responses((status = 200, body = Entry<$b>), (status = 404, body = Problem, content_type = "application/problem+json")))]
            pub async fn get(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
            ) -> ApiResult<Json<Entry<$b>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(st.app.get_entry::<$b>(&ctx, path_id(&id, $what)?).await?))
            }

            /// Replace an entry's fields (send them all, with the `version` you read).
            #[utoipa::path(patch, path = $one, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The entry's id")), request_body = EntryPatch<$b>,
                responses((status = 200, body = Entry<$b>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
            pub async fn update(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
                ApiJson(patch): ApiJson<EntryPatch<$b>>,
            ) -> ApiResult<Json<Entry<$b>>> {
                let ctx = st.app.org_access(&p, &org).await?;
                Ok(Json(
                    st.app
                        .update_entry::<$b>(Actor::User(&p), &ctx, path_id(&id, $what)?, &patch)
                        .await?,
                ))
            }

            /// Remove an entry.
            #[utoipa::path(delete, path = $one, tag = $tag, params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The entry's id")),
                responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
            pub async fn delete(
                State(st): State<AppState>,
                ApiUser(p): ApiUser,
                Path((org, id)): Path<(String, String)>,
            ) -> ApiResult<StatusCode> {
                let ctx = st.app.org_access(&p, &org).await?;
                st.app
                    .delete_entry::<$b>(Actor::User(&p), &ctx, path_id(&id, $what)?)
                    .await?;
                Ok(StatusCode::NO_CONTENT)
            }
        }
    };
}

register_api!(
    issues,
    Issue,
    "issues",
    "issue",
    "/api/v1/orgs/{org}/issues",
    "/api/v1/orgs/{org}/issues/{id}"
);
register_api!(
    parties,
    Party,
    "interested-parties",
    "interested party",
    "/api/v1/orgs/{org}/interested-parties",
    "/api/v1/orgs/{org}/interested-parties/{id}"
);
register_api!(
    roles,
    Role,
    "roles",
    "role",
    "/api/v1/orgs/{org}/roles",
    "/api/v1/orgs/{org}/roles/{id}"
);
register_api!(
    objectives,
    Objective,
    "objectives",
    "objective",
    "/api/v1/orgs/{org}/objectives",
    "/api/v1/orgs/{org}/objectives/{id}"
);

/// Approve an objective (ISMS managers and administrators): records who and when. It needs
/// an owner, a target, a metric and a due date.
#[utoipa::path(post, path = "/api/v1/orgs/{org}/objectives/{id}/approve", tag = "objectives", params(("org" = String, Path, description = "The organisation's slug"), ("id" = String, Path, description = "The objective's id")), request_body = isms_app::foundation::Approve,
    responses((status = 200, body = isms_app::foundation::Entry<isms_domain::foundation::registers::Objective>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn approve_objective(
    State(st): State<AppState>,
    ApiUser(p): ApiUser,
    Path((org, id)): Path<(String, String)>,
    super::ApiJson(input): super::ApiJson<isms_app::foundation::Approve>,
) -> ApiResult<Json<isms_app::foundation::Entry<isms_domain::foundation::registers::Objective>>> {
    let ctx = st.app.org_access(&p, &org).await?;
    Ok(Json(
        st.app
            .approve_objective(
                isms_app::Actor::User(&p),
                &ctx,
                path_id(&id, "objective")?,
                &input,
            )
            .await?,
    ))
}
