//! Northwind's asset inventory for the demo: about 120 assets of every type, owned by its
//! members, rated and tagged, some out of scope; about 40 data flows (some not encrypted);
//! and links from the demo risks to the assets they concern. Loaded once (idempotent).

use crate::assets::{AssetQuery, NewAsset, NewDataFlow};
use crate::orgs::OrgCtx;
use crate::risks::{RiskPatch, RiskQuery};
use crate::{Actor, App, AppResult, Principal};
use isms_db::users;
use std::collections::HashMap;

const INFORMATION: &[&str] = &[
    "Customer account records",
    "Customer support tickets",
    "Payment card tokens",
    "Invoices and credit notes",
    "Employee HR files",
    "Payroll records",
    "Recruitment applications",
    "Board minutes",
    "Customer contracts",
    "Supplier contracts",
    "Product roadmap",
    "Source code",
    "Production database backups",
    "Application logs",
    "Security incident records",
    "Access review records",
    "Internal audit reports",
    "Marketing contact list",
    "Pricing models",
    "Encryption keys and secrets",
];
const SOFTWARE: &[&str] = &[
    "Customer portal",
    "Billing service",
    "Identity provider",
    "Admin console",
    "Public API gateway",
    "Mobile app for iOS",
    "Mobile app for Android",
    "Data warehouse",
    "Analytics pipeline",
    "Build and deploy pipeline",
    "Endpoint protection agent",
    "Password manager",
    "Ticketing system",
    "CRM",
    "HR information system",
    "Payroll software",
    "Accounting package",
    "Monitoring stack",
    "Log management platform",
    "Feature flag service",
    "Email security gateway",
    "Customer database",
];
const HARDWARE: &[&str] = &[
    "Engineering laptops",
    "Sales laptops",
    "Finance laptops",
    "Firewall London office",
    "Firewall Leeds office",
    "Wi-Fi access points London",
    "Wi-Fi access points Leeds",
    "Meeting room displays",
    "Printers London",
    "Company mobile phones",
    "Security keys for administrators",
    "Backup NAS Leeds",
    "Door badge readers",
    "CCTV recorder",
    "Network switches London",
    "Network switches Leeds",
    "Spare laptop stock",
    "Legacy FTP server",
];
const SERVICE: &[&str] = &[
    "Production hosting EU",
    "Production hosting US",
    "Disaster recovery region",
    "Corporate email",
    "Video conferencing",
    "Office documents and file sharing",
    "Customer support desk",
    "Payment processing",
    "Transactional email service",
    "DNS hosting",
    "Content delivery network",
    "Backup service",
    "On-call paging",
    "Single sign-on",
    "Public status page",
    "Electronic signature service",
    "Expense management",
    "Travel booking",
    "Penetration testing",
    "Security monitoring centre",
];
const PEOPLE: &[&str] = &[
    "Platform engineering team",
    "Product engineering team",
    "Security team",
    "Customer support team",
    "Sales team",
    "Finance team",
    "People team",
    "Executive team",
    "Data team",
    "On-call engineers",
    "Database administrators",
    "Contract developers",
    "Office managers",
    "Internal auditors",
];
const SITE: &[&str] = &[
    "London office",
    "Leeds office",
    "Home workers",
    "EU data centre of the hosting provider",
    "US data centre of the hosting provider",
    "Off-site archive store",
];
const SUPPLIER: &[&str] = &[
    "Managed payroll bureau",
    "Outsourced IT help desk",
    "Cloud accounting",
    "Recruitment platform",
    "Background checks provider",
    "Marketing automation",
    "Survey tool",
    "Translation agency",
    "Legal document review",
    "Confidential shredding",
    "Courier service",
    "Card acquiring bank",
    "Insurance broker portal",
    "Learning platform",
    "Customer chat widget",
    "Error tracking service",
    "Uptime checker",
    "Code quality scanner",
    "Dependency scanner",
    "Device management",
];

/// Out of scope: nothing of the certified service depends on them.
const OUT_OF_SCOPE: &[&str] = &[
    "Meeting room displays",
    "Printers London",
    "Travel booking",
    "Survey tool",
    "Translation agency",
    "Marketing contact list",
    "Spare laptop stock",
    "Insurance broker portal",
    "Expense management",
    "Off-site archive store",
];

/// (from, to, data, mechanism, encrypted)
const FLOWS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "Customer portal",
        "Customer database",
        "Customer account details",
        "database",
        true,
    ),
    (
        "Customer portal",
        "Billing service",
        "Subscription changes",
        "api",
        true,
    ),
    (
        "Billing service",
        "Payment processing",
        "Payment card tokens",
        "api",
        true,
    ),
    (
        "Payment processing",
        "Card acquiring bank",
        "Card payments",
        "api",
        true,
    ),
    (
        "Billing service",
        "Accounting package",
        "Invoices",
        "file_transfer",
        true,
    ),
    (
        "Accounting package",
        "Cloud accounting",
        "Ledger exports",
        "file_transfer",
        true,
    ),
    (
        "Mobile app for iOS",
        "Public API gateway",
        "Customer requests",
        "api",
        true,
    ),
    (
        "Mobile app for Android",
        "Public API gateway",
        "Customer requests",
        "api",
        true,
    ),
    (
        "Public API gateway",
        "Customer portal",
        "Customer requests",
        "api",
        true,
    ),
    (
        "Customer database",
        "Production database backups",
        "Nightly database dump",
        "file_transfer",
        true,
    ),
    (
        "Production database backups",
        "Backup service",
        "Backup copies",
        "file_transfer",
        true,
    ),
    (
        "Backup service",
        "Backup NAS Leeds",
        "Second backup copy",
        "file_transfer",
        false,
    ),
    (
        "Customer database",
        "Data warehouse",
        "Customer usage data",
        "messaging",
        true,
    ),
    (
        "Data warehouse",
        "Analytics pipeline",
        "Aggregated usage",
        "database",
        true,
    ),
    (
        "Analytics pipeline",
        "Marketing automation",
        "Customer segments",
        "api",
        true,
    ),
    (
        "Customer support desk",
        "Ticketing system",
        "Support requests",
        "api",
        true,
    ),
    (
        "Ticketing system",
        "Customer chat widget",
        "Chat transcripts",
        "api",
        true,
    ),
    (
        "Customer support team",
        "Ticketing system",
        "Case notes",
        "manual",
        true,
    ),
    (
        "HR information system",
        "Payroll software",
        "Salary changes",
        "api",
        true,
    ),
    (
        "Payroll software",
        "Managed payroll bureau",
        "Monthly payroll file",
        "file_transfer",
        false,
    ),
    (
        "Managed payroll bureau",
        "Finance team",
        "Payslips",
        "email",
        false,
    ),
    (
        "Recruitment platform",
        "HR information system",
        "New starter details",
        "api",
        true,
    ),
    (
        "HR information system",
        "Background checks provider",
        "Candidate identity data",
        "email",
        false,
    ),
    (
        "Identity provider",
        "Single sign-on",
        "Sign-in assertions",
        "api",
        true,
    ),
    (
        "Single sign-on",
        "Admin console",
        "Administrator sessions",
        "api",
        true,
    ),
    (
        "Identity provider",
        "Device management",
        "Device compliance status",
        "api",
        true,
    ),
    (
        "Application logs",
        "Log management platform",
        "Application and audit logs",
        "messaging",
        true,
    ),
    (
        "Log management platform",
        "Security monitoring centre",
        "Security alerts",
        "api",
        true,
    ),
    ("Monitoring stack", "On-call paging", "Alerts", "api", true),
    (
        "Monitoring stack",
        "Public status page",
        "Service health",
        "api",
        true,
    ),
    (
        "Source code",
        "Build and deploy pipeline",
        "Code changes",
        "api",
        true,
    ),
    (
        "Build and deploy pipeline",
        "Production hosting EU",
        "Release packages",
        "api",
        true,
    ),
    (
        "Build and deploy pipeline",
        "Production hosting US",
        "Release packages",
        "api",
        true,
    ),
    (
        "Source code",
        "Dependency scanner",
        "Dependency lists",
        "api",
        true,
    ),
    (
        "Customer portal",
        "Error tracking service",
        "Error reports",
        "api",
        true,
    ),
    (
        "Transactional email service",
        "Corporate email",
        "Bounce reports",
        "email",
        false,
    ),
    (
        "Billing service",
        "Transactional email service",
        "Invoice e-mails",
        "api",
        true,
    ),
    (
        "Legacy FTP server",
        "Customer database",
        "Bulk customer uploads",
        "file_transfer",
        false,
    ),
    (
        "Board minutes",
        "Office documents and file sharing",
        "Board papers",
        "manual",
        true,
    ),
    (
        "Internal audit reports",
        "Executive team",
        "Audit results",
        "email",
        true,
    ),
    (
        "Production hosting EU",
        "Disaster recovery region",
        "Replicated data",
        "database",
        true,
    ),
];

/// Demo risk number → the assets it concerns.
const RISK_ASSETS: &[(i64, &[&str])] = &[
    (1, &["Production database backups", "Backup NAS Leeds"]),
    (2, &["Customer account records", "Production hosting EU"]),
    (3, &["Corporate email", "Single sign-on"]),
    (4, &["Platform engineering team", "Source code"]),
    (5, &["Customer portal", "Production hosting EU"]),
    (6, &["Sales laptops", "Customer account records"]),
    (7, &["Admin console", "Identity provider"]),
    (8, &["Customer support tickets", "Ticketing system"]),
    (9, &["Backup service", "Production database backups"]),
    (10, &["Public API gateway", "Content delivery network"]),
    (11, &["London office", "Network switches London"]),
    (12, &["Legacy FTP server"]),
    (13, &["Admin console", "Security keys for administrators"]),
    (14, &["Customer database", "Database administrators"]),
    (15, &["Billing service", "Build and deploy pipeline"]),
    (16, &["Source code", "Build and deploy pipeline"]),
    (17, &["Customer portal"]),
    (18, &["Customer portal", "Customer database"]),
    (19, &["Identity provider", "Customer portal"]),
    (20, &["Customer support team", "Customer account records"]),
    (21, &["Payroll records", "Finance team"]),
    (22, &["Customer account records", "CRM"]),
    (23, &["Contract developers"]),
    (24, &["Security monitoring centre", "Application logs"]),
    (25, &["Corporate email"]),
    (26, &["Production hosting EU", "Disaster recovery region"]),
    (27, &["Production hosting EU"]),
    (28, &["Backup service", "Production database backups"]),
    (29, &["Production hosting EU"]),
    (30, &["Log management platform", "Monitoring stack"]),
    (31, &["Security team", "Security incident records"]),
    (32, &["Customer contracts", "Customer account records"]),
    (33, &["Internal audit reports", "Access review records"]),
    (34, &["Spare laptop stock"]),
    (35, &["London office", "Engineering laptops"]),
    (36, &["London office"]),
    (37, &["London office", "Leeds office", "Home workers"]),
    (38, &["Platform engineering team"]),
    (39, &["Admin console"]),
    (40, &["Firewall London office", "Firewall Leeds office"]),
    (41, &["Legacy FTP server"]),
];

const OWNERS: &[&str] = &[
    "isms.manager@northwind.example",
    "contributor@northwind.example",
    crate::demo::DEMO_ADMIN,
    "ceo@northwind.example",
];

fn tags_for(name: &str, kind: &str) -> Vec<String> {
    let n = name.to_lowercase();
    let mut t = Vec::new();
    let has = |w: &[&str]| w.iter().any(|x| n.contains(x));
    if has(&["customer", "crm", "portal", "chat"]) {
        t.push("customer-data");
    }
    if has(&[
        "payroll",
        "hr ",
        "hr files",
        "employee",
        "recruitment",
        "background",
        "people team",
    ]) {
        t.push("personal-data");
    }
    if has(&[
        "payment",
        "card",
        "billing",
        "invoice",
        "accounting",
        "ledger",
    ]) {
        t.push("payments");
    }
    if has(&[
        "production",
        "hosting",
        "database",
        "backup",
        "api gateway",
        "deploy",
    ]) {
        t.push("production");
    }
    if has(&["london"]) {
        t.push("london");
    }
    if has(&["leeds"]) {
        t.push("leeds");
    }
    if kind == "supplier_provided" {
        t.push("supplier");
    }
    t.into_iter().map(str::to_owned).collect()
}

fn ratings(kind: &str, name: &str, i: usize) -> (i64, i64, i64) {
    let n = name.to_lowercase();
    let step = |k: usize| i64::try_from((i * 7 + k) % 3).unwrap_or(0);
    let (c, ig, a) = match kind {
        "information" => (3, 3, 2),
        "software" | "service" => (2, 3, 3),
        "hardware" => (2, 2, 2),
        "people" => (2, 2, 3),
        "site" => (1, 2, 3),
        _ => (2, 2, 2),
    };
    let sensitive = [
        "card",
        "keys",
        "payroll",
        "hr files",
        "customer database",
        "secrets",
    ];
    if sensitive.iter().any(|s| n.contains(s)) {
        return (4, 4, 3);
    }
    (
        (c + step(0) - 1).clamp(1, 4),
        (ig + step(1) - 1).clamp(1, 4),
        (a + step(2) - 1).clamp(1, 4),
    )
}

fn location(kind: &str, name: &str) -> &'static str {
    let n = name.to_lowercase();
    if n.contains("london") {
        return "London office";
    }
    if n.contains("leeds") {
        return "Leeds office";
    }
    if n.contains(" us") {
        return "Hosting provider, US East";
    }
    match kind {
        "information" => "Production hosting EU",
        "software" => "Hosting provider, EU West",
        "hardware" => "With staff; asset register in device management",
        "service" => "Cloud service",
        "people" => "London and Leeds offices, home working",
        "site" => "United Kingdom",
        _ => "Supplier's premises",
    }
}

impl App {
    /// Northwind's inventory, flows and risk links (once: nothing happens when the
    /// organisation already has assets).
    pub(crate) async fn demo_assets(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        let existing = self
            .list_assets(
                ctx,
                &AssetQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if !existing.items.is_empty() {
            return Ok(());
        }
        let mut c = self.db.read().await?;
        let mut owners = Vec::new();
        for e in OWNERS {
            if let Some(u) = users::user_by_email(&mut c, e).await? {
                owners.push(u.id);
            }
        }
        drop(c);
        let all: [(&str, &[&str]); 7] = [
            ("information", INFORMATION),
            ("software", SOFTWARE),
            ("hardware", HARDWARE),
            ("service", SERVICE),
            ("people", PEOPLE),
            ("site", SITE),
            ("supplier_provided", SUPPLIER),
        ];
        let mut ids = HashMap::new();
        let mut i = 0usize;
        for (kind, names) in all {
            for name in names {
                let (conf, integ, avail) = ratings(kind, name, i);
                let owner = owners.get(i % owners.len().max(1)).copied();
                let custodian = owners.get((i + 1) % owners.len().max(1)).copied();
                let a = self
                    .create_asset(
                        Actor::User(p),
                        ctx,
                        &NewAsset {
                            asset_type: kind.into(),
                            name: (*name).into(),
                            description: String::new(),
                            owner_id: owner,
                            custodian_id: custodian.filter(|_| i.is_multiple_of(3)),
                            location: location(kind, name).into(),
                            confidentiality: conf,
                            integrity: integ,
                            availability: avail,
                            in_scope: !OUT_OF_SCOPE.contains(name),
                            tags: tags_for(name, kind),
                        },
                    )
                    .await?;
                ids.insert(*name, a.id);
                i += 1;
            }
        }
        for (from, to, data, mechanism, encrypted) in FLOWS {
            let (Some(f), Some(t)) = (ids.get(from), ids.get(to)) else {
                continue;
            };
            self.create_data_flow(
                Actor::User(p),
                ctx,
                &NewDataFlow {
                    from_asset_id: *f,
                    to_asset_id: *t,
                    data_category: (*data).into(),
                    mechanism: (*mechanism).into(),
                    encrypted: *encrypted,
                    description: String::new(),
                },
            )
            .await?;
        }
        let risks = self
            .list_risks(
                ctx,
                &RiskQuery {
                    limit: Some(100),
                    ..Default::default()
                },
            )
            .await?;
        for r in risks.items {
            let Some((_, names)) = RISK_ASSETS.iter().find(|(n, _)| *n == r.number) else {
                continue;
            };
            let assets = names.iter().filter_map(|n| ids.get(n).copied()).collect();
            self.update_risk(
                Actor::User(p),
                ctx,
                r.id,
                &RiskPatch {
                    assets: Some(assets),
                    version: r.version,
                    ..Default::default()
                },
            )
            .await?;
        }
        Ok(())
    }
}
