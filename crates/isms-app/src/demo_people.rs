//! Northwind's suppliers and people for the demo: eight suppliers, two of them critical
//! (one assessed this year, one never assessed), one whose assessment is overdue, one
//! whose contract sets no security requirements and one offboarded, each with its
//! assessment history; 25 people with the competences their job roles require, training
//! records (some expired, some people with gaps) and two awareness campaigns (one ended
//! below the participation target). Loaded once (idempotent); dates are relative to today.

use crate::competence::{NewCampaign, NewPerson, NewTraining, ParticipantUpdate, Requirement};
use crate::orgs::OrgCtx;
use crate::suppliers::{NewAssessment, NewSupplier, SupplierQuery};
use crate::{Actor, App, AppResult, Principal};
use isms_domain::time::format_date;
use time::Duration;

/// One demo supplier: name, service, criticality, data shared, contract reference (empty:
/// no security requirements), contact, owner, status, and its assessments (days ago,
/// result, note).
type DemoSupplier = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(i64, &'static str, &'static str)],
);

const SUPPLIERS: &[DemoSupplier] = &[
    (
        "Hetzwerk Cloud GmbH",
        "Hosting of the production platform (IaaS)",
        "critical",
        "All customer data, backups, logs",
        "Hosting agreement 2024 §9 and DPA annex 2",
        "support@hetzwerk.example",
        "Tom Becker",
        "active",
        &[
            (
                500,
                "conditional",
                "ISO 27001 certificate valid; no pen test report for the new region.",
            ),
            (
                120,
                "satisfactory",
                "Certificate renewed; pen test report for both regions reviewed, no open findings.",
            ),
        ],
    ),
    (
        "PayFlow Payments B.V.",
        "Card payment processing for the web shop",
        "critical",
        "Cardholder names, order amounts (card numbers stay with PayFlow)",
        "Merchant agreement §14 (PCI DSS)",
        "merchants@payflow.example",
        "Anna Schmidt",
        "active",
        &[],
    ),
    (
        "MailRelay Ltd",
        "Transactional and newsletter e-mail",
        "high",
        "Customer names and e-mail addresses",
        "Service terms §7, DPA",
        "account@mailrelay.example",
        "Lena Vogel",
        "active",
        &[(450, "satisfactory", "SOC 2 type II report reviewed.")],
    ),
    (
        "CodeForge SaaS",
        "Source code hosting and CI",
        "high",
        "Source code, deployment secrets in CI",
        "Enterprise terms §11",
        "enterprise@codeforge.example",
        "Tom Becker",
        "active",
        &[(
            200,
            "satisfactory",
            "SSO and audit log enabled; SOC 2 report reviewed.",
        )],
    ),
    (
        "OfficeSuite Online",
        "E-mail, calendar and documents for staff",
        "medium",
        "Internal documents and e-mail",
        "Online services terms, DPA",
        "",
        "Lena Vogel",
        "active",
        &[(
            300,
            "satisfactory",
            "ISO 27001 and 27018 certificates checked.",
        )],
    ),
    (
        "Rhein Facility Services",
        "Office cleaning",
        "low",
        "None; physical access to the office after hours",
        "",
        "info@rhein-facility.example",
        "Anna Schmidt",
        "active",
        &[(
            100,
            "conditional",
            "Key handover log kept; the contract has no confidentiality clause yet.",
        )],
    ),
    (
        "ShredSafe GmbH",
        "Secure destruction of paper and disks",
        "medium",
        "Discarded paper records and storage media",
        "Service contract §3 (DIN 66399, certificates of destruction)",
        "service@shredsafe.example",
        "Anna Schmidt",
        "active",
        &[(
            400,
            "satisfactory",
            "Destruction certificates for the last quarter checked.",
        )],
    ),
    (
        "OldCRM Systems",
        "Customer relationship management (replaced in spring)",
        "high",
        "Customer contacts and sales history (export returned, deletion confirmed)",
        "Subscription terms §8",
        "",
        "Lena Vogel",
        "offboarded",
        &[(
            700,
            "conditional",
            "No MFA for admin accounts; one reason for the move to a new CRM.",
        )],
    ),
];

impl App {
    /// Load Northwind's suppliers once.
    pub(crate) async fn demo_people(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        let actor = Actor::User(p);
        let today = self.today();
        let existing = self
            .list_suppliers(
                ctx,
                &SupplierQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if existing.items.is_empty() {
            for (name, service, criticality, data, contract, contact, owner, status, history) in
                SUPPLIERS
            {
                let s = self
                    .create_supplier(
                        actor,
                        ctx,
                        &NewSupplier {
                            name: (*name).into(),
                            service: (*service).into(),
                            criticality: (*criticality).into(),
                            data_shared: (*data).into(),
                            contract_security: !contract.is_empty(),
                            contract_reference: (*contract).into(),
                            contact: (*contact).into(),
                            owner: (*owner).into(),
                            assessment_interval_months: None,
                            status: Some((*status).into()),
                        },
                    )
                    .await?;
                for (ago, result, note) in *history {
                    self.assess_supplier(
                        actor,
                        ctx,
                        s.id,
                        &NewAssessment {
                            assessed_on: Some(format_date(today - Duration::days(*ago))),
                            result: (*result).into(),
                            note: (*note).into(),
                        },
                    )
                    .await?;
                }
            }
        }
        self.demo_competence(p, ctx).await
    }

    async fn demo_competence(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        let actor = Actor::User(p);
        let today = self.today();
        let day = |ago: i64| format_date(today - Duration::days(ago));
        if !self.list_people(ctx, None, Some(1)).await?.items.is_empty() {
            return Ok(());
        }
        for (role, comps) in REQUIREMENTS {
            self.set_competence_requirement(
                actor,
                ctx,
                &Requirement {
                    job_role: (*role).into(),
                    competences: comps.iter().map(|c| (*c).to_owned()).collect(),
                },
            )
            .await?;
        }
        let mut ids = Vec::new();
        for (i, (name, role, dept)) in PEOPLE.iter().enumerate() {
            let person = self
                .create_person(
                    actor,
                    ctx,
                    &NewPerson {
                        name: (*name).into(),
                        email: format!(
                            "{}@northwind.example",
                            name.to_lowercase().replace(' ', ".")
                        ),
                        job_role: (*role).into(),
                        department: (*dept).into(),
                        user_id: None,
                        active: Some(i != 24),
                    },
                )
                .await?;
            // Everyone had awareness training; every seventh person's has expired.
            let (done, expires) = if i % 7 == 3 { (400, 35) } else { (100, -265) };
            self.create_training(
                actor,
                ctx,
                &NewTraining {
                    person_id: person.id.to_string(),
                    competence: "Security awareness".into(),
                    completed_on: day(done),
                    expires_on: Some(day(expires)),
                    provider: "Northwind e-learning".into(),
                    evidence_note: "Completion record in the e-learning platform".into(),
                },
            )
            .await?;
            // Role trainings, except for every fifth person (a gap to close).
            if i % 5 != 2 {
                for comp in REQUIREMENTS
                    .iter()
                    .filter(|(r, _)| r == role)
                    .flat_map(|(_, c)| c.iter())
                    .filter(|c| **c != "Security awareness")
                {
                    self.create_training(
                        actor,
                        ctx,
                        &NewTraining {
                            person_id: person.id.to_string(),
                            competence: (*comp).into(),
                            completed_on: day(200 + i64::try_from(i).unwrap_or(0) * 3),
                            expires_on: None,
                            provider: "External course".into(),
                            evidence_note: "Certificate in the HR file".into(),
                        },
                    )
                    .await?;
                }
            }
            ids.push(person.id);
        }
        let all: Vec<String> = ids.iter().take(24).map(|i| i.to_string()).collect();
        for (title, topic, start, end, done_every) in [
            (
                "Phishing awareness month",
                "Recognising and reporting phishing e-mails; the webmail incident as a case study",
                150,
                120,
                1usize,
            ),
            (
                "Clean desk and screen lock",
                "Locking screens, clearing desks, visitors in the office",
                60,
                30,
                3,
            ),
        ] {
            let c = self
                .create_campaign(
                    actor,
                    ctx,
                    &NewCampaign {
                        title: title.into(),
                        topic: topic.into(),
                        starts_on: day(start),
                        ends_on: day(end),
                        audience: "All staff".into(),
                        participants: all.clone(),
                    },
                )
                .await?;
            // The first: all but two done; the second: two in three done (below target).
            for (i, pid) in ids.iter().take(24).enumerate() {
                let done = if done_every == 1 {
                    i < 22
                } else {
                    i % done_every != 0
                };
                if done {
                    self.set_campaign_participant(
                        actor,
                        ctx,
                        c.id,
                        *pid,
                        &ParticipantUpdate {
                            completed: true,
                            completed_on: Some(day(start - 5)),
                        },
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }
}

/// The competences each job role requires.
const REQUIREMENTS: &[(&str, &[&str])] = &[
    ("Developer", &["Security awareness", "Secure coding"]),
    (
        "Operations engineer",
        &[
            "Security awareness",
            "Incident response",
            "Backup and restore",
        ],
    ),
    (
        "Support agent",
        &["Security awareness", "Data protection basics"],
    ),
    (
        "Sales manager",
        &["Security awareness", "Data protection basics"],
    ),
    ("Manager", &["Security awareness", "ISMS responsibilities"]),
];

/// Name, job role, department.
const PEOPLE: &[(&str, &str, &str)] = &[
    ("Anna Schmidt", "Manager", "Management"),
    ("Tom Becker", "Operations engineer", "Operations"),
    ("Lena Vogel", "Manager", "Finance"),
    ("Priya Raman", "Manager", "ISMS"),
    ("Jonas Weber", "Developer", "Engineering"),
    ("Mia Fischer", "Developer", "Engineering"),
    ("Lukas Wagner", "Developer", "Engineering"),
    ("Sofia Keller", "Developer", "Engineering"),
    ("Noah Hoffmann", "Developer", "Engineering"),
    ("Emma Schulz", "Operations engineer", "Operations"),
    ("Paul Richter", "Operations engineer", "Operations"),
    ("Hannah Klein", "Support agent", "Customer support"),
    ("Ben Wolf", "Support agent", "Customer support"),
    ("Lea Neumann", "Support agent", "Customer support"),
    ("Finn Schwarz", "Support agent", "Customer support"),
    ("Clara Zimmermann", "Sales manager", "Sales"),
    ("Elias Braun", "Sales manager", "Sales"),
    ("Marie Krüger", "Sales manager", "Sales"),
    ("Felix Hofmann", "Developer", "Engineering"),
    ("Laura Hartmann", "Developer", "Engineering"),
    ("David Lange", "Operations engineer", "Operations"),
    ("Julia Werner", "Support agent", "Customer support"),
    ("Leon Krause", "Sales manager", "Sales"),
    ("Nina Meier", "Manager", "People"),
    ("Oskar Lehmann", "Developer", "Engineering"),
];
