//! Your own account: name, password, two-step sign-in, sessions and API tokens.

use super::{Layout, error_page, page, render};
use crate::AppState;
use crate::auth::{Flash, WebForm, WebUser, flash_redirect};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use isms_app::AppError;
use isms_app::tokens::{NewToken, SessionView, TokenView};
use isms_app::users::{TotpSetup, UserPatch, UserView};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub l: Layout,
    pub me: UserView,
    pub sessions: Vec<SessionView>,
    pub tokens: Vec<TokenView>,
    pub recovery_left: i64,
    /// A token just made: its secret is shown this once.
    pub new_token: Option<(String, String)>,
    /// Recovery codes just made: shown this once.
    pub new_codes: Vec<String>,
    pub token_name: String,
}

async fn profile_view(
    st: &AppState,
    u: &WebUser,
    flash: Flash,
    err: Option<AppError>,
    new_token: Option<(String, String)>,
    new_codes: Vec<String>,
    token_name: String,
) -> Response {
    let me = match st.app.get_user(&u.p, u.p.user_id).await {
        Ok(m) => m,
        Err(e) => return error_page(&e),
    };
    let mut l = Layout::new(st, u, "Your account", None, "", flash).await;
    let status = match &err {
        Some(e) => {
            l = l.with_errors(e);
            if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
        None => StatusCode::OK,
    };
    let sessions = st.app.list_sessions(&u.p).await.unwrap_or_default();
    let tokens = st.app.list_tokens(&u.p).await.unwrap_or_default();
    let recovery_left = if me.totp_enabled {
        st.app.recovery_codes_left(&u.p).await.unwrap_or(0)
    } else {
        0
    };
    render(
        status,
        &ProfilePage {
            l,
            me,
            sessions,
            tokens,
            recovery_left,
            new_token,
            new_codes,
            token_name,
        },
    )
}

pub async fn profile(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
) -> Response {
    profile_view(&st, &u, flash, None, None, Vec::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
}

pub async fn update_name(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<NameForm>,
) -> Response {
    let patch = UserPatch {
        name: Some(f.name),
        version: f.version.parse().unwrap_or(-1),
        ..Default::default()
    };
    match st.app.update_user(&u.p, u.p.user_id, &patch).await {
        Ok(_) => flash_redirect("/profile", "Your name was saved."),
        Err(e) => {
            profile_view(
                &st,
                &u,
                Flash::default(),
                Some(e),
                None,
                Vec::new(),
                String::new(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

pub async fn change_password(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<PasswordForm>,
) -> Response {
    if f.new_password != f.confirm_password {
        let e = AppError::Validation(isms_domain::ValidationError::single(
            "confirm_password",
            "does not match the new password",
        ));
        return profile_view(
            &st,
            &u,
            Flash::default(),
            Some(e),
            None,
            Vec::new(),
            String::new(),
        )
        .await;
    }
    match st
        .app
        .change_password(&u.p, &f.current_password, &f.new_password)
        .await
    {
        Ok(()) => flash_redirect(
            "/profile",
            "Password changed. Your other sessions were signed out.",
        ),
        Err(e) => {
            profile_view(
                &st,
                &u,
                Flash::default(),
                Some(e),
                None,
                Vec::new(),
                String::new(),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
pub struct TotpSetupPage {
    pub l: Layout,
    pub setup: TotpSetup,
    pub qr_svg: String,
}

pub async fn totp_setup(
    State(st): State<AppState>,
    u: WebUser,
    Extension(flash): Extension<Flash>,
) -> Response {
    match st.app.pending_totp(&u.p).await {
        Ok(Some(setup)) => {
            let l = Layout::new(&st, &u, "Two-step sign-in", None, "", flash).await;
            let qr_svg = crate::qr::svg(&setup.otpauth_uri);
            page(&TotpSetupPage { l, setup, qr_svg })
        }
        Ok(None) => flash_redirect("/profile", "Start the set-up from your account page."),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn totp_start(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    match st.app.begin_totp(&u.p).await {
        Ok(_) => axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            "/profile/totp",
        )),
        Err(e) => {
            profile_view(
                &st,
                &u,
                Flash::default(),
                Some(e),
                None,
                Vec::new(),
                String::new(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

pub async fn totp_confirm(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<CodeForm>,
) -> Response {
    match st.app.confirm_totp(&u.p, &f.code).await {
        Ok(codes) => {
            let flash = Flash(Some("Two-step sign-in is on. Save the recovery codes below now: they are shown only once.".into()));
            profile_view(&st, &u, flash, None, None, codes, String::new()).await
        }
        Err(e) => match st.app.pending_totp(&u.p).await {
            Ok(Some(setup)) => {
                let l = Layout::new(&st, &u, "Two-step sign-in", None, "", Flash::default())
                    .await
                    .with_errors(&e);
                let qr_svg = crate::qr::svg(&setup.otpauth_uri);
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &TotpSetupPage { l, setup, qr_svg },
                )
            }
            _ => {
                profile_view(
                    &st,
                    &u,
                    Flash::default(),
                    Some(e),
                    None,
                    Vec::new(),
                    String::new(),
                )
                .await
            }
        },
    }
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    #[serde(default)]
    pub password: String,
}

pub async fn totp_disable(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<PasswordOnly>,
) -> Response {
    match st.app.disable_totp(&u.p, &f.password).await {
        Ok(()) => flash_redirect("/profile", "Two-step sign-in is off."),
        Err(e) => {
            profile_view(
                &st,
                &u,
                Flash::default(),
                Some(e),
                None,
                Vec::new(),
                String::new(),
            )
            .await
        }
    }
}

pub async fn recovery_codes(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<PasswordOnly>,
) -> Response {
    match st.app.regenerate_recovery_codes(&u.p, &f.password).await {
        Ok(codes) => {
            profile_view(
                &st,
                &u,
                Flash(Some(
                    "New recovery codes made; the old ones no longer work.".into(),
                )),
                None,
                None,
                codes,
                String::new(),
            )
            .await
        }
        Err(e) => {
            profile_view(
                &st,
                &u,
                Flash::default(),
                Some(e),
                None,
                Vec::new(),
                String::new(),
            )
            .await
        }
    }
}

pub async fn revoke_session(
    State(st): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("session"));
    };
    match st.app.revoke_session(&u.p, id).await {
        Ok(()) if Some(id) == u.p.session_id => flash_redirect("/login", "This session was ended."),
        Ok(()) => flash_redirect("/profile", "The session was ended."),
        Err(e) => error_page(&e),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub expires_in_days: String,
}

pub async fn create_token(
    State(st): State<AppState>,
    u: WebUser,
    WebForm(f): WebForm<TokenForm>,
) -> Response {
    let days = match f.expires_in_days.trim() {
        "" => Ok(None),
        s => s.parse::<i64>().map(Some).map_err(|_| {
            AppError::Validation(isms_domain::ValidationError::single(
                "expires_in_days",
                "must be a whole number of days",
            ))
        }),
    };
    let result = match days {
        Ok(d) => {
            st.app
                .create_token(
                    &u.p,
                    &NewToken {
                        name: f.name.clone(),
                        expires_in_days: d,
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => {
            profile_view(
                &st,
                &u,
                Flash(Some(
                    "Token created. Copy it now: it is shown only once.".into(),
                )),
                None,
                Some((t.token.name, t.secret)),
                Vec::new(),
                String::new(),
            )
            .await
        }
        Err(e) => profile_view(&st, &u, Flash::default(), Some(e), None, Vec::new(), f.name).await,
    }
}

pub async fn revoke_token(
    State(st): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    WebForm(_f): WebForm<Empty>,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return error_page(&AppError::NotFound("token"));
    };
    match st.app.revoke_token(&u.p, id).await {
        Ok(()) => flash_redirect("/profile", "The token was revoked."),
        Err(e) => error_page(&e),
    }
}
