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
/// The Annex A controls the Northwind demo marks implemented (SoA and evidence demo data).
pub use crate::demo_controls::NORTHWIND_IMPLEMENTED;

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
        self.ensure_demo_admin().await?;
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
                        // Northwind runs from two offices; Bluefin already holds ISO 9001.
                        sites: Some(if slug == "northwind" { 2 } else { 1 }),
                        other_management_system: Some(
                            if slug == "bluefin" { "ISO 9001" } else { "" }.into(),
                        ),
                    },
                )
                .await?;
            }
            let ctx = self.org_for_cli(slug).await?;
            info.orgs.push((slug.into(), name.into()));
            self.demo_members(&ctx, people, &mut info).await?;
            self.demo_records(&ctx).await?;
        }
        Ok(info)
    }

    /// The demo administrator: an instance administrator (created once).
    pub(crate) async fn ensure_demo_admin(&self) -> AppResult<()> {
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
        Ok(())
    }

    /// Make `people` members of the organisation (those who are not yet).
    async fn demo_members(
        &self,
        ctx: &crate::orgs::OrgCtx,
        people: &[DemoUser],
        info: &mut DemoInfo,
    ) -> AppResult<()> {
        let slug = ctx.org.slug.as_str();
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
                    ctx,
                    &NewMember {
                        email: person.email.into(),
                        role: person.role.as_str().into(),
                        expires_on: expires_on.clone(),
                        name: Some(person.name.into()),
                        password: Some(DEMO_PASSWORD.into()),
                    },
                )
                .await
                .map_err(|e| AppError::Internal(format!("demo member {}: {e}", person.email)))?;
            }
            info.accounts
                .push((person.email.into(), person.role, slug.into()));
        }
        Ok(())
    }

    /// Northwind's people as members of a generated organisation (`isms demo --size`),
    /// so that the demo sign-in reaches it too.
    pub(crate) async fn demo_generated_members(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        let mut info = DemoInfo {
            admin_email: DEMO_ADMIN.into(),
            password: DEMO_PASSWORD.into(),
            orgs: Vec::new(),
            accounts: Vec::new(),
        };
        self.demo_members(ctx, NORTHWIND_PEOPLE, &mut info).await
    }

    /// The records of one demo organisation. Every organisation except Bluefin (the
    /// small one) gets the full set: Northwind and the generated ones of `isms demo
    /// --size`, whose members are Northwind's people.
    pub(crate) async fn demo_records(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        self.demo_gap_assessments(ctx).await?;
        self.demo_own_controls(ctx).await?;
        self.demo_risk_method(ctx).await?;
        self.demo_risk_library(ctx).await?;
        self.demo_foundation(ctx).await?;
        if full_demo(ctx)
            && let Some(p) = self
                .demo_principal("isms.manager@northwind.example")
                .await?
        {
            let manager = crate::orgs::OrgCtx {
                org: ctx.org.clone(),
                access: isms_domain::rbac::OrgAccess::Member(Role::IsmsManager),
            };
            self.demo_assets(&p, &manager).await?;
            self.demo_controls(&p, &manager).await?;
            self.demo_documents(&p, &manager).await?;
            self.demo_evidence(&p, &manager).await?;
            self.demo_soa(&p, &manager).await?;
            self.demo_ops(&p, &manager).await?;
            self.demo_people(&p, &manager).await?;
            // The completed internal audit's id: the findings demo links its audit
            // findings to it.
            let audit_id = self.demo_audit(&manager).await?;
            // Certification first: the Stage 2 audit's finding links to it.
            self.demo_certification(&p, &manager).await?;
            self.demo_findings(&p, &manager, audit_id).await?;
        }
        Ok(())
    }
}

/// Whether a demo organisation gets the full set of records (all but Bluefin, which
/// shows a young ISMS). Only the demo loaders call the functions that ask.
pub(crate) fn full_demo(ctx: &crate::orgs::OrgCtx) -> bool {
    ctx.org.slug != "bluefin"
}

/// One demo risk: title, threat, vulnerability, owner (e-mail), inherent L/I, treatment,
/// residual L/I, controls, final status, and an acceptance (rationale) if accepted.
type DemoRisk = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (i64, i64),
    Option<&'static str>,
    Option<(i64, i64)>,
    &'static [&'static str],
    &'static str,
    Option<&'static str>,
);

const NORTHWIND_RISKS: &[DemoRisk] = &[
    (
        "Ransomware encrypts the production file shares",
        "Ransomware",
        "Unpatched servers",
        "isms.manager@northwind.example",
        (4, 5),
        Some("modify"),
        Some((2, 4)),
        &["8.7", "8.13", "8.8"],
        "treated",
        None,
    ),
    (
        "Customer data exposed through a misconfigured storage bucket",
        "Data leakage",
        "Misconfigured cloud services",
        "contributor@northwind.example",
        (3, 5),
        Some("modify"),
        Some((2, 3)),
        &["5.23", "8.9", "8.12"],
        "treatment_in_progress",
        None,
    ),
    (
        "Phishing e-mail leads to account takeover",
        "Phishing",
        "Single-factor authentication",
        "isms.manager@northwind.example",
        (4, 4),
        Some("modify"),
        Some((2, 3)),
        &["5.17", "6.3", "8.5"],
        "treatment_planned",
        None,
    ),
    (
        "Key developer leaves and takes undocumented knowledge",
        "Loss of key staff",
        "Undocumented procedures",
        "ceo@northwind.example",
        (3, 3),
        Some("retain"),
        Some((3, 3)),
        &["5.37"],
        "accepted",
        Some(
            "Two people are being trained; the remaining exposure is small and the cost of more is not justified this year.",
        ),
    ),
    (
        "Hosting provider outage stops the customer portal",
        "Supplier failure",
        "Single hosting region",
        "isms.manager@northwind.example",
        (2, 4),
        Some("share"),
        Some((2, 3)),
        &["5.19", "5.20", "5.30"],
        "treated",
        None,
    ),
    (
        "Laptop with customer exports lost on a train",
        "Theft or loss of equipment",
        "Unencrypted portable devices",
        "contributor@northwind.example",
        (3, 3),
        Some("modify"),
        Some((3, 1)),
        &["8.1", "8.24"],
        "accepted",
        Some("Disk encryption is enforced; a lost laptop now means a hardware cost only."),
    ),
    (
        "Former staff keep access to the admin console",
        "Misuse of access rights",
        "Slow leaver process",
        "isms.manager@northwind.example",
        (3, 4),
        Some("modify"),
        None,
        &["5.18", "8.2"],
        "treatment_planned",
        None,
    ),
    (
        "Payment card data stored in support tickets",
        "Non-compliance",
        "No data classification",
        "contributor@northwind.example",
        (2, 5),
        Some("avoid"),
        Some((1, 2)),
        &["5.12", "5.34"],
        "treated",
        None,
    ),
    (
        "Backups cannot be restored in time",
        "Loss of data",
        "Restores never tested",
        "isms.manager@northwind.example",
        (3, 4),
        Some("modify"),
        None,
        &["8.13", "5.30"],
        "treatment_planned",
        None,
    ),
    (
        "Denial-of-service attack on the public API",
        "Denial of service",
        "No rate limiting at the edge",
        "contributor@northwind.example",
        (3, 3),
        Some("modify"),
        Some((2, 2)),
        &["8.6", "8.20"],
        "treatment_in_progress",
        None,
    ),
    (
        "Office flood damages the network room",
        "Natural event",
        "Equipment on the floor",
        "ceo@northwind.example",
        (1, 3),
        Some("retain"),
        Some((1, 3)),
        &["7.5"],
        "accepted",
        Some("Insurance covers the equipment and production runs in the cloud."),
    ),
    (
        "Legacy FTP server used by one customer",
        "Eavesdropping",
        "Unencrypted transfer",
        "isms.manager@northwind.example",
        (2, 3),
        Some("avoid"),
        None,
        &[],
        "closed",
        None,
    ),
];

/// More of Northwind's register, so that the demo reads like a real one (~40 risks).
const NORTHWIND_MORE_RISKS: &[DemoRisk] = &[
    (
        "Administrator account of the cloud console taken over",
        "Takeover of a cloud account",
        "No multi-factor authentication",
        "isms.manager@northwind.example",
        (3, 5),
        Some("modify"),
        Some((1, 4)),
        &["5.17", "8.2", "8.5", "NW-01"],
        "treated",
        None,
    ),
    (
        "Production database deleted by a mistyped command",
        "Human error",
        "Too many administrator rights",
        "contributor@northwind.example",
        (3, 4),
        Some("modify"),
        Some((2, 3)),
        &["8.2", "8.13", "8.32"],
        "treatment_in_progress",
        None,
    ),
    (
        "Untested change takes the billing service down",
        "Unauthorised or untested change",
        "No change control",
        "contributor@northwind.example",
        (3, 3),
        Some("modify"),
        Some((2, 2)),
        &["8.32", "8.31", "8.29"],
        "treated",
        None,
    ),
    (
        "Open-source library with a backdoor shipped in the product",
        "Compromised software supply chain",
        "No security testing of own software",
        "contributor@northwind.example",
        (2, 5),
        Some("modify"),
        Some((1, 4)),
        &["8.28", "8.30", "5.21"],
        "treatment_planned",
        None,
    ),
    (
        "Known vulnerability in the web framework exploited",
        "Exploitation of known weaknesses",
        "Missing security updates",
        "contributor@northwind.example",
        (4, 4),
        Some("modify"),
        Some((2, 3)),
        &["8.8", "8.19", "8.16"],
        "treatment_in_progress",
        None,
    ),
    (
        "SQL injection in the customer portal search",
        "Attack on a web application",
        "No security testing of own software",
        "contributor@northwind.example",
        (3, 5),
        Some("modify"),
        Some((1, 4)),
        &["8.26", "8.28", "8.29"],
        "treated",
        None,
    ),
    (
        "Credential stuffing against customer logins",
        "Password guessing and reuse attacks",
        "Weak or reused passwords",
        "isms.manager@northwind.example",
        (4, 3),
        Some("modify"),
        Some((2, 2)),
        &["8.5", "5.17", "8.16"],
        "treated",
        None,
    ),
    (
        "Support agent sends an export to the wrong customer",
        "Wrong data given to the wrong person",
        "No handling rules for information",
        "contributor@northwind.example",
        (3, 3),
        Some("modify"),
        Some((2, 3)),
        &["5.12", "5.13", "6.3"],
        "treatment_planned",
        None,
    ),
    (
        "Payroll changed by a fake e-mail from the CEO",
        "Payment fraud by impersonation",
        "Payment changes not verified",
        "ceo@northwind.example",
        (3, 3),
        Some("modify"),
        Some((1, 3)),
        &["5.14", "6.3"],
        "treated",
        None,
    ),
    (
        "Insider copies the customer list before leaving",
        "Insider misuse",
        "Access rights never reviewed",
        "isms.manager@northwind.example",
        (2, 4),
        Some("modify"),
        Some((2, 3)),
        &["5.18", "8.12", "6.5"],
        "treatment_in_progress",
        None,
    ),
    (
        "Contractor keeps VPN access after the project ends",
        "Misuse of access by supplier staff",
        "No overview of supplier access",
        "isms.manager@northwind.example",
        (3, 3),
        Some("modify"),
        Some((1, 3)),
        &["5.19", "5.18", "5.20"],
        "treated",
        None,
    ),
    (
        "Monitoring provider breached and our logs exposed",
        "Breach at a supplier",
        "Contracts without security terms",
        "isms.manager@northwind.example",
        (2, 4),
        Some("share"),
        Some((2, 3)),
        &["5.20", "5.22", "NW-04"],
        "treated",
        Some(
            "Contract now holds breach notice and audit rights; the rest is the provider's to carry",
        ),
    ),
    (
        "E-mail provider insolvent with a month's notice",
        "Supplier failure or insolvency",
        "Dependence on one supplier without an exit plan",
        "ceo@northwind.example",
        (1, 3),
        Some("retain"),
        None,
        &[],
        "accepted",
        Some("Large provider, export tested yearly; an exit plan costs more than the disruption"),
    ),
    (
        "Region-wide outage at the cloud provider",
        "Cloud service outage",
        "Single point of failure",
        "isms.manager@northwind.example",
        (2, 5),
        Some("modify"),
        Some((2, 3)),
        &["5.30", "8.14", "5.23"],
        "treatment_planned",
        None,
    ),
    (
        "Moving away from the cloud provider would take a year",
        "Locked in to a cloud provider",
        "Dependence on one supplier without an exit plan",
        "ceo@northwind.example",
        (2, 3),
        Some("retain"),
        None,
        &[],
        "accepted",
        Some("The lock-in is a business choice reviewed by the board each year"),
    ),
    (
        "Backups deleted together with the cloud account",
        "Loss of data held in the cloud",
        "Backups kept only in the same cloud account",
        "contributor@northwind.example",
        (2, 5),
        Some("modify"),
        Some((1, 4)),
        &["8.13", "5.30", "NW-02"],
        "treatment_in_progress",
        None,
    ),
    (
        "Cloud settings drift from the agreed baseline",
        "Publicly exposed cloud storage",
        "Cloud settings not checked against a baseline",
        "contributor@northwind.example",
        (3, 4),
        Some("modify"),
        Some((2, 2)),
        &["8.9", "5.23", "8.16", "NW-03"],
        "treated",
        None,
    ),
    (
        "Attack goes unnoticed for weeks",
        "Incident noticed or handled too late",
        "Logs missing or never reviewed",
        "isms.manager@northwind.example",
        (3, 4),
        Some("modify"),
        Some((2, 3)),
        &["8.15", "8.16", "5.25"],
        "treatment_in_progress",
        None,
    ),
    (
        "No one knows who leads when a breach happens",
        "Incident noticed or handled too late",
        "No incident response plan",
        "isms.manager@northwind.example",
        (3, 4),
        Some("modify"),
        Some((1, 3)),
        &["5.24", "5.26", "6.8"],
        "treated",
        None,
    ),
    (
        "Customer data kept longer than contracts allow",
        "Breach of legal or contractual duties",
        "No handling rules for information",
        "isms.manager@northwind.example",
        (3, 3),
        Some("modify"),
        Some((2, 2)),
        &["5.33", "5.34", "8.10"],
        "treatment_planned",
        None,
    ),
    (
        "Evidence for the audit cannot be found",
        "Loss of records needed as evidence",
        "No asset inventory",
        "isms.manager@northwind.example",
        (3, 2),
        Some("modify"),
        Some((1, 2)),
        &["5.33", "5.9"],
        "treated",
        None,
    ),
    (
        "Old laptops sold with data still on the disks",
        "Loss of portable media or paper",
        "Unsafe disposal of equipment",
        "contributor@northwind.example",
        (2, 4),
        Some("modify"),
        Some((1, 2)),
        &["7.14", "8.10"],
        "treated",
        None,
    ),
    (
        "Visitor walks into the office and takes a laptop",
        "Theft of equipment",
        "Uncontrolled office access",
        "ceo@northwind.example",
        (2, 3),
        Some("modify"),
        Some((1, 3)),
        &["7.2", "7.1", "8.1"],
        "closed",
        None,
    ),
    (
        "Power cut in the office stops the on-call team",
        "Power cut",
        "No backup power",
        "ceo@northwind.example",
        (2, 2),
        Some("retain"),
        None,
        &[],
        "accepted",
        Some(
            "Staff can work from home on mobile data; a generator is not worth it for a small office",
        ),
    ),
    (
        "Heatwave makes the office unusable for a week",
        "Extreme weather and climate events",
        "No continuity plan",
        "ceo@northwind.example",
        (2, 2),
        Some("retain"),
        None,
        &[],
        "accepted",
        Some(
            "Remote working covers it; reviewed again with the climate issue in the context register",
        ),
    ),
    (
        "New joiners get production access on day one",
        "Human error",
        "No security induction for newcomers",
        "isms.manager@northwind.example",
        (3, 3),
        None,
        None,
        &[],
        "assessed",
        None,
    ),
    (
        "Shared admin account used by the operations team",
        "Takeover of an administrator account",
        "Shared or generic accounts",
        "contributor@northwind.example",
        (3, 4),
        Some("modify"),
        None,
        &["5.16", "8.2"],
        "treatment_planned",
        None,
    ),
    (
        "Traffic between offices sent without encryption",
        "Interception of data in transit",
        "Unencrypted connections",
        "contributor@northwind.example",
        (2, 3),
        Some("avoid"),
        None,
        &[],
        "closed",
        None,
    ),
    (
        "Former customer's FTP account may be back with the restored server image",
        "Misuse of access by former staff",
        "Access rights never reviewed",
        "contributor@northwind.example",
        (2, 3),
        None,
        None,
        &[],
        "identified",
        None,
    ),
];

impl App {
    /// Northwind's register: risks in every state, rated under the approved 5×5 method,
    /// with controls, treatment tasks and accepted residual risks.
    async fn demo_risks(&self, p: &crate::Principal, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        use crate::risks::{AcceptRisk, NewRisk, RiskPatch};
        let mut c = self.db.read().await?;
        let mut owner_ids = std::collections::HashMap::new();
        for r in NORTHWIND_RISKS.iter().chain(NORTHWIND_MORE_RISKS) {
            if let Some(u) = users::user_by_email(&mut c, r.3).await? {
                owner_ids.insert(r.3, u.id);
            }
        }
        drop(c);
        for (title, threat, vuln, owner, (il, ii), treatment, residual, controls, status, accept) in
            NORTHWIND_RISKS.iter().chain(NORTHWIND_MORE_RISKS)
        {
            let risk = self
                .create_risk(
                    Actor::User(p),
                    ctx,
                    &NewRisk {
                        title: (*title).into(),
                        threat: (*threat).into(),
                        vulnerability: (*vuln).into(),
                        owner_id: owner_ids.get(owner).copied(),
                        inherent_likelihood: *il,
                        inherent_impact: *ii,
                        treatment: treatment.map(Into::into),
                        residual_likelihood: residual.map(|r| r.0),
                        residual_impact: residual.map(|r| r.1),
                        controls: controls.iter().map(|c| (*c).to_owned()).collect(),
                        ..Default::default()
                    },
                )
                .await?;
            if *status == "treatment_planned" || *status == "treatment_in_progress" {
                let due = format_date(self.today() + time::Duration::days(21));
                self.create_task(
                    Actor::User(p),
                    ctx,
                    &crate::tasks::NewTask {
                        title: format!("Carry out the treatment of {}", risk.reference),
                        owner: "Priya Raman".into(),
                        due_on: Some(due),
                        priority: Some("high".into()),
                        risk_id: Some(risk.id),
                        ..Default::default()
                    },
                )
                .await?;
            }
            let mut version = risk.version;
            // Walk the life cycle to the final status (acceptance has its own step).
            let path: &[&str] = match *status {
                "treatment_in_progress" => &["treatment_in_progress"],
                "treated" | "accepted" if treatment.is_some() => &["treated"],
                "closed" => &["closed"],
                // Closed once, then reopened: it waits to be assessed again.
                "identified" => &["closed", "identified"],
                _ => &[],
            };
            for s in path {
                version = self
                    .update_risk(
                        Actor::User(p),
                        ctx,
                        risk.id,
                        &RiskPatch {
                            status: Some((*s).into()),
                            version,
                            ..Default::default()
                        },
                    )
                    .await?
                    .version;
            }
            if let Some(why) = accept {
                self.accept_risk(
                    Actor::User(p),
                    ctx,
                    risk.id,
                    &AcceptRisk {
                        rationale: (*why).into(),
                        expires_on: Some(format_date(self.today() + time::Duration::days(365))),
                        version,
                    },
                )
                .await?;
            }
        }
        Ok(())
    }

    /// A person of the demo, to act as them (so the audit trail names someone real).
    pub(crate) async fn demo_principal(&self, email: &str) -> AppResult<Option<crate::Principal>> {
        let mut c = self.db.read().await?;
        Ok(users::user_by_email(&mut c, email)
            .await?
            .map(|u| crate::Principal {
                user_id: u.id,
                email: u.email,
                name: u.name,
                is_admin: u.is_admin,
                totp_enabled: false,
                session_id: None,
                token_id: None,
            }))
    }

    /// Northwind: the 5×5 preset approved by its ISMS manager. Bluefin: a 3×3 draft not
    /// yet approved.
    async fn demo_risk_method(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        use crate::risk_methods::{ApproveRiskMethod, NewRiskMethod};
        if !self.list_risk_methods(ctx).await?.is_empty() {
            return Ok(());
        }
        if full_demo(ctx) {
            let Some(p) = self
                .demo_principal("isms.manager@northwind.example")
                .await?
            else {
                return Ok(());
            };
            let manager = crate::orgs::OrgCtx {
                org: ctx.org.clone(),
                access: isms_domain::rbac::OrgAccess::Member(Role::IsmsManager),
            };
            let draft = self
                .create_risk_method(
                    Actor::User(&p),
                    &manager,
                    &NewRiskMethod {
                        preset: Some("5x5".into()),
                        from: None,
                        change_note: "First method, agreed with the management team".into(),
                    },
                )
                .await?;
            self.approve_risk_method(
                Actor::User(&p),
                &manager,
                draft.id,
                &ApproveRiskMethod {
                    version: draft.version,
                },
            )
            .await?;
            self.demo_risks(&p, &manager).await?;
        } else {
            self.create_risk_method(
                Actor::Cli,
                ctx,
                &NewRiskMethod {
                    preset: Some("3x3".into()),
                    from: None,
                    change_note: "Simple method for a small team".into(),
                },
            )
            .await?;
        }
        Ok(())
    }
}

impl App {
    /// Northwind: two completed assessments (before and after implementation), so the
    /// comparison has something to show. Bluefin: one assessment about two-thirds done.
    async fn demo_gap_assessments(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        let existing = self.list_gap_assessments(ctx, None, Some(1)).await?;
        if !existing.items.is_empty() {
            return Ok(());
        }
        let plans: &[(&str, &str, Stage)] = if full_demo(ctx) {
            &[
                (
                    "Initial gap assessment",
                    "Whole company, run with an external consultant before the ISMS project started.",
                    Stage::Start,
                ),
                (
                    "Pre-certification check",
                    "Re-assessment three weeks before the Stage 1 audit.",
                    Stage::Ready,
                ),
            ]
        } else {
            &[(
                "Gap assessment",
                "Platform and data teams; first look at where we stand.",
                Stage::Partial,
            )]
        };
        let mut previous = None;
        for (title, note, stage) in plans {
            let a = self
                .create_gap_assessment(
                    Actor::Cli,
                    ctx,
                    &crate::gap::NewAssessment {
                        title: (*title).into(),
                        scope_note: (*note).into(),
                        copy_from: previous,
                    },
                )
                .await?;
            let items = self.gap_items(ctx, a.id, None).await?;
            let n = items.len();
            for (i, item) in items.iter().enumerate() {
                if *stage == Stage::Partial && i * 3 >= n * 2 {
                    break;
                }
                let answer = demo_answer(&item.key, &item.area, i, *stage);
                self.answer_gap_item(
                    Actor::Cli,
                    ctx,
                    a.id,
                    &item.key,
                    &crate::gap::ItemAnswer {
                        version: item.version,
                        ..answer
                    },
                )
                .await?;
            }
            if *stage != Stage::Partial {
                let a = self.get_gap_assessment(ctx, a.id).await?;
                let patch = crate::gap::AssessmentPatch {
                    title: None,
                    scope_note: None,
                    status: Some(crate::gap::STATUS_COMPLETED.into()),
                    version: a.version,
                };
                self.update_gap_assessment(Actor::Cli, ctx, a.id, &patch)
                    .await?;
            }
            previous = Some(a.id);
        }
        // A roadmap in progress: tasks from the newest assessment's gaps, a third done and
        // a third under way, and one hand-made task that is already late.
        if let Some(last) = previous {
            self.generate_tasks(Actor::Cli, ctx, last).await?;
            let tasks = self.list_tasks(ctx, None, None, Some(500)).await?.items;
            let n = tasks.len();
            for (i, t) in tasks.into_iter().enumerate() {
                let status = if i * 3 < n {
                    "done"
                } else if i * 3 < 2 * n {
                    "in_progress"
                } else {
                    continue;
                };
                let patch = crate::tasks::TaskPatch {
                    status: Some(status.into()),
                    version: t.version,
                    ..Default::default()
                };
                self.update_task(Actor::Cli, ctx, t.id, &patch).await?;
            }
            let due = format_date(self.today() - time::Duration::days(10));
            self.create_task(
                Actor::Cli,
                ctx,
                &crate::tasks::NewTask {
                    title: "Collect signed confidentiality agreements from the two new contractors".into(),
                    description: "Both started last month; the agreements were sent but not returned.".into(),
                    item_key: Some("control:6.6".into()),
                    owner: "Tom Becker".into(),
                    start_on: None,
                    due_on: Some(due),
                    priority: Some("high".into()),
                    risk_id: None,
                },
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    Ready,
    Partial,
}

/// A plausible answer for a demo item: deterministic, varied, and consistent with the
/// rules (clause targets at least 3, targets never below current).
fn demo_answer(key: &str, area: &str, i: usize, stage: Stage) -> crate::gap::ItemAnswer {
    let spread = key.bytes().fold(i, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    let is_clause = key.starts_with("clause:");
    let owner = match area {
        "governance_leadership" | "policies" | "risk_methodology" | "monitoring_improvement" => {
            "Priya Raman"
        }
        "asset_management" | "access_control" | "incident_response" => "Tom Becker",
        _ => "Amelia Hart",
    };
    // A SaaS company without a data centre of its own: some physical controls do not apply.
    if matches!(key, "control:7.5" | "control:7.11" | "control:7.12") {
        return crate::gap::ItemAnswer {
            applicable: Some(false),
            not_applicable_reason: Some(Some(
                "All production systems run in our cloud provider's data centres; we operate no server rooms or cabling of our own. Covered by the provider's ISO 27001 certificate (see the supplier file).".into(),
            )),
            owner: Some(owner.into()),
            ..Default::default()
        };
    }
    let (current, target) = match stage {
        Stage::Start | Stage::Partial => {
            let c = (spread % 3) as i64;
            let t = if is_clause || spread % 5 == 0 {
                3
            } else {
                3 + (spread % 2) as i64
            };
            (c, t)
        }
        Stage::Ready => {
            let c = if spread % 7 == 0 {
                2
            } else {
                3 + (spread % 2) as i64
            };
            (c, c.max(3))
        }
    };
    let notes = match (stage, current) {
        (_, 0) => "Nothing in place yet.",
        (Stage::Ready, 2) => {
            "Runs, but records for the last quarter are incomplete; close before Stage 1."
        }
        (_, 1 | 2) => "Done informally by the team; needs writing down and a named owner.",
        _ => "In place and evidenced.",
    };
    crate::gap::ItemAnswer {
        current: Some(Some(current)),
        target: Some(Some(target)),
        applicable: Some(true),
        notes: Some(notes.into()),
        owner: Some(owner.into()),
        ..Default::default()
    }
}

/// A demo issue: kind, category, title, effect, climate (relevant?, note).
type DemoIssue = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(bool, &'static str)>,
);

/// Northwind's issues.
const NORTHWIND_ISSUES: &[DemoIssue] = &[
    (
        "external",
        "economic",
        "Enterprise customers require ISO 27001 in tenders",
        "Certification decides whether we can bid; the ISMS must be credible to buyers' auditors.",
        None,
    ),
    (
        "external",
        "legal",
        "UK GDPR and the Data (Use and Access) Act",
        "Personal data of customers' users is processed; breaches must be reported within 72 hours.",
        None,
    ),
    (
        "external",
        "legal",
        "NIS2 obligations of EU customers flow down to suppliers",
        "Contracts ask for incident notice and supply-chain security evidence.",
        None,
    ),
    (
        "external",
        "technological",
        "Ransomware aimed at SaaS providers",
        "Backups, access control and detection must hold against targeted attacks.",
        None,
    ),
    (
        "external",
        "technological",
        "Dependence on one cloud provider (AWS eu-west-2)",
        "An outage of the region stops the service; exit and continuity plans are needed.",
        None,
    ),
    (
        "external",
        "environmental",
        "Heat waves and flooding affecting data centres and the London office",
        "Cloud regions and staff may be unavailable; continuity plans cover remote work and a second region.",
        Some((
            true,
            "More frequent extreme weather can take a cloud region or the office offline; covered by the continuity plan (A.5.30).",
        )),
    ),
    (
        "internal",
        "people",
        "Small security team (two people)",
        "Key-person risk; duties need deputies and documented procedures.",
        None,
    ),
    (
        "internal",
        "organisation",
        "Rapid growth: 40 new hires a year",
        "Onboarding, awareness training and access reviews must scale.",
        None,
    ),
    (
        "internal",
        "technology",
        "Legacy admin tooling without single sign-on",
        "Weak authentication on internal tools until migrated.",
        None,
    ),
    (
        "internal",
        "strategy",
        "Board sponsorship of the certification project",
        "Budget and priority are available; management review takes place quarterly.",
        None,
    ),
];

/// Northwind's interested parties: name, kind, requirements (text, source, reference,
/// addressed-how, climate).
type DemoParty = (
    &'static str,
    &'static str,
    &'static [(
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        bool,
    )],
);

const NORTHWIND_PARTIES: &[DemoParty] = &[
    (
        "Enterprise customers",
        "customer",
        &[
            (
                "Certified ISO/IEC 27001 ISMS covering the platform",
                "contractual",
                "MSA schedule 4",
                Some("This certification project"),
                false,
            ),
            (
                "Breach notification within 48 hours",
                "contractual",
                "DPA clause 9",
                Some("Incident procedure, A.5.24-5.26"),
                false,
            ),
        ],
    ),
    (
        "Information Commissioner's Office",
        "regulator",
        &[(
            "Report personal data breaches within 72 hours",
            "legal",
            "UK GDPR art. 33",
            Some("Incident procedure with a privacy step"),
            false,
        )],
    ),
    (
        "Employees",
        "employee",
        &[
            (
                "Clear security rules and training",
                "other",
                "",
                Some("Awareness programme, A.6.3"),
                false,
            ),
            (
                "Remote work possible during office closures",
                "other",
                "",
                Some("Remote working rules and continuity plan"),
                true,
            ),
        ],
    ),
    (
        "Amazon Web Services",
        "supplier",
        &[(
            "Shared-responsibility model respected",
            "contractual",
            "AWS customer agreement",
            Some("Cloud security baseline, A.5.23"),
            false,
        )],
    ),
    (
        "Shareholders and board",
        "shareholder",
        &[
            (
                "Certification within the financial year",
                "other",
                "Board minutes 2026-03",
                Some("Project plan and roadmap"),
                false,
            ),
            (
                "Report on climate-related risks to operations",
                "other",
                "Annual report",
                None,
                true,
            ),
        ],
    ),
    (
        "Payment provider",
        "partner",
        &[(
            "PCI DSS scope kept out of the platform",
            "contractual",
            "Merchant agreement",
            Some("Card data handled only by the provider"),
            false,
        )],
    ),
    (
        "Cyber insurer",
        "insurer",
        &[(
            "MFA on all remote access and tested backups",
            "contractual",
            "Policy conditions 3.2",
            Some("A.8.5 and A.8.13"),
            false,
        )],
    ),
    (
        "Certification body",
        "other",
        &[(
            "Access to records for Stage 1 and Stage 2",
            "contractual",
            "Certification contract",
            Some("External auditor access in the workbench"),
            false,
        )],
    ),
];

impl App {
    /// Northwind: an approved scope with a later draft, an approved policy, issues (one on
    /// climate change), interested parties, roles held by its people, and objectives in
    /// several states. Bluefin: a draft scope only. Skipped once a scope exists.
    async fn demo_foundation(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        use crate::foundation::{Approve, DocVersionPatch, EntryPatch, NewDocVersion};
        use isms_domain::foundation::registers::{
            Issue, Objective, Party, Requirement, Role as IsmsRole,
        };
        use isms_domain::foundation::scope::{Exclusion, Interface, PolicyContent, ScopeContent};
        if !self
            .list_doc_versions::<ScopeContent>(ctx, None, Some(1))
            .await?
            .items
            .is_empty()
        {
            return Ok(());
        }
        let Some(p) = self
            .demo_principal(if full_demo(ctx) {
                "isms.manager@northwind.example"
            } else {
                "owner@bluefin.example"
            })
            .await?
        else {
            return Ok(());
        };
        let manager = crate::orgs::OrgCtx {
            org: ctx.org.clone(),
            access: isms_domain::rbac::OrgAccess::Member(Role::IsmsManager),
        };
        let a = Actor::User(&p);
        let strs = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        if !full_demo(ctx) {
            let d = self
                .create_doc_version::<ScopeContent>(
                    a,
                    &manager,
                    &NewDocVersion {
                        change_note: "First draft from the gap assessment".into(),
                    },
                )
                .await?;
            self.update_doc_version::<ScopeContent>(a, &manager, d.id, &DocVersionPatch {
                content: Some(ScopeContent {
                    statement: "The analytics service Bluefin provides to its clients, run from the Gothenburg office.".into(),
                    units: strs(&["Data engineering", "Client services"]),
                    locations: strs(&["Gothenburg office"]),
                    systems: strs(&["Bluefin analytics platform"]),
                    ..Default::default()
                }),
                change_note: None,
                version: d.version,
            })
            .await?;
            return Ok(());
        }
        // Scope: version 1 approved, version 2 drafted (a new site).
        let scope = ScopeContent {
            statement: "The design, development, operation and support of the Northwind Cloud platform (SaaS) for business customers, from the London office and remote staff in the UK.".into(),
            units: strs(&["Engineering", "Platform operations", "Customer support", "Security and compliance", "People operations (as far as security is concerned)"]),
            locations: strs(&["London office, 12 Canal Street", "Remote work from homes in the UK"]),
            systems: strs(&["Northwind Cloud platform (production and staging)", "Source code and CI/CD pipeline", "Corporate identity provider and laptops", "Customer support desk"]),
            interfaces: vec![
                Interface { what: "Hosting of production and backups".into(), party: "Amazon Web Services (eu-west-2)".into(), description: "IaaS under the shared-responsibility model".into() },
                Interface { what: "Payroll and HR records".into(), party: "Outsourced HR provider".into(), description: "Only starters and leavers feed access management".into() },
                Interface { what: "Card payments".into(), party: "Payment provider".into(), description: "No card data touches the platform".into() },
            ],
            exclusions: vec![
                Exclusion { what: "Sales office in Paris".into(), justification: "Two sales staff with no access to customer data or production; they use the same laptops and identity provider as everyone else.".into() },
                Exclusion { what: "Marketing website".into(), justification: "Hosted by an agency, holds no customer data, and is separate from the platform.".into() },
            ],
        };
        let d = self
            .create_doc_version::<ScopeContent>(
                a,
                &manager,
                &NewDocVersion {
                    change_note: "First scope, agreed with the management team".into(),
                },
            )
            .await?;
        let d = self
            .update_doc_version::<ScopeContent>(
                a,
                &manager,
                d.id,
                &DocVersionPatch {
                    content: Some(scope.clone()),
                    change_note: None,
                    version: d.version,
                },
            )
            .await?;
        self.approve_doc_version::<ScopeContent>(
            a,
            &manager,
            d.id,
            &Approve { version: d.version },
        )
        .await?;
        let d2 = self
            .create_doc_version::<ScopeContent>(
                a,
                &manager,
                &NewDocVersion {
                    change_note: "Add the Leeds office opening next quarter".into(),
                },
            )
            .await?;
        let mut next = scope.clone();
        next.locations
            .push("Leeds office (from the next quarter)".into());
        self.update_doc_version::<ScopeContent>(
            a,
            &manager,
            d2.id,
            &DocVersionPatch {
                content: Some(next),
                change_note: None,
                version: d2.version,
            },
        )
        .await?;
        // Policy: approved.
        let pv = self
            .create_doc_version::<PolicyContent>(
                a,
                &manager,
                &NewDocVersion {
                    change_note: "Policy adopted by the board".into(),
                },
            )
            .await?;
        let pv = self
            .update_doc_version::<PolicyContent>(a, &manager, pv.id, &DocVersionPatch {
                content: Some(PolicyContent {
                    text: "Northwind protects the confidentiality, integrity and availability of the information our customers entrust to us and of our own.\nWe assess information security risks and treat them within the risk appetite the board has set.\nEveryone at Northwind follows the security rules that apply to their work and reports incidents at once.\nThe ISMS manager keeps this policy and the ISMS up to date; the board reviews it at least once a year.".into(),
                    objectives_framework: "The board sets measurable information security objectives each year in the management review, each with an owner, a target, a metric and a due date.".into(),
                    commits_to_requirements: true,
                    commits_to_improvement: true,
                }),
                change_note: None,
                version: pv.version,
            })
            .await?;
        self.approve_doc_version::<PolicyContent>(
            a,
            &manager,
            pv.id,
            &Approve {
                version: pv.version,
            },
        )
        .await?;
        // Issues.
        for (kind, category, title, effect, climate) in NORTHWIND_ISSUES {
            self.create_entry(
                a,
                &manager,
                &Issue {
                    kind: (*kind).into(),
                    category: (*category).into(),
                    title: (*title).into(),
                    effect: (*effect).into(),
                    climate_relevant: climate.is_some_and(|c| c.0),
                    climate_note: climate.map(|c| c.1.to_owned()).unwrap_or_default(),
                    review_on: Some(format_date(self.today() + time::Duration::days(180))),
                    ..Default::default()
                },
            )
            .await?;
        }
        // Interested parties.
        for (name, kind, reqs) in NORTHWIND_PARTIES {
            self.create_entry(
                a,
                &manager,
                &Party {
                    name: (*name).into(),
                    kind: (*kind).into(),
                    description: String::new(),
                    requirements: reqs
                        .iter()
                        .map(|(text, source, reference, how, climate)| Requirement {
                            text: (*text).into(),
                            source: (*source).into(),
                            reference: (*reference).into(),
                            addressed: how.is_some(),
                            how: how
                                .unwrap_or(
                                    "Not addressed by the ISMS: handled in the annual report",
                                )
                                .into(),
                            climate: *climate,
                            controls: Vec::new(),
                        })
                        .collect(),
                },
            )
            .await?;
        }
        // Roles, held by Northwind's people.
        let mut ids = std::collections::HashMap::new();
        {
            let mut c = self.db.read().await?;
            for person in NORTHWIND_PEOPLE {
                if let Some(u) = users::user_by_email(&mut c, person.email).await? {
                    ids.insert(person.email, u.id);
                }
            }
        }
        let id = |e: &str| ids.get(e).copied();
        // (title, responsibilities, authority, holder, deputy, conformity, reports)
        type DemoRole = (
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            Option<&'static str>,
            bool,
            bool,
        );
        let roles: &[DemoRole] = &[
            (
                "ISMS manager",
                "Runs the ISMS day to day: risk assessment, Statement of Applicability, documents, internal audit programme, corrective actions.",
                "Approves ISMS documents and risk acceptances within the risk appetite.",
                "isms.manager@northwind.example",
                Some("contributor@northwind.example"),
                true,
                true,
            ),
            (
                "Top management sponsor (CEO)",
                "Sets the policy and objectives, provides resources, chairs the management review.",
                "Final approval of the policy, risk appetite and budget.",
                "ceo@northwind.example",
                None,
                false,
                false,
            ),
            (
                "Security engineer",
                "Implements and operates technical controls; first responder for security incidents.",
                "May isolate systems during an incident.",
                "contributor@northwind.example",
                None,
                false,
                false,
            ),
            (
                "Internal auditor",
                "Plans and carries out internal audits independent of the areas audited.",
                "Access to all ISMS records.",
                "internal.auditor@northwind.example",
                None,
                false,
                false,
            ),
            (
                "Administrator of the workbench",
                "Manages members and access to the ISMS records.",
                "Grants and removes access.",
                DEMO_ADMIN,
                None,
                false,
                false,
            ),
        ];
        for (title, resp, auth, person, deputy, conformity, reports) in roles {
            self.create_entry(
                a,
                &manager,
                &IsmsRole {
                    title: (*title).into(),
                    responsibilities: (*resp).into(),
                    authority: (*auth).into(),
                    person_id: id(person),
                    deputy_id: deputy.and_then(id),
                    ensures_conformity: *conformity,
                    reports_performance: *reports,
                    top_management: title.starts_with("Top management"),
                },
            )
            .await?;
        }
        // Objectives in several states.
        let due = |days: i64| Some(format_date(self.today() + time::Duration::days(days)));
        let objectives: Vec<(Objective, &str)> = vec![
            (
                Objective {
                    title: "Every member of staff completes security awareness training".into(),
                    owner_id: id("isms.manager@northwind.example"),
                    target: "95% of staff trained in the last 12 months".into(),
                    target_value: Some(95.0),
                    target_unit: "%".into(),
                    due_on: due(120),
                    metric: "Share of staff with a completed course".into(),
                    metric_method: "Report from the training platform".into(),
                    metric_frequency: "monthly".into(),
                    policy_link: "Everyone follows the security rules".into(),
                    ..Default::default()
                },
                "approved",
            ),
            (
                Objective {
                    title: "Critical vulnerabilities fixed quickly".into(),
                    owner_id: id("contributor@northwind.example"),
                    target: "Critical findings fixed within 7 days".into(),
                    target_value: Some(7.0),
                    target_unit: "days".into(),
                    due_on: due(90),
                    metric: "Median days from finding to fix for critical vulnerabilities".into(),
                    metric_method: "Vulnerability scanner export".into(),
                    metric_frequency: "monthly".into(),
                    policy_link: "Risks treated within the risk appetite".into(),
                    ..Default::default()
                },
                "approved",
            ),
            (
                Objective {
                    title: "Restore tests prove backups work".into(),
                    owner_id: id("contributor@northwind.example"),
                    target: "One successful restore test per quarter".into(),
                    target_value: Some(4.0),
                    target_unit: "tests per year".into(),
                    due_on: due(-10),
                    metric: "Restore tests passed".into(),
                    metric_method: "Test records".into(),
                    metric_frequency: "quarterly".into(),
                    ..Default::default()
                },
                "achieved",
            ),
            (
                Objective {
                    title: "Phishing simulation click rate below 5%".into(),
                    owner_id: id("isms.manager@northwind.example"),
                    target: "Click rate under 5%".into(),
                    target_value: Some(5.0),
                    target_unit: "%".into(),
                    due_on: due(-30),
                    metric: "Share of staff who click in the simulation".into(),
                    metric_method: "Simulation platform".into(),
                    metric_frequency: "quarterly".into(),
                    ..Default::default()
                },
                "missed",
            ),
            (
                Objective {
                    title: "Single sign-on for every internal tool".into(),
                    owner_id: id("contributor@northwind.example"),
                    target: "All internal tools behind SSO".into(),
                    target_value: Some(100.0),
                    target_unit: "%".into(),
                    due_on: due(200),
                    metric: "Share of internal tools behind SSO".into(),
                    metric_method: "Application inventory".into(),
                    metric_frequency: "monthly".into(),
                    ..Default::default()
                },
                "draft",
            ),
            (
                Objective {
                    title: "Supplier security reviews on time".into(),
                    owner_id: None,
                    target: "Every critical supplier reviewed each year".into(),
                    ..Default::default()
                },
                "draft",
            ),
        ];
        for (o, state) in objectives {
            let e = self.create_entry(a, &manager, &o).await?;
            if state == "draft" {
                continue;
            }
            let e = self
                .approve_objective(a, &manager, e.id, &Approve { version: e.version })
                .await?;
            if state != "approved" {
                let mut data = e.data.clone();
                data.status = state.into();
                self.update_entry(
                    a,
                    &manager,
                    e.id,
                    &EntryPatch {
                        version: e.version,
                        data,
                    },
                )
                .await?;
            }
        }
        Ok(())
    }
}

impl App {
    /// Northwind has made the catalogues its own: two threats of its own, one starter
    /// threat reworded and one retired, one vulnerability of its own.
    async fn demo_risk_library(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        use crate::risk_library::{LibraryItemPatch, NewLibraryItem};
        use isms_domain::risk::library::LibraryKind::{Threat, Vulnerability};
        if !full_demo(ctx) || self.get_library_item(ctx, Threat, "CT01").await.is_ok() {
            return Ok(());
        }
        let own = [
            (
                Threat,
                "Compromised customer tenant used to attack the platform",
                "cloud",
                "A customer's own admin account is taken over and used to probe or abuse shared parts of our platform.",
            ),
            (
                Threat,
                "Outage of the payment provider",
                "supplier",
                "The card payment service we rely on is down, so customers cannot pay or renew.",
            ),
            (
                Vulnerability,
                "Support staff can impersonate customer users",
                "process",
                "The support tool lets staff act as a customer user without the customer's approval being recorded.",
            ),
        ];
        for (kind, name, category, description) in own {
            self.create_library_item(
                Actor::Cli,
                ctx,
                kind,
                &NewLibraryItem {
                    name: name.into(),
                    category: category.into(),
                    description: description.into(),
                },
            )
            .await?;
        }
        self.update_library_item(
            Actor::Cli,
            ctx,
            Threat,
            "T02",
            &LibraryItemPatch {
                name: Some("Mistake by an engineer or support agent".into()),
                description: Some(
                    "Someone on the team deploys the wrong change, deletes the wrong data or sends customer data to the wrong person."
                        .into(),
                ),
                version: 0,
                ..Default::default()
            },
        )
        .await?;
        // Northwind has no premises of its own beyond a shared office: no server room.
        let retire = self
            .list_library(
                ctx,
                Threat,
                &crate::risk_library::LibraryQuery {
                    category: Some("physical".into()),
                    limit: Some(500),
                    ..Default::default()
                },
            )
            .await?
            .items
            .into_iter()
            .find(|i| i.name.to_lowercase().contains("flood"));
        if let Some(i) = retire {
            self.update_library_item(
                Actor::Cli,
                ctx,
                Threat,
                &i.code,
                &LibraryItemPatch {
                    retired: Some(true),
                    version: i.version,
                    ..Default::default()
                },
            )
            .await?;
        }
        Ok(())
    }
}

impl App {
    /// Northwind's own controls, which several of its risks name beside Annex A.
    async fn demo_own_controls(&self, ctx: &crate::orgs::OrgCtx) -> AppResult<()> {
        use crate::own_controls::NewOwnControl;
        if !full_demo(ctx) || self.get_own_control(ctx, "NW-01").await.is_ok() {
            return Ok(());
        }
        let controls = [
            (
                "NW-01",
                "Four-eyes review of production access",
                "Every grant of production access is approved by a second engineer in the access tool; the approvals are kept for two years.",
            ),
            (
                "NW-02",
                "Quarterly restore drill",
                "Each quarter an engineer restores a random customer database from backup into a clean account and records the time it took.",
            ),
            (
                "NW-03",
                "Tenant isolation tests in every release",
                "The release pipeline runs tests that try to read one customer's data with another customer's credentials; a failure stops the release.",
            ),
            (
                "NW-04",
                "Customer notice of sub-processor changes",
                "Customers are told 30 days before a new sub-processor handles their data, as the data processing agreement promises.",
            ),
        ];
        for (code, title, description) in controls {
            self.create_own_control(
                Actor::Cli,
                ctx,
                &NewOwnControl {
                    code: code.into(),
                    title: title.into(),
                    description: description.into(),
                },
            )
            .await?;
        }
        Ok(())
    }
}
