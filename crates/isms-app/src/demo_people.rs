//! Northwind's suppliers for the demo: eight suppliers, two of them critical (one
//! assessed this year, one never assessed), one whose assessment is overdue, one whose
//! contract sets no security requirements and one offboarded, each with its assessment
//! history. Loaded once (idempotent); dates are relative to today.

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
        Ok(())
    }
}
