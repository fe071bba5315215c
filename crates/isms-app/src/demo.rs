//! The demo organisations, loaded idempotently (`isms demo`, `isms serve --demo`).
//! Later capabilities add their records here so the demo always shows everything.

use crate::members::NewMember;
use crate::orgs::NewOrg;
use crate::users::NewUser;
use crate::{Actor, App, AppError, AppResult};
use isms_db::{orgs, users};
use isms_domain::rbac::Role;
use isms_domain::time::format_date;

/// The password of every demo account (printed by `isms serve --demo`).
pub const DEMO_PASSWORD: &str = "northwind-demo-2026";
/// The demo administrator (instance administrator and admin of both organisations).
pub const DEMO_ADMIN: &str = "admin@northwind.example";

struct DemoUser {
    email: &'static str,
    name: &'static str,
    role: Role,
    /// Days from today until access ends.
    expires_in_days: Option<i64>,
}

const NORTHWIND_PEOPLE: &[DemoUser] = &[
    DemoUser {
        email: DEMO_ADMIN,
        name: "Amelia Hart",
        role: Role::Admin,
        expires_in_days: None,
    },
    DemoUser {
        email: "isms.manager@northwind.example",
        name: "Priya Raman",
        role: Role::IsmsManager,
        expires_in_days: None,
    },
    DemoUser {
        email: "contributor@northwind.example",
        name: "Tom Becker",
        role: Role::Contributor,
        expires_in_days: None,
    },
    DemoUser {
        email: "internal.auditor@northwind.example",
        name: "Grace Okafor",
        role: Role::InternalAuditor,
        expires_in_days: None,
    },
    DemoUser {
        email: "auditor@certbody.example",
        name: "Lars Nilsson",
        role: Role::ExternalAuditor,
        expires_in_days: Some(90),
    },
    DemoUser {
        email: "ceo@northwind.example",
        name: "Daniel Moreau",
        role: Role::Viewer,
        expires_in_days: None,
    },
];

const BLUEFIN_PEOPLE: &[DemoUser] = &[
    DemoUser {
        email: "owner@bluefin.example",
        name: "Sofia Lind",
        role: Role::Admin,
        expires_in_days: None,
    },
    DemoUser {
        email: DEMO_ADMIN,
        name: "Amelia Hart",
        role: Role::Admin,
        expires_in_days: None,
    },
];

/// What was loaded, for the command line to print.
#[derive(Debug, Clone)]
pub struct DemoInfo {
    pub admin_email: String,
    pub password: String,
    pub orgs: Vec<(String, String)>,
    pub accounts: Vec<(String, Role, String)>,
}

impl App {
    /// Load the demo organisations (`only` = one slug). Running it again changes nothing.
    pub async fn load_demo(&self, only: Option<&str>) -> AppResult<DemoInfo> {
        let all = [
            ("northwind", "Northwind Cloud Ltd", 140, NORTHWIND_PEOPLE),
            ("bluefin", "Bluefin Analytics", 35, BLUEFIN_PEOPLE),
        ];
        if let Some(o) = only
            && !all.iter().any(|(s, ..)| *s == o)
        {
            return Err(isms_domain::ValidationError::single(
                "org",
                format!("no demo organisation \"{o}\"; choose northwind or bluefin"),
            )
            .into());
        }
        let mut info = DemoInfo {
            admin_email: DEMO_ADMIN.into(),
            password: DEMO_PASSWORD.into(),
            orgs: Vec::new(),
            accounts: Vec::new(),
        };
        // The demo administrator first: an instance administrator.
        if self.get_user_by_email(DEMO_ADMIN).await?.is_none() {
            self.create_user(
                Actor::Cli,
                &NewUser {
                    email: DEMO_ADMIN.into(),
                    name: "Amelia Hart".into(),
                    password: DEMO_PASSWORD.into(),
                    is_admin: true,
                },
            )
            .await?;
        }
        for (slug, name, employees, people) in all {
            if only.is_some_and(|o| o != slug) {
                continue;
            }
            let mut c = self.db.read().await?;
            let exists = orgs::org_by_slug(&mut c, slug).await?.is_some();
            drop(c);
            if !exists {
                self.create_org(
                    Actor::Cli,
                    &NewOrg {
                        name: name.into(),
                        slug: Some(slug.into()),
                        employees,
                    },
                )
                .await?;
            }
            let ctx = self.org_for_cli(slug).await?;
            info.orgs.push((slug.into(), name.into()));
            for person in people {
                let mut c = self.db.read().await?;
                let user = users::user_by_email(&mut c, person.email).await?;
                let member = match &user {
                    Some(u) => orgs::membership_of(&mut c, ctx.org.id, u.id).await?,
                    None => None,
                };
                drop(c);
                let expires_on = person
                    .expires_in_days
                    .map(|d| format_date(self.now().plus_seconds(d * 86_400).date()));
                if member.is_none() {
                    self.add_member(
                        Actor::Cli,
                        &ctx,
                        &NewMember {
                            email: person.email.into(),
                            role: person.role.as_str().into(),
                            expires_on: expires_on.clone(),
                            name: Some(person.name.into()),
                            password: Some(DEMO_PASSWORD.into()),
                        },
                    )
                    .await
                    .map_err(|e| {
                        AppError::Internal(format!("demo member {}: {e}", person.email))
                    })?;
                }
                info.accounts
                    .push((person.email.into(), person.role, slug.into()));
            }
        }
        Ok(info)
    }
}
