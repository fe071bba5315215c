//! Northwind's evidence register for the demo: about two dozen small files (access review
//! exports, a backup restore log, a training attendance list, reports as real one-page
//! PDFs) and links to tickets, for most of the controls Northwind has implemented. Four
//! have expired — one superseded by a newer review, three the only evidence of their
//! control — so the coverage page has something to show. Some are linked to clauses and
//! risks too. Loaded once (idempotent); dates are relative to today.

use crate::blobs::Upload;
use crate::evidence::{EvidenceQuery, NewEvidence, NewLink};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppResult, Principal};
use isms_db::users;
use isms_domain::time::format_date;
use time::Duration;

/// What a demo item holds.
enum Body {
    Csv(&'static str),
    Text(&'static str),
    Markdown(&'static str),
    /// A one-page PDF with these lines.
    Pdf(&'static [&'static str]),
    Link(&'static str),
}

/// One demo item: title, description, who collected it, file name, contents, collected
/// (days ago), covers (days ago, from and to), valid for (days after collection; `None`
/// never expires), controls, clauses, risks.
struct Item {
    title: &'static str,
    description: &'static str,
    by: &'static str,
    file: &'static str,
    body: Body,
    collected_ago: i64,
    covers_ago: Option<(i64, i64)>,
    valid_days: Option<i64>,
    controls: &'static [&'static str],
    clauses: &'static [&'static str],
    risks: &'static [i64],
}

const MANAGER: &str = "isms.manager@northwind.example";
const CONTRIBUTOR: &str = "contributor@northwind.example";
const AUDITOR: &str = "internal.auditor@northwind.example";
const CEO: &str = "ceo@northwind.example";

const ITEMS: &[Item] = &[
    Item {
        title: "Information security policy approval record",
        description: "Board minute approving version 3 of the information security policy and its communication to all staff.",
        by: CEO,
        file: "policy-approval-board-minute.pdf",
        body: Body::Pdf(&[
            "Northwind Cloud Ltd - Board meeting, extract of minutes",
            "Item 4: Information security policy, version 3",
            "The board approved the policy as presented by the ISMS manager.",
            "The policy is to be published on the intranet and acknowledged by all staff.",
        ]),
        collected_ago: 150,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["5.1"],
        clauses: &["5.2"],
        risks: &[],
    },
    Item {
        title: "ISMS roles and responsibilities matrix",
        description: "Who holds each ISMS role, with the deputy, and the duties kept apart.",
        by: MANAGER,
        file: "isms-roles-matrix.csv",
        body: Body::Csv(
            "role,holder,deputy,conflicting duty kept apart\nISMS manager,Priya Raman,Tom Becker,approving own access\nAsset owner (production),Tom Becker,Priya Raman,reviewing own changes\nInternal auditor,Grace Okafor,external firm,auditing own work\n",
        ),
        collected_ago: 120,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["5.2", "5.3"],
        clauses: &["5.3"],
        risks: &[],
    },
    Item {
        title: "Asset inventory export",
        description: "The inventory as exported for the management review, with owners and classification.",
        by: MANAGER,
        file: "asset-inventory-2026-10.csv",
        body: Body::Csv(
            "reference,name,type,owner,classification\nA-001,Customer account records,information,Priya Raman,Confidential\nA-021,Customer portal,software,Tom Becker,Confidential\nA-045,Engineering laptops,hardware,Tom Becker,Internal\n",
        ),
        collected_ago: 40,
        covers_ago: None,
        valid_days: Some(180),
        controls: &["5.9"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Quarterly access review, Q3",
        description: "Review of every production and admin-console account by its owner; three accounts removed.",
        by: CONTRIBUTOR,
        file: "access-review-2026-Q3.csv",
        body: Body::Csv(
            "account,system,owner decision,reviewer,date\nana.petrov,admin console,keep,Tom Becker,2026-10-02\nold.contractor,production,remove,Tom Becker,2026-10-02\nsvc-reporting,data warehouse,keep (service),Priya Raman,2026-10-03\nj.hansen,production,remove (left),Tom Becker,2026-10-03\n",
        ),
        collected_ago: 55,
        covers_ago: Some((150, 58)),
        valid_days: Some(120),
        controls: &["5.15", "5.18"],
        clauses: &["9.1"],
        risks: &[3],
    },
    Item {
        title: "Quarterly access review, Q2",
        description: "The previous review, kept as history.",
        by: CONTRIBUTOR,
        file: "access-review-2026-Q2.csv",
        body: Body::Csv(
            "account,system,owner decision,reviewer,date\nana.petrov,admin console,keep,Tom Becker,2026-07-01\ntemp.support,production,remove,Tom Becker,2026-07-01\n",
        ),
        collected_ago: 150,
        covers_ago: Some((240, 152)),
        valid_days: Some(95),
        controls: &["5.15", "5.18"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Password manager policy settings",
        description: "Screenshot ticket showing minimum length, breach checks and enforced MFA in the password manager.",
        by: CONTRIBUTOR,
        file: "",
        body: Body::Link("https://tickets.northwind.example/SEC-214"),
        collected_ago: 80,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["5.17"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Supplier security review: cloud hosting provider",
        description: "Annual review of the hosting provider's ISO 27001 certificate, SOC 2 report and open findings.",
        by: MANAGER,
        file: "supplier-review-hosting.pdf",
        body: Body::Pdf(&[
            "Supplier security review - cloud hosting provider",
            "Certificate: ISO/IEC 27001:2022, valid until 2027-08",
            "SOC 2 Type II report reviewed; two exceptions, neither affecting Northwind",
            "Decision: continue; next review in twelve months",
        ]),
        collected_ago: 90,
        covers_ago: Some((455, 90)),
        valid_days: Some(365),
        controls: &["5.23"],
        clauses: &["8.1"],
        risks: &[2],
    },
    Item {
        title: "Incident response tabletop exercise report",
        description: "Ransomware scenario walked through with engineering, support and the CEO; five actions raised.",
        by: MANAGER,
        file: "tabletop-exercise-2025.pdf",
        body: Body::Pdf(&[
            "Incident response tabletop exercise - ransomware on file shares",
            "Participants: engineering, support, ISMS manager, CEO",
            "Time to decision to restore from backup: 40 minutes",
            "Actions: update contact list; pre-approve customer notice text; three more",
        ]),
        collected_ago: 420,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["5.24", "5.26"],
        clauses: &[],
        risks: &[1],
    },
    Item {
        title: "ICT continuity test report",
        description: "Fail-over of the customer portal to the second region, with the time it took.",
        by: CONTRIBUTOR,
        file: "ict-continuity-test.pdf",
        body: Body::Pdf(&[
            "ICT continuity test - customer portal fail-over",
            "Recovery time objective: 4 hours. Achieved: 1 hour 50 minutes",
            "Recovery point objective: 15 minutes. Achieved: 6 minutes",
        ]),
        collected_ago: 60,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["5.30"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Background check log",
        description: "Checks completed before start for everyone hired this year.",
        by: MANAGER,
        file: "background-checks-2026.csv",
        body: Body::Csv(
            "hire,start date,identity,right to work,references,completed\nP. Adeyemi,2026-03-02,yes,yes,yes,2026-02-20\nL. Chen,2026-06-15,yes,yes,yes,2026-06-01\n",
        ),
        collected_ago: 30,
        covers_ago: Some((330, 30)),
        valid_days: Some(365),
        controls: &["6.1"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Signed terms of employment (sample)",
        description: "The HR system record of the signed confidentiality clause for the last five hires.",
        by: MANAGER,
        file: "",
        body: Body::Link("https://hr.northwind.example/reports/confidentiality-signatures"),
        collected_ago: 30,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["6.2"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Security awareness training attendance 2025",
        description: "Who completed the annual awareness course, with dates and scores.",
        by: MANAGER,
        file: "awareness-training-attendance-2025.csv",
        body: Body::Csv(
            "name,team,completed,score\nAna Petrov,engineering,2025-09-12,92\nTom Becker,engineering,2025-09-15,88\nSam Rivera,support,2025-09-20,95\nGrace Okafor,finance,2025-10-01,90\n",
        ),
        collected_ago: 400,
        covers_ago: Some((460, 400)),
        valid_days: Some(365),
        controls: &["6.3"],
        clauses: &["7.2", "7.3"],
        risks: &[],
    },
    Item {
        title: "Remote working agreements register",
        description: "Everyone working from home has signed the remote working rules.",
        by: MANAGER,
        file: "remote-working-register.csv",
        body: Body::Csv(
            "name,signed on,home office checked\nAna Petrov,2026-01-10,yes\nSam Rivera,2026-02-03,yes\n",
        ),
        collected_ago: 100,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["6.6"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Office access badge review",
        description: "Badges of leavers cancelled; visitor log checked for the last quarter.",
        by: CONTRIBUTOR,
        file: "badge-review-2026-Q3.txt",
        body: Body::Text(
            "Badge review, London office, Q3 2026\nActive badges: 64; leavers' badges cancelled: 3 (all within a day)\nVisitor log: 41 visits, all escorted and signed out\n",
        ),
        collected_ago: 50,
        covers_ago: Some((140, 50)),
        valid_days: Some(180),
        controls: &["7.1"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Device management compliance report",
        description: "Disk encryption, screen lock and OS updates on every managed laptop.",
        by: CONTRIBUTOR,
        file: "mdm-compliance-2026-11.csv",
        body: Body::Csv(
            "device,owner,disk encrypted,screen lock,os current\nNW-LT-014,Ana Petrov,yes,yes,yes\nNW-LT-022,Sam Rivera,yes,yes,no (update pending)\nNW-LT-031,Tom Becker,yes,yes,yes\n",
        ),
        collected_ago: 12,
        covers_ago: None,
        valid_days: Some(90),
        controls: &["8.1"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Privileged access list",
        description: "Everyone with administrator rights in production and the identity provider, approved by the ISMS manager.",
        by: CONTRIBUTOR,
        file: "privileged-access-2026-10.csv",
        body: Body::Csv(
            "person,system,right,approved by\nTom Becker,production,admin,Priya Raman\nAna Petrov,identity provider,admin,Priya Raman\n",
        ),
        collected_ago: 45,
        covers_ago: None,
        valid_days: Some(120),
        controls: &["8.2"],
        clauses: &[],
        risks: &[3],
    },
    Item {
        title: "MFA enforcement in the identity provider",
        description: "Ticket with the conditional-access policy that requires MFA for every account.",
        by: CONTRIBUTOR,
        file: "",
        body: Body::Link("https://tickets.northwind.example/SEC-188"),
        collected_ago: 70,
        covers_ago: None,
        valid_days: Some(365),
        controls: &["8.5"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Endpoint protection coverage report",
        description: "Agent installed and reporting on every server and laptop.",
        by: CONTRIBUTOR,
        file: "endpoint-protection-coverage.csv",
        body: Body::Csv(
            "group,devices,agent reporting,last signature update\nservers,38,38,2026-11-20\nlaptops,71,71,2026-11-20\n",
        ),
        collected_ago: 8,
        covers_ago: None,
        valid_days: Some(90),
        controls: &["8.7"],
        clauses: &[],
        risks: &[1],
    },
    Item {
        title: "Vulnerability scan summary",
        description: "Monthly external and internal scan: no critical findings open past their deadline.",
        by: CONTRIBUTOR,
        file: "vulnerability-scan-summary.md",
        body: Body::Markdown(
            "# Vulnerability scan summary\n\n| severity | found | fixed in time |\n| --- | --- | --- |\n| critical | 1 | 1 |\n| high | 6 | 6 |\n| medium | 19 | 17 |\n",
        ),
        collected_ago: 20,
        covers_ago: Some((50, 20)),
        valid_days: Some(30),
        controls: &["8.8"],
        clauses: &[],
        risks: &[1],
    },
    Item {
        title: "Baseline configuration review",
        description: "Check of the server baseline against the hardening standard.",
        by: AUDITOR,
        file: "baseline-configuration-review.md",
        body: Body::Markdown(
            "# Baseline configuration review\n\n- SSH root login disabled: yes\n- Automatic security updates: yes\n- Storage buckets private by default: **one exception**, fixed the same day\n",
        ),
        collected_ago: 250,
        covers_ago: None,
        valid_days: Some(180),
        controls: &["8.9"],
        clauses: &[],
        risks: &[2],
    },
    Item {
        title: "Backup restore test log",
        description: "Quarterly restore of a random customer database into a clean account.",
        by: CONTRIBUTOR,
        file: "backup-restore-test-2026-Q3.log",
        body: Body::Text(
            "2026-09-14 09:02 restore started: customer db #4471 from snapshot 2026-09-13T23:00Z\n2026-09-14 09:39 restore finished, 12.4 GB\n2026-09-14 09:47 row counts match production snapshot\nresult: PASS (45 minutes, objective 4 hours)\n",
        ),
        collected_ago: 75,
        covers_ago: Some((165, 75)),
        valid_days: Some(120),
        controls: &["8.13"],
        clauses: &[],
        risks: &[1],
    },
    Item {
        title: "Monitoring alerts and on-call rota",
        description: "The alerting rules for the production platform and the rota that answers them.",
        by: CONTRIBUTOR,
        file: "monitoring-and-on-call.md",
        body: Body::Markdown(
            "# Monitoring and on-call\n\n- Alerts: failed logins, privilege changes, error rate, disk, certificate expiry\n- On call: one engineer per week, handover on Mondays\n",
        ),
        collected_ago: 35,
        covers_ago: None,
        valid_days: Some(180),
        controls: &["8.16"],
        clauses: &[],
        risks: &[],
    },
    Item {
        title: "Change records sample, Q3",
        description: "Ten production changes drawn at random, each with approval, test and roll-back plan.",
        by: AUDITOR,
        file: "change-records-sample-2026-Q3.csv",
        body: Body::Csv(
            "change,approved by,tested,roll-back plan\nCHG-1021,Priya Raman,yes,yes\nCHG-1034,Tom Becker,yes,yes\nCHG-1047,Priya Raman,yes,yes\n",
        ),
        collected_ago: 50,
        covers_ago: Some((140, 50)),
        valid_days: Some(180),
        controls: &["8.32"],
        clauses: &["9.2"],
        risks: &[],
    },
    Item {
        title: "Change ticket for the logging retention change",
        description: "The approved change that set log retention to 13 months.",
        by: CONTRIBUTOR,
        file: "",
        body: Body::Link("https://tickets.northwind.example/CHG-1052"),
        collected_ago: 40,
        covers_ago: None,
        valid_days: None,
        controls: &["8.32"],
        clauses: &[],
        risks: &[],
    },
];

/// A one-page PDF (PDF 1.4, Helvetica) with the given lines, offsets computed.
fn tiny_pdf(lines: &[&str]) -> Vec<u8> {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    };
    let mut stream = String::from("BT /F1 12 Tf 56 780 Td 16 TL\n");
    for l in lines {
        stream.push_str(&format!("({}) Tj T*\n", esc(l)));
    }
    stream.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

impl App {
    /// Northwind's evidence (skipped once it has any).
    pub(crate) async fn demo_evidence(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        let existing = self
            .list_evidence(
                ctx,
                &EvidenceQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if !existing.items.is_empty() {
            return Ok(());
        }
        let wanted: Vec<i64> = ITEMS.iter().flat_map(|i| i.risks.iter().copied()).collect();
        let mut c = self.db.read().await?;
        let risks = isms_db::evidence::existing_risk_numbers(&mut c, ctx.org.id, &wanted).await?;
        let mut people = std::collections::HashMap::new();
        for e in [MANAGER, CONTRIBUTOR, AUDITOR, CEO] {
            if let Some(u) = users::user_by_email(&mut c, e).await? {
                people.insert(e, u.id);
            }
        }
        drop(c);
        let today = self.today();
        let day = |ago: i64| format_date(today - Duration::days(ago));
        for item in ITEMS {
            let mut links: Vec<NewLink> = Vec::new();
            for (kind, refs) in [("control", item.controls), ("clause", item.clauses)] {
                links.extend(refs.iter().map(|r| NewLink {
                    kind: kind.into(),
                    reference: (*r).into(),
                }));
            }
            links.extend(
                item.risks
                    .iter()
                    .filter(|n| risks.contains(n))
                    .map(|n| NewLink {
                        kind: "risk".into(),
                        reference: format!("R-{n:03}"),
                    }),
            );
            let (url, file) = match &item.body {
                Body::Link(u) => (Some((*u).to_owned()), None),
                Body::Csv(s) | Body::Text(s) | Body::Markdown(s) => (
                    None,
                    Some(Upload::from_bytes(item.file, s.as_bytes().to_vec())),
                ),
                Body::Pdf(lines) => (None, Some(Upload::from_bytes(item.file, tiny_pdf(lines)))),
            };
            let input = NewEvidence {
                kind: None,
                title: item.title.into(),
                description: item.description.into(),
                url,
                collected_by: people.get(item.by).copied(),
                collected_on: Some(day(item.collected_ago)),
                period_from: item.covers_ago.map(|(f, _)| day(f)),
                period_to: item.covers_ago.map(|(_, t)| day(t)),
                valid_until: item.valid_days.map(|d| day(item.collected_ago - d)),
                links,
            };
            self.create_evidence(Actor::User(p), ctx, &input, file.as_ref())
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_pdf_is_well_formed() {
        let pdf = tiny_pdf(&["Hello (world)", "Second line"]);
        let text = String::from_utf8(pdf.clone()).unwrap_or_default();
        assert!(text.starts_with("%PDF-1.4"));
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert!(text[xref..].starts_with("xref"));
        assert!(text.contains("(Hello \\(world\\)) Tj"));
        assert_eq!(isms_blob::sniff(&pdf, "x"), "application/pdf");
    }

    #[test]
    fn demo_items_are_sound() {
        let expired = ITEMS
            .iter()
            .filter(|i| i.valid_days.is_some_and(|d| d < i.collected_ago))
            .count();
        assert_eq!(expired, 4);
        let controls: std::collections::BTreeSet<&str> = ITEMS
            .iter()
            .flat_map(|i| i.controls.iter().copied())
            .collect();
        assert!((22..=26).contains(&controls.len()), "{}", controls.len());
    }
}
