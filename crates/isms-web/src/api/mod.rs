//! REST API `/api/v1`: JSON in and out, documented by the OpenAPI document that utoipa
//! builds from these handlers.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod certification;
pub mod competence;
pub mod controls;
pub mod dashboard;
pub mod documents;
pub mod evidence;
pub mod findings;
pub mod foundation;
pub mod frameworks;
pub mod gap;
pub mod imports;
pub mod incidents;
pub mod internal_audits;
pub mod measurements;
pub mod members;
pub mod orgs;
pub mod oscal;
pub mod own_controls;
pub mod readiness;
pub mod reviews;
pub mod risk_library;
pub mod risk_methods;
pub mod risks;
pub mod soa;
pub mod suppliers;
pub mod tasks;
pub mod tokens;
pub mod users;

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A JSON body: malformed JSON is 400, a well-formed body with a wrong or unknown field
/// is 422 naming the field, an oversized body 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !(ct.starts_with("application/json") || ct.contains("+json")) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = bytes::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    e.status(),
                    "too-large",
                    "the request body is larger than the 1 MiB this endpoint accepts",
                )
            } else {
                ApiError::bad_request(format!("the request body could not be read: {e}"))
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    Err(ApiError::bad_request(format!("malformed JSON: {inner}")))
                } else {
                    let msg = inner.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                    let field = if path == "." || path.is_empty() {
                        // A missing or unknown field: name it from the message.
                        msg.split('`').nth(1).unwrap_or("body").to_owned()
                    } else {
                        path
                    };
                    Err(ApiError::invalid_field(field, msg))
                }
            }
        }
    }
}

/// Query parameters: a bad one is 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let msg = e.into_inner().to_string();
                let field = if path == "." {
                    msg.split('`').nth(1).unwrap_or("query").to_owned()
                } else {
                    path
                };
                ApiError::invalid_field(field, msg)
            })
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// Parse an id from the path; anything that is not an id is simply not found.
pub fn path_id(s: &str, what: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(|_| ApiError::not_found(what))
}

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (isms_…) or a session token from POST /api/v1/auth/login",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "isms_session",
                "The web session; state-changing requests must also send X-CSRF-Token",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ISMS Workbench API", description = "REST API of ISMS Workbench, an ISO/IEC 27001:2022 certification workbench. Errors are RFC 9457 problem+json documents.", license(name = "Apache-2.0")),
    modifiers(&SecurityAddon),
    security(("bearer" = []), ("session_cookie" = [])),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "organisations", description = "Organisations and their settings"),
        (name = "dashboard", description = "The dashboard's figures per organisation, and the overview of every organisation you can open"),
        (name = "members", description = "Who belongs to an organisation, with which role"),
        (name = "users", description = "Accounts (instance administrators)"),
        (name = "me", description = "Your own sessions and API tokens"),
        (name = "audit-trail", description = "The hash-chained record of every change"),
        (name = "catalogue", description = "ISO/IEC 27001:2022 clauses and Annex A controls (reference data)"),
        (name = "gap-assessments", description = "Gap assessments over every clause requirement and control"),
        (name = "assets", description = "The asset inventory, bulk edits, data flows between assets and the data-flow diagram"),
        (name = "risks", description = "The risk register: ratings, treatment, linked controls, acceptance, heat maps"),
        (name = "risk-methods", description = "The risk assessment method (6.1.2): versions, approval, the methodology document"),
        (name = "controls", description = "Controls as implemented: owner, status, how, due date, monitoring and checks, clauses, linked risks"),
        (name = "tasks", description = "The remediation roadmap"),
        (name = "isms-foundation", description = "What is still missing for clauses 4-6"),
        (name = "scope", description = "The ISMS scope statement (4.3): versions, approval, comparison, the scope document"),
        (name = "policy", description = "The information security policy statement (5.2): versions, approval, comparison, the policy document"),
        (name = "issues", description = "Internal and external issues (4.1), including the climate-change determination"),
        (name = "interested-parties", description = "Interested parties and their requirements (4.2)"),
        (name = "roles", description = "ISMS roles, responsibilities and authorities (5.3)"),
        (name = "objectives", description = "Information security objectives with targets and metrics (6.2)"),
        (name = "documents", description = "The document register (7.5): versions, submit/approve/reject, links to clauses and controls, templates, diffs, exports"),
        (name = "evidence", description = "The evidence register: files (stored by SHA-256, verified on download) and links, what they support, controls without current evidence"),
        (name = "readiness", description = "The readiness engine: the stage1, stage2 and surveillance rule sets, each rule's result with its reason, fix and links"),
        (name = "certification", description = "The certification lifecycle: certification bodies, their audits, certificates and status, the cycle and its rule checks, the auditor-days estimate"),
        (name = "internal-audit", description = "Internal audit (9.2): audit areas, the programme over the certification cycle with its coverage matrix, audits with an independence check, checklists with our own questions, reports"),
        (name = "findings", description = "Findings from audits, incidents, reviews, monitoring and complaints: grade, clause or control, evidence, closure"),
        (name = "corrective-actions", description = "Corrective actions (10.2): correction, root cause, action, owner, due date, verification of effectiveness, closure"),
        (name = "management-reviews", description = "Management reviews (9.3): inputs compiled and frozen when created, discussion, decisions, actions into tasks and corrective actions, approval, minutes"),
        (name = "incidents", description = "The incident register: dates, severity, status, response, root cause, lessons learned, affected assets, linked risks and controls"),
        (name = "suppliers", description = "The supplier register (5.19-5.23): criticality, data shared, security requirements in the contract, assessment history, next assessment due, flags"),
        (name = "competence", description = "Competence and awareness (7.2, 7.3): people, the competences each job role requires, training records with expiry, awareness campaigns and their participation"),
        (name = "measurements", description = "Monitoring and measurement (9.1): objectives' metrics and control checks over time, trends, overdue measurements"),
        (name = "soa", description = "The Statement of Applicability (6.1.3 d): versions, decisions per Annex A control with derived reasons, approval, comparison, exports, import"),
        (name = "oscal", description = "NIST OSCAL 1.1.2 JSON exports: system security plan, assessment results (internal audits), plan of action and milestones (open corrective actions), the Annex A catalog"),
        (name = "frameworks", description = "Frameworks besides ISO 27001: OSCAL catalogs and CISO Assistant libraries imported, their requirements, mappings to ISO 27001:2022, links from the organisation's controls, coverage"),
        (name = "imports", description = "Register imports from CSV or XLSX: all or nothing, dry run, one audit-trail entry per import"),
    )
)]
struct ApiDoc;

/// Every API route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(orgs::list_orgs, orgs::create_org))
        .routes(routes!(orgs::get_org, orgs::update_org))
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(dashboard::overview))
        .routes(routes!(members::list_members, members::add_member))
        .routes(routes!(
            members::get_member,
            members::update_member,
            members::remove_member
        ))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::change_password))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(tokens::list_sessions))
        .routes(routes!(tokens::revoke_session))
        .routes(routes!(audit::list_org_audit))
        .routes(routes!(audit::verify_org_audit))
        .routes(routes!(audit::list_instance_audit))
        .routes(routes!(catalogue::list_controls))
        .routes(routes!(catalogue::get_control))
        .routes(routes!(catalogue::list_clauses))
        .routes(routes!(catalogue::get_clause))
        .routes(routes!(catalogue::mapping_2013))
        .routes(routes!(gap::list, gap::create))
        .routes(routes!(gap::get, gap::update, gap::delete))
        .routes(routes!(gap::items))
        .routes(routes!(gap::answer))
        .routes(routes!(gap::results))
        .routes(routes!(gap::report))
        .routes(routes!(gap::compare))
        .routes(routes!(gap::timeline))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
        .routes(routes!(tasks::generate))
        .routes(routes!(risk_methods::list, risk_methods::create))
        .routes(routes!(
            risk_methods::get,
            risk_methods::update,
            risk_methods::delete
        ))
        .routes(routes!(risk_methods::approve))
        .routes(routes!(risk_methods::document))
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::get, assets::update, assets::delete))
        .routes(routes!(assets::bulk))
        .routes(routes!(assets::list_flows, assets::create_flow))
        .routes(routes!(
            assets::get_flow,
            assets::update_flow,
            assets::delete_flow
        ))
        .routes(routes!(assets::diagram))
        .routes(routes!(risks::list, risks::create))
        .routes(routes!(risks::get, risks::update, risks::delete))
        .routes(routes!(risks::accept))
        .routes(routes!(risks::heatmap))
        .routes(routes!(risks::threats))
        .routes(routes!(risks::vulnerabilities))
        .routes(routes!(risk_library::list, risk_library::create))
        .routes(routes!(
            risk_library::get,
            risk_library::update,
            risk_library::delete
        ))
        .routes(routes!(risk_library::reset))
        .routes(routes!(
            certification::list_bodies,
            certification::create_body
        ))
        .routes(routes!(
            certification::get_body,
            certification::update_body,
            certification::delete_body
        ))
        .routes(routes!(
            certification::list_audits,
            certification::create_audit
        ))
        .routes(routes!(
            certification::get_audit,
            certification::update_audit,
            certification::delete_audit
        ))
        .routes(routes!(
            certification::list_certificates,
            certification::create_certificate
        ))
        .routes(routes!(
            certification::get_certificate,
            certification::update_certificate,
            certification::delete_certificate
        ))
        .routes(routes!(certification::certificate_status))
        .routes(routes!(certification::cycle))
        .routes(routes!(readiness::report))
        .routes(routes!(readiness::get_settings, readiness::update_settings))
        .routes(routes!(certification::audit_time))
        .routes(routes!(certification::calendar))
        .routes(routes!(certification::stage1_pack))
        .routes(routes!(oscal::document))
        .routes(routes!(oscal::zip))
        .routes(routes!(orgs::export_yaml))
        .routes(routes!(own_controls::list, own_controls::create))
        .routes(routes!(
            own_controls::get,
            own_controls::update,
            own_controls::delete
        ))
        .routes(routes!(controls::list))
        .routes(routes!(controls::export))
        .routes(routes!(controls::get, controls::update))
        .routes(routes!(foundation::overview))
        .routes(routes!(foundation::scope::list, foundation::scope::create))
        .routes(routes!(
            foundation::scope::get,
            foundation::scope::update,
            foundation::scope::delete
        ))
        .routes(routes!(foundation::scope::approve))
        .routes(routes!(foundation::scope::document))
        .routes(routes!(foundation::scope::compare))
        .routes(routes!(
            foundation::policy::list,
            foundation::policy::create
        ))
        .routes(routes!(
            foundation::policy::get,
            foundation::policy::update,
            foundation::policy::delete
        ))
        .routes(routes!(foundation::policy::approve))
        .routes(routes!(foundation::policy::document))
        .routes(routes!(foundation::policy::compare))
        .routes(routes!(
            foundation::issues::list,
            foundation::issues::create
        ))
        .routes(routes!(
            foundation::issues::get,
            foundation::issues::update,
            foundation::issues::delete
        ))
        .routes(routes!(
            foundation::parties::list,
            foundation::parties::create
        ))
        .routes(routes!(
            foundation::parties::get,
            foundation::parties::update,
            foundation::parties::delete
        ))
        .routes(routes!(foundation::roles::list, foundation::roles::create))
        .routes(routes!(
            foundation::roles::get,
            foundation::roles::update,
            foundation::roles::delete
        ))
        .routes(routes!(
            foundation::objectives::list,
            foundation::objectives::create
        ))
        .routes(routes!(
            foundation::objectives::get,
            foundation::objectives::update,
            foundation::objectives::delete
        ))
        .routes(routes!(foundation::approve_objective))
        .routes(routes!(documents::list, documents::create))
        .routes(routes!(documents::templates))
        .routes(routes!(documents::export))
        .routes(routes!(
            documents::get,
            documents::update,
            documents::delete
        ))
        .routes(routes!(documents::links))
        .routes(routes!(documents::retire))
        .routes(routes!(documents::diff))
        .routes(routes!(documents::versions, documents::new_version))
        .routes(routes!(documents::version, documents::update_version))
        .routes(routes!(documents::submit))
        .routes(routes!(documents::approve))
        .routes(routes!(documents::reject))
        .routes(routes!(documents::download))
        .routes(routes!(documents::file, documents::attach))
        .routes(routes!(evidence::list, evidence::create))
        .routes(routes!(evidence::coverage))
        .routes(routes!(evidence::get, evidence::update, evidence::delete))
        .routes(routes!(evidence::file))
        .routes(routes!(evidence::add_link))
        .routes(routes!(evidence::remove_link))
        .routes(routes!(
            internal_audits::list_areas,
            internal_audits::create_area
        ))
        .routes(routes!(
            internal_audits::get_area,
            internal_audits::update_area,
            internal_audits::delete_area
        ))
        .routes(routes!(
            internal_audits::get_programme,
            internal_audits::update_programme
        ))
        .routes(routes!(internal_audits::add_entry))
        .routes(routes!(internal_audits::remove_entry))
        .routes(routes!(internal_audits::plan_the_rest))
        .routes(routes!(internal_audits::list, internal_audits::create))
        .routes(routes!(
            internal_audits::get,
            internal_audits::update,
            internal_audits::delete
        ))
        .routes(routes!(
            internal_audits::checklist,
            internal_audits::generate_checklist
        ))
        .routes(routes!(internal_audits::answer))
        .routes(routes!(internal_audits::report))
        .routes(routes!(findings::list, findings::create))
        .routes(routes!(findings::counts))
        .routes(routes!(findings::get, findings::update, findings::delete))
        .routes(routes!(findings::list_actions, findings::create_action))
        .routes(routes!(
            findings::get_action,
            findings::update_action,
            findings::delete_action
        ))
        .routes(routes!(findings::verify))
        .routes(routes!(reviews::list, reviews::create))
        .routes(routes!(reviews::get, reviews::update, reviews::delete))
        .routes(routes!(reviews::refresh))
        .routes(routes!(reviews::approve))
        .routes(routes!(reviews::add_action))
        .routes(routes!(reviews::minutes))
        .routes(routes!(incidents::list, incidents::create))
        .routes(routes!(incidents::counts))
        .routes(routes!(
            incidents::get,
            incidents::update,
            incidents::delete
        ))
        .routes(routes!(suppliers::list, suppliers::create))
        .routes(routes!(
            suppliers::get,
            suppliers::update,
            suppliers::delete
        ))
        .routes(routes!(suppliers::assess))
        .routes(routes!(competence::list_people, competence::create_person))
        .routes(routes!(
            competence::requirements,
            competence::set_requirement
        ))
        .routes(routes!(
            competence::get_person,
            competence::update_person,
            competence::delete_person
        ))
        .routes(routes!(
            competence::list_trainings,
            competence::create_training
        ))
        .routes(routes!(competence::delete_training))
        .routes(routes!(
            competence::list_campaigns,
            competence::create_campaign
        ))
        .routes(routes!(
            competence::get_campaign,
            competence::delete_campaign
        ))
        .routes(routes!(competence::set_participant))
        .routes(routes!(measurements::list, measurements::create))
        .routes(routes!(measurements::subjects))
        .routes(routes!(measurements::subject))
        .routes(routes!(measurements::get, measurements::delete))
        .routes(routes!(soa::list, soa::create))
        .routes(routes!(soa::diff))
        .routes(routes!(soa::import))
        .routes(routes!(imports::import))
        .routes(routes!(soa::get, soa::delete))
        .routes(routes!(soa::get_entry, soa::update_entry))
        .routes(routes!(soa::approve))
        .routes(routes!(soa::export))
        .routes(routes!(frameworks::list))
        .routes(routes!(frameworks::import_oscal))
        .routes(routes!(frameworks::import_ciso))
        .routes(routes!(frameworks::get))
        .routes(routes!(frameworks::coverage))
        .routes(routes!(frameworks::requirements))
        .routes(routes!(frameworks::requirement))
        .routes(routes!(frameworks::mappings, frameworks::import_mapping))
        .routes(routes!(frameworks::link, frameworks::unlink))
        .routes(routes!(frameworks::control_frameworks))
}

/// The OpenAPI document as pretty JSON (what `GET /api/v1/openapi.json` serves and
/// `docs/openapi.json` holds).
pub fn openapi_json() -> String {
    let (_, api) = router().split_for_parts();
    let mut s = api
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
