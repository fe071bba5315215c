//! Northwind demo: how its controls are implemented, in every state. Thirty Annex A
//! controls are implemented (the SoA and evidence demo data rely on exactly that list:
//! [`NORTHWIND_IMPLEMENTED`]), a dozen partially, some planned (one overdue), one not
//! applicable, the rest not started; monitoring with frequencies and last checks, a few
//! of them late. Dates are relative to the day the demo is loaded.

use crate::controls::ControlPatch;
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppResult, Principal};
use isms_db::users;
use isms_domain::time::format_date;
use std::collections::HashMap;

/// The Annex A controls Northwind has implemented.
pub const NORTHWIND_IMPLEMENTED: [&str; 30] = [
    "5.1", "5.2", "5.3", "5.9", "5.10", "5.15", "5.17", "5.18", "5.23", "5.24", "5.26", "5.30",
    "6.1", "6.2", "6.3", "6.6", "7.1", "7.2", "8.1", "8.2", "8.5", "8.7", "8.8", "8.9", "8.13",
    "8.15", "8.16", "8.24", "8.25", "8.32",
];

const PRIYA: &str = "isms.manager@northwind.example";
const TOM: &str = "contributor@northwind.example";
const AMELIA: &str = "admin@northwind.example";
const DANIEL: &str = "ceo@northwind.example";

/// One control's record.
struct Demo {
    r: &'static str,
    status: &'static str,
    owner: &'static str,
    how: &'static str,
    /// Days from today.
    due: Option<i64>,
    monitoring: &'static str,
    freq: Option<&'static str>,
    /// Days ago, and what it found.
    check: Option<(i64, &'static str, &'static str)>,
    clauses: &'static [&'static str],
}

const fn done(
    r: &'static str,
    owner: &'static str,
    how: &'static str,
    monitoring: &'static str,
    freq: Option<&'static str>,
    check: Option<(i64, &'static str, &'static str)>,
    clauses: &'static [&'static str],
) -> Demo {
    Demo {
        r,
        status: "implemented",
        owner,
        how,
        due: None,
        monitoring,
        freq,
        check,
        clauses,
    }
}

const fn partly(
    r: &'static str,
    owner: &'static str,
    how: &'static str,
    due: i64,
    monitoring: &'static str,
    freq: Option<&'static str>,
    check: Option<(i64, &'static str, &'static str)>,
) -> Demo {
    Demo {
        r,
        status: "partially_implemented",
        owner,
        how,
        due: Some(due),
        monitoring,
        freq,
        check,
        clauses: &[],
    }
}

const fn planned(r: &'static str, owner: &'static str, how: &'static str, due: i64) -> Demo {
    Demo {
        r,
        status: "planned",
        owner,
        how,
        due: Some(due),
        monitoring: "",
        freq: None,
        check: None,
        clauses: &[],
    }
}

const OK: &str = "effective";
const PART: &str = "partly_effective";

const NORTHWIND: &[Demo] = &[
    done(
        "5.1",
        DANIEL,
        "The information security policy is approved by the managing director and published on the intranet. Six topic policies (access control, acceptable use, supplier security, cryptography, backup, incident management) sit under it.",
        "Yearly policy review in the management review; staff confirm they have read the policy when it changes.",
        Some("yearly"),
        Some((
            120,
            OK,
            "All seven policies reviewed; the backup policy was reworded for the new region.",
        )),
        &["5.2", "7.5.3"],
    ),
    done(
        "5.2",
        DANIEL,
        "ISMS roles are written down in the roles register: ISMS manager, risk owners, system owners and the incident lead. Each role holder has accepted the role in writing.",
        "Roles register checked in the management review; vacancies are raised as actions.",
        Some("yearly"),
        Some((
            120,
            OK,
            "All roles filled; the incident lead deputy was named.",
        )),
        &["5.3"],
    ),
    done(
        "5.3",
        AMELIA,
        "Nobody can approve their own production access or merge their own code: the access tool and the repository settings require a second person.",
        "Quarterly report of self-approvals from the access tool and the repository audit log.",
        Some("quarterly"),
        Some((40, OK, "No self-approvals found.")),
        &[],
    ),
    done(
        "5.9",
        TOM,
        "The asset inventory in this workbench lists every system, data store and supplier service, each with an owner and a classification.",
        "Quarterly comparison of the inventory with the cloud account resource list.",
        Some("quarterly"),
        Some((
            60,
            PART,
            "Two test databases were missing from the inventory and were added.",
        )),
        &["8.1"],
    ),
    done(
        "5.10",
        PRIYA,
        "The acceptable use policy is part of onboarding; every employee and contractor signs it before they get an account.",
        "Half-yearly check that every active account has a signed acknowledgement.",
        Some("half_yearly"),
        Some((70, OK, "142 of 142 accounts have a signed acknowledgement.")),
        &[],
    ),
    done(
        "5.15",
        AMELIA,
        "Access follows the access control policy: role-based groups in the identity provider, least privilege by default, and every request approved by the system owner.",
        "Quarterly access review of every group in the identity provider by its system owner.",
        Some("quarterly"),
        Some((
            30,
            OK,
            "Access review done for all 38 groups; 6 stale memberships removed.",
        )),
        &["6.1.3", "8.1"],
    ),
    done(
        "5.17",
        AMELIA,
        "Passwords are managed in the company password manager; the identity provider enforces length and blocks known-breached passwords. Initial passwords are sent through the password manager only.",
        "Monthly report of accounts without a password manager vault and of breached-password warnings.",
        Some("monthly"),
        Some((
            20,
            OK,
            "All accounts have a vault; no breached-password warnings.",
        )),
        &[],
    ),
    done(
        "5.18",
        AMELIA,
        "Joiners, movers and leavers are handled from the HR system: a leaver's accounts are disabled on their last day, a mover's old groups are removed within five working days.",
        "Quarterly reconciliation of the HR leavers list with active accounts.",
        Some("quarterly"),
        Some((125, OK, "No active accounts for leavers.")),
        &[],
    ),
    done(
        "5.23",
        TOM,
        "Cloud services are chosen with the supplier security checklist; the main cloud provider's certifications are checked every year and the shared-responsibility split is written down.",
        "Yearly review of each cloud provider's certificates and our configuration baseline.",
        Some("yearly"),
        Some((
            150,
            OK,
            "Certificates current; baseline updated for the new storage service.",
        )),
        &[],
    ),
    done(
        "5.24",
        PRIYA,
        "The incident management procedure names the incident lead, the on-call rota, severity levels and who tells customers and the regulator.",
        "Incident response exercise every six months, with a short report.",
        Some("half_yearly"),
        Some((
            230,
            PART,
            "Tabletop exercise on a leaked access key; the customer notice template was out of date.",
        )),
        &["10.2"],
    ),
    done(
        "5.26",
        PRIYA,
        "Incidents are handled in the incident channel with a ticket per incident; the incident lead records actions, decisions and timings, and closes with a review.",
        "Monthly review of open incident tickets and of their timings against the procedure.",
        Some("monthly"),
        Some((15, OK, "Two incidents closed within their targets.")),
        &["10.2"],
    ),
    done(
        "5.30",
        TOM,
        "The service runs in two availability zones; a documented failover moves it to the second region. Recovery targets: four hours, fifteen minutes of data.",
        "Failover test twice a year, timed against the recovery targets.",
        Some("half_yearly"),
        Some((
            90,
            OK,
            "Failover in 2 h 40 min; data loss under five minutes.",
        )),
        &["8.1"],
    ),
    done(
        "6.1",
        PRIYA,
        "Every new employee and contractor is screened before they start: identity, right to work, references and, for production engineers, a basic criminal record check.",
        "Quarterly sample of five new starters checked for complete screening records.",
        Some("quarterly"),
        Some((50, OK, "Five of five complete.")),
        &["7.2"],
    ),
    done(
        "6.2",
        PRIYA,
        "Employment contracts and contractor agreements include confidentiality, acceptable use and the duty to report security events.",
        "Yearly review of the contract templates with the legal adviser.",
        Some("yearly"),
        Some((200, OK, "Templates current.")),
        &[],
    ),
    done(
        "6.3",
        PRIYA,
        "Security awareness training at onboarding and every year after, plus a phishing simulation each quarter; engineers also take secure-coding training.",
        "Training completion rate and phishing click rate, reported monthly.",
        Some("monthly"),
        Some((
            10,
            PART,
            "Completion 94 %; click rate 6 %, down from 11 %. Reminders sent to the rest.",
        )),
        &["7.2", "7.3"],
    ),
    done(
        "6.6",
        PRIYA,
        "Suppliers and visitors who see confidential information sign the standard non-disclosure agreement; the signed copies are kept with the contract.",
        "Legal keeps the signed agreements.",
        None,
        None,
        &[],
    ),
    done(
        "7.1",
        AMELIA,
        "The office is on the third floor of a shared building with a staffed reception; the floor is locked outside office hours. No customer data is kept in the office.",
        "Half-yearly walk-round of the office with the building manager.",
        Some("half_yearly"),
        Some((80, OK, "No findings.")),
        &[],
    ),
    done(
        "7.2",
        AMELIA,
        "Badges are issued by reception; visitors sign in and are accompanied.",
        "",
        None,
        None,
        &[],
    ),
    done(
        "8.1",
        TOM,
        "Laptops are managed by the device management service: disk encryption, screen lock, automatic updates and remote wipe are enforced before a laptop can reach company systems.",
        "Weekly compliance report from device management; non-compliant laptops lose access.",
        Some("weekly"),
        Some((3, OK, "139 of 140 compliant; one blocked until updated.")),
        &[],
    ),
    done(
        "8.2",
        AMELIA,
        "Production administrator rights are granted just in time for a ticket, for at most four hours, and approved by a second engineer (see NW-01).",
        "Monthly review of every privileged session against its ticket.",
        Some("monthly"),
        Some((45, OK, "All 57 sessions matched a ticket.")),
        &[],
    ),
    done(
        "8.5",
        AMELIA,
        "Single sign-on with phishing-resistant multi-factor authentication for every company system; no shared accounts.",
        "Monthly report of accounts without a second factor and of sign-ins outside single sign-on.",
        Some("monthly"),
        Some((12, OK, "None found.")),
        &[],
    ),
    done(
        "8.7",
        TOM,
        "Endpoint protection on every laptop and server image, managed centrally; e-mail attachments are scanned by the mail provider.",
        "Weekly report of endpoints with outdated signatures or protection switched off.",
        Some("weekly"),
        Some((4, OK, "All endpoints current.")),
        &[],
    ),
    done(
        "8.8",
        TOM,
        "Container images and dependencies are scanned on every build; critical vulnerabilities are fixed within seven days, high ones within thirty.",
        "Monthly vulnerability report: open findings by age and severity against the targets.",
        Some("monthly"),
        Some((
            25,
            PART,
            "Two high findings older than thirty days in a reporting service; fix planned.",
        )),
        &["6.1.3"],
    ),
    done(
        "8.9",
        TOM,
        "Infrastructure is defined as code; changes go through review and the pipeline. A drift check compares the live configuration with the code.",
        "Daily drift check; the weekly summary is reviewed by the platform lead.",
        Some("weekly"),
        Some((5, OK, "No drift.")),
        &[],
    ),
    done(
        "8.13",
        TOM,
        "Customer databases are backed up every hour to a separate account in another region, encrypted, and kept for 35 days; restores are practised (see NW-02).",
        "Monthly check of backup job results and retention.",
        Some("monthly"),
        Some((50, OK, "All jobs succeeded.")),
        &[],
    ),
    done(
        "8.15",
        TOM,
        "Application, access and infrastructure logs go to the central log store, protected from change and kept for one year.",
        "Monthly check that every production system still sends logs.",
        Some("monthly"),
        Some((18, OK, "All 24 sources sending.")),
        &[],
    ),
    done(
        "8.16",
        TOM,
        "Alerts on the central logs page the on-call engineer for suspicious sign-ins, privilege changes and unusual data exports.",
        "Quarterly review of alert rules and of the alerts that fired.",
        Some("quarterly"),
        Some((35, OK, "Rules tuned; two noisy alerts removed.")),
        &["9.1"],
    ),
    done(
        "8.24",
        AMELIA,
        "Data is encrypted in transit (TLS 1.2 or later) and at rest with keys in the cloud key service; the cryptography policy sets algorithms and key rotation.",
        "Yearly review of the key inventory and the TLS configuration scan.",
        Some("yearly"),
        Some((100, OK, "Keys rotated as planned; TLS scan clean.")),
        &[],
    ),
    done(
        "8.25",
        TOM,
        "The development life cycle includes threat modelling for new features, peer review of every change, and security tests in the pipeline.",
        "Quarterly sample of ten merged changes checked for review and passing security tests.",
        Some("quarterly"),
        Some((60, OK, "Ten of ten compliant.")),
        &[],
    ),
    done(
        "8.32",
        TOM,
        "Changes to production go through the pipeline with review, automated tests and a rollback plan; emergency changes are reviewed the next working day.",
        "Quarterly sample of changes checked for review, test results and rollback plan.",
        Some("quarterly"),
        None,
        &[],
    ),
    // Partly in place.
    partly(
        "5.7",
        PRIYA,
        "The security team follows the national CERT advisories and the cloud provider's security bulletins; nothing is yet written down about who acts on them.",
        60,
        "Monthly note of advisories received and what was done.",
        Some("monthly"),
        Some((
            40,
            PART,
            "Advisories read, but actions were not recorded for two of them.",
        )),
    ),
    partly(
        "5.12",
        PRIYA,
        "The classification scheme (public, internal, confidential, customer data) is approved; most systems in the inventory are classified, the shared drives are not yet.",
        -20,
        "",
        None,
        None,
    ),
    partly(
        "5.14",
        TOM,
        "Customer data leaves only through the product's export and the encrypted file transfer service; rules for e-mailing documents to customers are still being written.",
        45,
        "",
        None,
        None,
    ),
    partly(
        "5.19",
        PRIYA,
        "New suppliers are assessed with the supplier security checklist; the older suppliers have not all been assessed yet.",
        90,
        "Quarterly list of suppliers without a current assessment.",
        Some("quarterly"),
        Some((30, PART, "Seven of nineteen suppliers still to assess.")),
    ),
    partly(
        "5.21",
        TOM,
        "Open-source dependencies are scanned on every build; a software bill of materials is produced for the main service but not yet for the reporting tools.",
        75,
        "",
        None,
        None,
    ),
    partly(
        "5.25",
        PRIYA,
        "Events are triaged by the on-call engineer; the criteria for calling something an incident are in a draft of the procedure.",
        30,
        "",
        None,
        None,
    ),
    partly(
        "5.28",
        PRIYA,
        "Logs are kept unchanged for a year, but there is no written way yet of collecting and handing over evidence for a legal case.",
        120,
        "",
        None,
        None,
    ),
    partly(
        "5.34",
        PRIYA,
        "The records of processing and the data processing agreement are in place; the data protection impact assessments for two older features are outstanding.",
        60,
        "Half-yearly review of the records of processing with the data protection adviser.",
        Some("half_yearly"),
        Some((210, OK, "Records up to date at the time.")),
    ),
    partly(
        "6.7",
        PRIYA,
        "Most staff work from home part of the week; laptops are managed (8.1) but the remote working guideline is still a draft.",
        40,
        "",
        None,
        None,
    ),
    partly(
        "8.12",
        TOM,
        "The mail provider blocks outgoing messages with card numbers; nothing yet watches the file sharing service.",
        100,
        "",
        None,
        None,
    ),
    partly(
        "8.20",
        TOM,
        "Production networks are private with security groups defined in code; the office network still has one flat guest and staff network.",
        50,
        "Monthly review of security groups open to the internet.",
        Some("monthly"),
        Some((20, OK, "Only the load balancers are open.")),
    ),
    partly(
        "8.28",
        TOM,
        "Static analysis runs in the pipeline for the main service; the secure coding guideline is being written with the engineering leads.",
        80,
        "",
        None,
        None,
    ),
    // Decided, not started yet.
    planned(
        "5.5",
        PRIYA,
        "List the authorities to contact (data protection authority, national CERT, police cyber unit) with who contacts them and when.",
        -15,
    ),
    planned(
        "5.8",
        PRIYA,
        "Add a security checkpoint to the project template: risks and controls agreed before a project starts building.",
        60,
    ),
    planned(
        "5.36",
        PRIYA,
        "A yearly compliance check of each topic policy by its owner, reported to the management review.",
        150,
    ),
    planned(
        "6.4",
        PRIYA,
        "Write the disciplinary process for security breaches with HR and make it part of the employee handbook.",
        90,
    ),
    planned(
        "8.11",
        TOM,
        "Mask customer personal data in the copies used by support and for testing.",
        120,
    ),
    planned(
        "8.23",
        TOM,
        "Filter known malicious websites on laptops through the device management service.",
        45,
    ),
    Demo {
        r: "7.12",
        status: "not_applicable",
        owner: AMELIA,
        how: "No servers or network equipment of our own: the office uses the building's wireless network only and production runs with the cloud provider.",
        due: None,
        monitoring: "",
        freq: None,
        check: None,
        clauses: &[],
    },
    // Own controls.
    done(
        "NW-01",
        AMELIA,
        "Every production access grant needs a second engineer's approval in the access tool; the approvals are kept for two years.",
        "Monthly sample of grants checked for a second approval.",
        Some("monthly"),
        Some((15, OK, "Twenty of twenty approved by a second engineer.")),
        &[],
    ),
    done(
        "NW-02",
        TOM,
        "Each quarter an engineer restores a random customer database into a clean account and records the time it took.",
        "The restore drill itself, timed against the four-hour target.",
        Some("quarterly"),
        Some((100, OK, "Restore took 52 minutes.")),
        &[],
    ),
    partly(
        "NW-03",
        TOM,
        "Tenant isolation tests run in the release pipeline for the API; the reporting service is not covered yet.",
        70,
        "Every release: the pipeline fails on a test that reads across tenants.",
        Some("weekly"),
        Some((2, OK, "All isolation tests passed.")),
    ),
    done(
        "NW-04",
        PRIYA,
        "Customers are told 30 days before a new sub-processor handles their data, through the status page and by e-mail to their admins.",
        "Half-yearly comparison of the sub-processor list with the notices sent.",
        Some("half_yearly"),
        Some((60, OK, "Both new sub-processors were announced in time.")),
        &[],
    ),
];

impl App {
    /// Northwind's control implementations (once: skipped when 5.1 is recorded).
    pub(crate) async fn demo_controls(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        if !crate::demo::full_demo(ctx) || self.get_control(ctx, "5.1").await?.recorded {
            return Ok(());
        }
        let mut ids = HashMap::new();
        {
            let mut c = self.db.read().await?;
            for email in [PRIYA, TOM, AMELIA, DANIEL] {
                if let Some(u) = users::user_by_email(&mut c, email).await? {
                    ids.insert(email, u.id);
                }
            }
        }
        let today = self.today();
        let day = |offset: i64| format_date(today.saturating_add(time::Duration::days(offset)));
        for d in NORTHWIND {
            let patch = ControlPatch {
                owner_id: Some(ids.get(d.owner).copied()),
                status: Some(d.status.into()),
                implementation: Some(d.how.into()),
                due_on: Some(d.due.map(day)),
                monitoring: Some(d.monitoring.into()),
                check_frequency: Some(d.freq.map(Into::into)),
                last_check_on: Some(d.check.map(|(ago, _, _)| day(-ago))),
                last_check_result: Some(d.check.map(|(_, r, _)| r.into())),
                last_check_note: Some(d.check.map_or("", |(_, _, n)| n).into()),
                clauses: Some(d.clauses.iter().map(|c| (*c).to_owned()).collect()),
                version: 0,
            };
            self.update_control(Actor::User(p), ctx, d.r, &patch)
                .await
                .map_err(|e| crate::AppError::Internal(format!("demo control {}: {e}", d.r)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_implemented_list_is_what_the_demo_records() {
        let implemented: Vec<&str> = NORTHWIND
            .iter()
            .filter(|d| d.status == "implemented" && !d.r.starts_with("NW"))
            .map(|d| d.r)
            .collect();
        assert_eq!(implemented, NORTHWIND_IMPLEMENTED);
        let partly = NORTHWIND
            .iter()
            .filter(|d| d.status == "partially_implemented" && !d.r.starts_with("NW"))
            .count();
        assert_eq!(partly, 12);
        assert!(!NORTHWIND.iter().any(|d| d.r == "7.4" || d.r == "7.5"));
    }
}
