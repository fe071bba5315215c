//! Northwind's certification: Meridian Certification Ltd ran Stage 1 and Stage 2 early in
//! 2026, certified the ISMS on 10 March 2026, and the first surveillance, the second and
//! the recertification are planned inside the cycle's rules. Skipped once Northwind has a
//! certification body.

use crate::certification::{CertAuditInput, CertificateInput, NewCertBody};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppResult, Principal};

/// (kind, status, start, end, auditor-days, scope, outcome)
type DemoAudit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
);

const AUDITS: &[DemoAudit] = &[
    (
        "stage1",
        "held",
        "2026-01-12",
        "2026-01-13",
        4.0,
        "Documentation review and readiness: scope, policy, risk method and results, SoA, internal audit and management review.",
        "Ready for Stage 2. Two areas of concern: supplier assessments not yet done for two critical suppliers; objectives lacked a measurement method.",
    ),
    (
        "stage2",
        "held",
        "2026-02-16",
        "2026-02-19",
        9.0,
        "Whole ISMS at the London office and the AWS production environment; sample of 30 Annex A controls.",
        "Recommended for certification. One minor nonconformity (access reviews not recorded for the billing system), three observations.",
    ),
    (
        "surveillance1",
        "planned",
        "2027-02-08",
        "2027-02-10",
        4.5,
        "Internal audit, management review, actions on the Stage 2 findings, changes, and a sample of technological controls.",
        "",
    ),
    (
        "surveillance2",
        "planned",
        "2028-02-07",
        "2028-02-09",
        4.5,
        "Internal audit, management review, people and physical controls, the Leeds office.",
        "",
    ),
    (
        "recertification",
        "planned",
        "2028-11-13",
        "2028-11-17",
        9.0,
        "Whole ISMS for the next three-year cycle.",
        "",
    ),
];

impl App {
    pub(crate) async fn demo_certification(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        if !self
            .list_cert_bodies(ctx, None, Some(1))
            .await?
            .items
            .is_empty()
        {
            return Ok(());
        }
        let a = Actor::User(p);
        let body = self
            .create_cert_body(
                a,
                ctx,
                &NewCertBody {
                    name: "Meridian Certification Ltd".into(),
                    accreditation: "UKAS 0421".into(),
                    contact_name: "Helen Ward (scheme manager)".into(),
                    contact_email: "isms@meridian-cert.example".into(),
                    notes: "Contract signed November 2025 for the initial audit and the first three-year cycle.".into(),
                },
            )
            .await?;
        for (kind, status, start, end, days, scope, outcome) in AUDITS {
            let held = *status == "held";
            self.create_cert_audit(
                a,
                ctx,
                &CertAuditInput {
                    body_id: Some(body.id),
                    kind: (*kind).into(),
                    status: Some((*status).into()),
                    planned_start: (*start).into(),
                    planned_end: (*end).into(),
                    actual_start: held.then(|| (*start).into()),
                    actual_end: held.then(|| (*end).into()),
                    lead_auditor: "David Osei".into(),
                    team: vec!["David Osei".into(), "Priya Raman".into()],
                    auditor_days: *days,
                    scope: (*scope).into(),
                    // Stage 2 audited the SoA the certificate relies on.
                    soa_version: (*kind == "stage2").then_some(1),
                    outcome: (*outcome).into(),
                    version: None,
                },
            )
            .await?;
        }
        self.create_certificate(
            a,
            ctx,
            &CertificateInput {
                body_id: Some(body.id),
                certificate_no: "MC-ISMS-26-0142".into(),
                scope: "The provision of Northwind's cloud logistics platform and customer support, operated from London, hosted at AWS eu-west-2, in accordance with the Statement of Applicability.".into(),
                decision_on: "2026-03-10".into(),
                issued_on: Some("2026-03-12".into()),
                expires_on: None,
                soa_version: Some(1),
                version: None,
            },
        )
        .await?;
        Ok(())
    }
}
