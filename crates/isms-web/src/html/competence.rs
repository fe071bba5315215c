//! Competence and awareness pages: one `/competence` page with people (and their gaps),
//! the competences each job role requires, training records and awareness campaigns,
//! and detail pages for a person and a campaign.

use super::incidents::opt;
use super::{Layout, error_page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::competence::{
    Campaign, NewCampaign, NewPerson, NewTraining, ParticipantUpdate, Person, PersonPatch,
    Requirement, Training, TrainingQuery,
};
use isms_app::orgs::OrgCtx;
use isms_app::{Actor, AppError, AppResult};
use isms_domain::rbac::Permission;
use serde::Deserialize;
use uuid::Uuid;

/// The person form.
#[derive(Deserialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub job_role: String,
    #[serde(default)]
    pub department: String,
    /// "yes" when ticked (edit form).
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub version: String,
}

/// The required-competences form: one job role, its competences comma-separated.
#[derive(Deserialize, Default, Clone)]
pub struct RequirementForm {
    #[serde(default)]
    pub job_role: String,
    #[serde(default)]
    pub competences: String,
}

/// The training form.
#[derive(Deserialize, Default, Clone)]
pub struct TrainingForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub competence: String,
    #[serde(default)]
    pub completed_on: String,
    #[serde(default)]
    pub expires_on: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub evidence_note: String,
}

/// The campaign form.
#[derive(Deserialize, Default, Clone)]
pub struct CampaignForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub audience: String,
    /// "yes": invite every active person.
    #[serde(default)]
    pub invite_all: String,
}

/// The participation form on a campaign's page.
#[derive(Deserialize, Default, Clone)]
pub struct ParticipantForm {
    #[serde(default)]
    pub person_id: String,
    /// "yes" when done.
    #[serde(default)]
    pub completed: String,
    #[serde(default)]
    pub completed_on: String,
}

#[derive(Template)]
#[template(path = "competence.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub people: Vec<Person>,
    pub requirements: Vec<Requirement>,
    pub trainings: Vec<Training>,
    pub campaigns: Vec<Campaign>,
    pub gaps: usize,
    pub expired: usize,
    pub pf: PersonForm,
    pub rf: RequirementForm,
    pub tf: TrainingForm,
    pub cf: CampaignForm,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub l: Layout,
    pub p: Person,
    pub pf: PersonForm,
    pub tf: TrainingForm,
    pub can_write: bool,
}

#[derive(Template)]
#[template(path = "campaign.html")]
pub struct CampaignPage {
    pub l: Layout,
    pub c: Campaign,
    pub people: Vec<Person>,
    pub can_write: bool,
}

macro_rules! id_or_page {
    ($id:expr, $what:expr) => {
        match Uuid::parse_str(&$id) {
            Ok(i) => i,
            Err(_) => return error_page(&AppError::NotFound($what)),
        }
    };
}

fn status_of(err: Option<&AppError>) -> StatusCode {
    match err {
        Some(AppError::Conflict(_)) => StatusCode::CONFLICT,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    }
}

/// Every person (pages of 500), for the page's lists and selects.
async fn all_people(st: &AppState, ctx: &OrgCtx) -> AppResult<Vec<Person>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = st
            .app
            .list_people(ctx, cursor.as_deref(), Some(500))
            .await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

fn today(st: &AppState) -> String {
    isms_domain::time::format_date(st.app.today())
}

#[allow(clippy::too_many_arguments)]
async fn overview_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    flash: Flash,
    err: Option<&AppError>,
    pf: PersonForm,
    rf: RequirementForm,
    tf: TrainingForm,
    cf: CampaignForm,
) -> Response {
    let load = async {
        let people = all_people(st, ctx).await?;
        let requirements = st.app.competence_requirements(ctx).await?;
        let trainings = st
            .app
            .list_trainings(
                ctx,
                &TrainingQuery {
                    limit: Some(100),
                    ..Default::default()
                },
            )
            .await?
            .items;
        let campaigns = st.app.list_campaigns(ctx, None, Some(100)).await?.items;
        AppResult::Ok((people, requirements, trainings, campaigns))
    };
    let (people, requirements, trainings, campaigns) = match load.await {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Competence", Some(ctx), "competence", flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    render(
        status_of(err),
        &OverviewPage {
            l,
            gaps: people.iter().filter(|p| !p.missing.is_empty()).count(),
            expired: people.iter().map(|p| p.expired_trainings).sum(),
            people,
            requirements,
            trainings,
            campaigns,
            pf,
            rf,
            tf,
            cf,
            can_write: ctx.can(Permission::Write),
        },
    )
}

fn fresh_training(st: &AppState) -> TrainingForm {
    TrainingForm {
        completed_on: today(st),
        ..Default::default()
    }
}

fn fresh_campaign(st: &AppState) -> CampaignForm {
    CampaignForm {
        starts_on: today(st),
        ends_on: today(st),
        invite_all: "yes".into(),
        ..Default::default()
    }
}

pub async fn overview(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path(org): Path<String>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let (tf, cf) = (fresh_training(&st), fresh_campaign(&st));
    overview_page(
        &st,
        &u,
        &ctx,
        flash,
        None,
        PersonForm::default(),
        RequirementForm::default(),
        tf,
        cf,
    )
    .await
}

pub async fn create_person(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(pf): WebForm<PersonForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewPerson {
        name: pf.name.clone(),
        email: pf.email.clone(),
        job_role: pf.job_role.clone(),
        department: pf.department.clone(),
        user_id: None,
        active: Some(true),
    };
    match st.app.create_person(Actor::User(&u.p), &ctx, &input).await {
        Ok(p) => flash_redirect(
            &format!("/o/{org}/competence/people/{}", p.id),
            &format!("{} added.", p.name),
        ),
        Err(e @ AppError::Validation(_)) => {
            let (tf, cf) = (fresh_training(&st), fresh_campaign(&st));
            overview_page(
                &st,
                &u,
                &ctx,
                Flash::default(),
                Some(&e),
                pf,
                RequirementForm::default(),
                tf,
                cf,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn set_requirement(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(rf): WebForm<RequirementForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = Requirement {
        job_role: rf.job_role.clone(),
        competences: rf
            .competences
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match st
        .app
        .set_competence_requirement(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(r) => flash_redirect(
            &format!("/o/{org}/competence#requirements"),
            &format!("Required competences of {} saved.", r.job_role),
        ),
        Err(e @ AppError::Validation(_)) => {
            let (tf, cf) = (fresh_training(&st), fresh_campaign(&st));
            overview_page(
                &st,
                &u,
                &ctx,
                Flash::default(),
                Some(&e),
                PersonForm::default(),
                rf,
                tf,
                cf,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn create_training(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(tf): WebForm<TrainingForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let input = NewTraining {
        person_id: tf.person_id.clone(),
        competence: tf.competence.clone(),
        completed_on: tf.completed_on.clone(),
        expires_on: opt(&tf.expires_on),
        provider: tf.provider.clone(),
        evidence_note: tf.evidence_note.clone(),
    };
    match st
        .app
        .create_training(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(t) => flash_redirect(
            &format!("/o/{org}/competence/people/{}", t.person_id),
            &format!(
                "Training \"{}\" of {} recorded.",
                t.competence, t.person_name
            ),
        ),
        Err(e @ AppError::Validation(_)) => {
            // Back on the person's page when the form came from there.
            if let Ok(pid) = Uuid::parse_str(tf.person_id.trim())
                && let Ok(p) = st.app.get_person(&ctx, pid).await
            {
                return person_page(&st, &u, &ctx, p, None, tf, Flash::default(), Some(&e)).await;
            }
            let cf = fresh_campaign(&st);
            overview_page(
                &st,
                &u,
                &ctx,
                Flash::default(),
                Some(&e),
                PersonForm::default(),
                RequirementForm::default(),
                tf,
                cf,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn delete_training(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<TrainingForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "training");
    match st.app.delete_training(Actor::User(&u.p), &ctx, id).await {
        Ok(()) => {
            let back = match Uuid::parse_str(f.person_id.trim()) {
                Ok(p) => format!("/o/{org}/competence/people/{p}"),
                Err(_) => format!("/o/{org}/competence"),
            };
            flash_redirect(&back, "Training record removed.")
        }
        Err(e) => error_page(&e),
    }
}

pub async fn create_campaign(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    WebForm(cf): WebForm<CampaignForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let participants = if cf.invite_all == "yes" {
        match all_people(&st, &ctx).await {
            Ok(p) => p
                .into_iter()
                .filter(|p| p.active)
                .map(|p| p.id.to_string())
                .collect(),
            Err(e) => return error_page(&e),
        }
    } else {
        Vec::new()
    };
    let input = NewCampaign {
        title: cf.title.clone(),
        topic: cf.topic.clone(),
        starts_on: cf.starts_on.clone(),
        ends_on: cf.ends_on.clone(),
        audience: cf.audience.clone(),
        participants,
    };
    match st
        .app
        .create_campaign(Actor::User(&u.p), &ctx, &input)
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/competence/campaigns/{}", c.id),
            &format!("Campaign \"{}\" started.", c.title),
        ),
        Err(e @ AppError::Validation(_)) => {
            let tf = fresh_training(&st);
            overview_page(
                &st,
                &u,
                &ctx,
                Flash::default(),
                Some(&e),
                PersonForm::default(),
                RequirementForm::default(),
                tf,
                cf,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn person_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    p: Person,
    pf: Option<PersonForm>,
    tf: TrainingForm,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let mut l = Layout::new(st, u, &p.name, Some(ctx), "competence", flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    let pf = pf.unwrap_or_else(|| PersonForm {
        name: p.name.clone(),
        email: p.email.clone(),
        job_role: p.job_role.clone(),
        department: p.department.clone(),
        active: if p.active { "yes" } else { "" }.into(),
        version: p.version.to_string(),
    });
    render(
        status_of(err),
        &PersonPage {
            l,
            p,
            pf,
            tf,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn person(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "person");
    match st.app.get_person(&ctx, id).await {
        Ok(p) => {
            let tf = TrainingForm {
                person_id: p.id.to_string(),
                ..fresh_training(&st)
            };
            person_page(&st, &u, &ctx, p, None, tf, flash, None).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn update_person(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(pf): WebForm<PersonForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "person");
    let patch = PersonPatch {
        name: Some(pf.name.clone()),
        email: Some(pf.email.clone()),
        job_role: Some(pf.job_role.clone()),
        department: Some(pf.department.clone()),
        active: Some(pf.active == "yes"),
        version: pf.version.trim().parse().unwrap_or(-1),
    };
    match st
        .app
        .update_person(Actor::User(&u.p), &ctx, id, &patch)
        .await
    {
        Ok(p) => flash_redirect(
            &format!("/o/{org}/competence/people/{}", p.id),
            &format!("{} saved.", p.name),
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let p = match st.app.get_person(&ctx, id).await {
                Ok(p) => p,
                Err(e) => return error_page(&e),
            };
            let tf = TrainingForm {
                person_id: p.id.to_string(),
                ..fresh_training(&st)
            };
            person_page(&st, &u, &ctx, p, Some(pf), tf, Flash::default(), Some(&e)).await
        }
        Err(e) => error_page(&e),
    }
}

async fn campaign_page(
    st: &AppState,
    u: &WebUser,
    ctx: &OrgCtx,
    c: Campaign,
    flash: Flash,
    err: Option<&AppError>,
) -> Response {
    let people = match all_people(st, ctx).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, &c.title, Some(ctx), "competence", flash).await;
    if let Some(e) = err {
        l = l.with_errors(e);
    }
    render(
        status_of(err),
        &CampaignPage {
            l,
            c,
            people,
            can_write: ctx.can(Permission::Write),
        },
    )
}

pub async fn campaign(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "awareness campaign");
    match st.app.get_campaign(&ctx, id).await {
        Ok(c) => campaign_page(&st, &u, &ctx, c, flash, None).await,
        Err(e) => error_page(&e),
    }
}

pub async fn set_participant(
    State(st): State<AppState>,
    u: WebUser,
    Path((org, id)): Path<(String, String)>,
    WebForm(f): WebForm<ParticipantForm>,
) -> Response {
    let ctx = org_or_page!(st, u, &org);
    let id = id_or_page!(id, "awareness campaign");
    let person = id_or_page!(f.person_id.trim(), "person");
    let input = ParticipantUpdate {
        completed: f.completed == "yes",
        completed_on: opt(&f.completed_on),
    };
    match st
        .app
        .set_campaign_participant(Actor::User(&u.p), &ctx, id, person, &input)
        .await
    {
        Ok(c) => flash_redirect(
            &format!("/o/{org}/competence/campaigns/{}", c.id),
            "Participation saved.",
        ),
        Err(e @ AppError::Validation(_)) => match st.app.get_campaign(&ctx, id).await {
            Ok(c) => campaign_page(&st, &u, &ctx, c, Flash::default(), Some(&e)).await,
            Err(e) => error_page(&e),
        },
        Err(e) => error_page(&e),
    }
}

pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    axum::extract::Query(q): axum::extract::Query<super::assets::ExportForm>,
) -> Response {
    super::assets::export(&st, &u, &org, "trainings", &q.format).await
}
