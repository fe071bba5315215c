use super::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::Path;
use isms_app::catalogue::{self as cat, ClauseView, ControlQuery, ControlView, Mapping2013};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters over the Annex A controls; every given filter must match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ControlParams {
    /// `organizational`, `people`, `physical` or `technological`.
    pub theme: Option<String>,
    /// `preventive`, `detective` or `corrective`.
    pub control_type: Option<String>,
    /// `confidentiality`, `integrity` or `availability`.
    pub security_properties: Option<String>,
    /// `identify`, `protect`, `detect`, `respond` or `recover`.
    pub cybersecurity_concepts: Option<String>,
    /// e.g. `supplier_relationships_security`.
    pub operational_capabilities: Option<String>,
    /// `governance_and_ecosystem`, `protection`, `defence` or `resilience`.
    pub security_domains: Option<String>,
    /// Only the controls new in the 2022 edition (or only the others).
    pub new_in_2022: Option<bool>,
    /// An id, or words in the title or summary.
    pub q: Option<String>,
}

impl ControlParams {
    pub fn query(&self) -> ControlQuery {
        let attrs = [
            ("control_type", &self.control_type),
            ("security_properties", &self.security_properties),
            ("cybersecurity_concepts", &self.cybersecurity_concepts),
            ("operational_capabilities", &self.operational_capabilities),
            ("security_domains", &self.security_domains),
        ];
        ControlQuery {
            theme: self.theme.clone(),
            attributes: attrs
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| ((*k).to_owned(), v.clone())))
                .collect(),
            new_in_2022: self.new_in_2022,
            q: self.q.clone(),
        }
    }
}

/// The 93 Annex A controls of ISO/IEC 27001:2022 with their attributes, filtered.
#[utoipa::path(get, path = "/api/v1/catalogue/controls", tag = "catalogue", params(ControlParams),
    responses((status = 200, body = Vec<ControlView>), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_controls(
    ApiUser(_p): ApiUser,
    ApiQuery(q): ApiQuery<ControlParams>,
) -> ApiResult<Json<Vec<ControlView>>> {
    Ok(Json(cat::list_controls(&q.query())?))
}

/// One Annex A control (`5.15` or `A.5.15`).
#[utoipa::path(get, path = "/api/v1/catalogue/controls/{id}", tag = "catalogue", params(("id" = String, Path, description = "Control id, e.g. 5.15")),
    responses((status = 200, body = ControlView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_control(
    ApiUser(_p): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ControlView>> {
    Ok(Json(cat::get_control(&id)?))
}

/// Clauses 4–10 of ISO/IEC 27001:2022, main clauses and sub-clauses in order.
#[utoipa::path(get, path = "/api/v1/catalogue/clauses", tag = "catalogue",
    responses((status = 200, body = Vec<ClauseView>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_clauses(ApiUser(_p): ApiUser) -> ApiResult<Json<Vec<ClauseView>>> {
    Ok(Json(cat::list_clauses()))
}

/// One clause (e.g. `6.1.2`).
#[utoipa::path(get, path = "/api/v1/catalogue/clauses/{id}", tag = "catalogue", params(("id" = String, Path, description = "Clause id, e.g. 6.1.2")),
    responses((status = 200, body = ClauseView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_clause(
    ApiUser(_p): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ClauseView>> {
    Ok(Json(cat::get_clause(&id)?))
}

/// The 114 Annex A controls of ISO/IEC 27001:2013 and the 2022 controls they became.
#[utoipa::path(get, path = "/api/v1/catalogue/mapping-2013", tag = "catalogue",
    responses((status = 200, body = Vec<Mapping2013>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn mapping_2013(ApiUser(_p): ApiUser) -> ApiResult<Json<Vec<Mapping2013>>> {
    Ok(Json(cat::mapping_2013()))
}
