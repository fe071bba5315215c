//! Generated demo organisations at scale (`isms demo --size small|medium|large --org
//! SLUG`), for trying the product on a realistic register and for the benchmarks.
//!
//! The organisation is made through the services (organisation, Northwind's people as
//! members, the full demo records: risk method, controls, approved SoA, documents with
//! versions, evidence files, incidents, suppliers, trainings, measurements, audits,
//! findings and corrective actions). Then the volume is generated: people, assets of
//! every type, data flows, risks rated with the organisation's method and linked to
//! assets and controls, evidence records sharing a handful of real stored files, tasks,
//! and the audit trail (a create entry per record, then reviews up to the size's count).
//! Every value goes through the domain rules (ratings, classification, tags, risk
//! levels, link targets); rows are written with multi-row inserts in one transaction,
//! and the audit chain is continued in memory from its head.
//!
//! Deterministic: a seeded generator, so one size always gives the same records (ids
//! and timestamps aside). Idempotent: if the organisation already exists, nothing is
//! changed and the answer says so.

use crate::orgs::{NewOrg, OrgCtx};
use crate::progress::Progress;
use crate::{Actor, App, AppError, AppResult};
use isms_db::bulk::{self, Val};
use isms_db::{Day, Ts, Tx, orgs};
use isms_domain::ValidationError;
use isms_domain::asset::{
    AssetType, Rating, TransferMechanism, check_flow, check_name, classification, normalise_tags,
};
use isms_domain::audit::{EntryContent, INSTANCE_CHAIN, recorded_change};
use isms_domain::catalogue::catalogue;
use isms_domain::evidence::{parse_target, risk_ref};
use isms_domain::rbac::Role;
use isms_domain::risk::library;
use isms_domain::risk::method::{Method, level};
use isms_domain::time::Timestamp;
use serde_json::{Value, json};
use uuid::Uuid;

/// How much a generated organisation holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSize {
    /// `small`, `medium`, `large` or `custom` (seeds the generator).
    pub label: String,
    pub people: usize,
    pub assets: usize,
    pub flows: usize,
    pub risks: usize,
    pub evidence: usize,
    pub tasks: usize,
    /// Entries of the organisation's audit trail at least (creates, then reviews).
    pub audit_entries: usize,
}

impl DemoSize {
    /// About 200 assets and 100 risks: a small company.
    pub fn small() -> Self {
        Self::custom("small", 25, 200, 120, 100, 400, 60, 2_000)
    }

    /// The open-source peer's benchmark size (issue 9): 2,000 assets, 5,000 risks.
    pub fn medium() -> Self {
        Self::custom("medium", 150, 2_000, 1_500, 5_000, 10_000, 500, 50_000)
    }

    /// Enterprise scale: 100,000 assets, 50,000 risks, 200,000 evidence records and
    /// 1,000,000 audit-trail entries.
    pub fn large() -> Self {
        Self::custom(
            "large", 1_500, 100_000, 30_000, 50_000, 200_000, 5_000, 1_000_000,
        )
    }

    /// Any counts (tests use tiny ones).
    #[allow(clippy::too_many_arguments)]
    pub fn custom(
        label: &str,
        people: usize,
        assets: usize,
        flows: usize,
        risks: usize,
        evidence: usize,
        tasks: usize,
        audit_entries: usize,
    ) -> Self {
        Self {
            label: label.to_owned(),
            people,
            assets,
            flows,
            risks,
            evidence,
            tasks,
            audit_entries,
        }
    }

    /// `small`, `medium` or `large`.
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim() {
            "small" => Ok(Self::small()),
            "medium" => Ok(Self::medium()),
            "large" => Ok(Self::large()),
            other => Err(ValidationError::single(
                field,
                format!("\"{other}\" is not a size; choose small, medium or large"),
            )),
        }
    }
}

/// What `generate_demo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDemo {
    pub slug: String,
    pub name: String,
    /// False when the organisation already existed and was left as it was.
    pub created: bool,
    pub people: usize,
    pub assets: usize,
    pub flows: usize,
    pub risks: usize,
    pub evidence: usize,
    pub tasks: usize,
    /// Entries of the organisation's audit trail after generation.
    pub audit_entries: i64,
}

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same records.
struct Rng(u64);

impl Rng {
    fn new(label: &str) -> Self {
        let mut s = 0x1502_7001_2022_u64;
        for b in label.bytes() {
            s = s.rotate_left(5) ^ u64::from(b);
        }
        Rng(s)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.below(usize::try_from(hi - lo + 1).unwrap_or(1))).unwrap_or(0)
    }

    /// True with probability `pct` / 100.
    fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &[
    "Alice", "Ben", "Chloe", "David", "Emma", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Maya", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wim", "Xenia", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Andersen", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jansen", "Khan", "Laurent", "Meyer", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Urban", "Vogel", "Weber", "Young", "Zimmer",
];
const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Sales",
    "Engineering",
    "Operations",
    "Human resources",
    "Legal",
    "Marketing",
    "Customer support",
    "IT",
    "Procurement",
];
const CITIES: &[&str] = &[
    "London",
    "Dublin",
    "Amsterdam",
    "Frankfurt",
    "Paris",
    "Madrid",
    "Milan",
    "Warsaw",
    "Stockholm",
    "Vienna",
];
const TAGS: &[&str] = &[
    "gdpr",
    "pci",
    "critical",
    "legacy",
    "cloud",
    "on-premises",
    "customer-facing",
    "internal",
    "backup",
    "production",
];
const DATA_CATEGORIES: &[&str] = &[
    "Customer personal data",
    "Payment data",
    "Employee data",
    "Application logs",
    "Source code",
    "Financial reports",
    "Backups",
    "Product usage statistics",
];

/// Names per asset type, and how common the type is (per cent of the inventory).
fn asset_names(t: AssetType) -> (&'static [&'static str], usize) {
    match t {
        AssetType::Information => (
            &[
                "Customer records",
                "Payroll data",
                "Contracts archive",
                "Board minutes",
                "Marketing lists",
                "Support tickets",
                "Invoices",
                "Personnel files",
                "Product roadmap",
                "Price lists",
            ],
            20,
        ),
        AssetType::Software => (
            &[
                "CRM",
                "ERP system",
                "HR portal",
                "Build server",
                "Ticketing system",
                "Mobile app",
                "Web shop",
                "Data warehouse",
                "VPN gateway",
                "Endpoint protection agent",
            ],
            15,
        ),
        AssetType::Hardware => (
            &[
                "Laptop",
                "Database server",
                "Firewall",
                "Network switch",
                "Mobile phone",
                "File server",
                "Printer",
                "Virtualisation host",
            ],
            35,
        ),
        AssetType::Service => (
            &[
                "E-mail",
                "Payroll run",
                "Cloud hosting",
                "Backup service",
                "Video conferencing",
                "Identity provider",
                "Monitoring",
                "Customer portal",
            ],
            10,
        ),
        AssetType::People => (
            &[
                "Finance team",
                "Database administrators",
                "Help desk",
                "Developers",
                "Sales team",
                "Executive board",
            ],
            5,
        ),
        AssetType::Site => (
            &[
                "Head office",
                "Data centre",
                "Warehouse",
                "Branch office",
                "Recovery site",
            ],
            2,
        ),
        AssetType::SupplierProvided => (
            &[
                "Managed security monitoring",
                "Outsourced payroll",
                "Hosted CRM",
                "Colocation rack",
                "Courier service",
            ],
            13,
        ),
    }
}

/// The real files evidence records share (stored once each, by hash).
const FILES: &[(&str, &str, &str)] = &[
    (
        "access-review.csv",
        "Access review",
        "user,system,role,kept\nalice.andersen,CRM,sales,yes\nben.brown,ERP system,finance,no\n",
    ),
    (
        "backup-restore-test.txt",
        "Backup restore test",
        "Restore of the customer database from last night's backup into a clean account: completed in 42 minutes, row counts match.\n",
    ),
    (
        "training-completions.csv",
        "Security awareness training completions",
        "person,course,completed_on\nchloe.costa,Security basics 2026,2026-03-02\ndavid.dubois,Security basics 2026,2026-03-04\n",
    ),
    (
        "firewall-rule-review.txt",
        "Firewall rule review",
        "Quarterly review of the perimeter firewall rules: 212 rules, 9 removed as unused, 2 narrowed to named hosts.\n",
    ),
    (
        "vulnerability-scan-summary.json",
        "Vulnerability scan summary",
        "{\"scanner\":\"weekly\",\"critical\":0,\"high\":3,\"medium\":17,\"fixed_since_last\":12}\n",
    ),
    (
        "supplier-assessment.txt",
        "Supplier security assessment",
        "Questionnaire returned and reviewed; ISO 27001 certificate valid until 2027-05; no open points.\n",
    ),
    (
        "change-approvals.csv",
        "Change approvals",
        "change,approved_by,approved_on\nCHG-1201,Maya Meyer,2026-05-11\nCHG-1202,Noah Novak,2026-05-12\n",
    ),
    (
        "incident-exercise-report.txt",
        "Incident response exercise",
        "Table-top exercise: ransomware on a file server. Roles were clear; the call tree took 18 minutes; two actions recorded.\n",
    ),
];

/// Records per transaction batch (rows and their audit entries are written together).
const BATCH: usize = 5_000;

/// One generated audit entry (the chain and sequence number are filled in on writing).
fn entry(
    at: Timestamp,
    entity: &str,
    entity_id: Uuid,
    action: &str,
    summary: String,
    after: Option<Value>,
) -> (Uuid, EntryContent) {
    let recorded = recorded_change(None, after.as_ref());
    (
        Uuid::now_v7(),
        EntryContent {
            chain_id: INSTANCE_CHAIN,
            seq: 0,
            at,
            actor_id: Actor::Cli.id(),
            actor: Actor::Cli.label(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_string(),
            action: action.to_owned(),
            summary,
            before_digest: recorded.before_digest,
            after_digest: recorded.after_digest,
            details: recorded.details,
        },
    )
}

/// The organisation's name for a slug: `acme-large` → `Acme Large`.
fn name_for(slug: &str) -> String {
    slug.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A generated person (member of the organisation).
struct Person {
    id: Uuid,
    name: String,
}

/// Everything generated so far that later records refer to.
struct State {
    org_id: Uuid,
    now: Timestamp,
    today: time::Date,
    people: Vec<Person>,
    assets: Vec<(Uuid, i64, String)>,
    risks: Vec<(Uuid, i64)>,
    evidence: Vec<(Uuid, i64)>,
    controls: Vec<String>,
}

impl State {
    fn person(&self, rng: &mut Rng) -> &Person {
        rng.pick(&self.people)
    }

    fn day(&self, offset: i64) -> Day {
        Day(self.today + time::Duration::days(offset))
    }
}

fn validation(e: ValidationError) -> AppError {
    AppError::Internal(format!("generated demo data broke a rule: {e}"))
}

impl App {
    /// Generate the organisation `slug` at `size` (see the module documentation). The
    /// command line only: an instance-level action.
    pub async fn generate_demo(
        &self,
        slug: &str,
        size: &DemoSize,
        progress: &dyn Progress,
    ) -> AppResult<GeneratedDemo> {
        let name = name_for(slug);
        let mut c = self.db.read().await?;
        let existing = orgs::org_by_slug(&mut c, slug).await?;
        drop(c);
        if let Some(o) = existing {
            return Ok(GeneratedDemo {
                slug: o.slug,
                name: o.name,
                created: false,
                people: 0,
                assets: 0,
                flows: 0,
                risks: 0,
                evidence: 0,
                tasks: 0,
                audit_entries: 0,
            });
        }
        progress.start("organisation and records", 0);
        self.ensure_demo_admin().await?;
        let employees = i64::try_from(size.people.max(1) * 4).unwrap_or(i64::MAX);
        self.create_org(
            Actor::Cli,
            &NewOrg {
                name: name.clone(),
                slug: Some(slug.to_owned()),
                employees,
                sites: Some(3),
                other_management_system: Some(String::new()),
            },
        )
        .await?;
        let ctx = self.org_for_cli(slug).await?;
        self.demo_generated_members(&ctx).await?;
        self.demo_records(&ctx).await?;
        progress.finish();
        let method = self
            .risk_method_in_force(&ctx)
            .await?
            .ok_or_else(|| AppError::Internal("the demo risk method was not approved".into()))?;
        let password_hash = crate::auth::hash_password(crate::demo::DEMO_PASSWORD.into()).await?;
        let mut rng = Rng::new(&size.label);
        let mut st = State {
            org_id: ctx.org.id,
            now: self.now(),
            today: self.today(),
            people: Vec::new(),
            assets: Vec::new(),
            risks: Vec::new(),
            evidence: Vec::new(),
            controls: catalogue()
                .controls()
                .iter()
                .map(|c| c.id.clone())
                .collect(),
        };
        let mut tx = self.db.begin().await?;
        bulk::prepare_large_write(&mut tx).await?;
        self.gen_people(
            &mut tx,
            &ctx,
            size,
            &mut rng,
            &mut st,
            &password_hash,
            progress,
        )
        .await?;
        gen_assets(&mut tx, size, &mut rng, &mut st, progress).await?;
        gen_flows(&mut tx, size, &mut rng, &st, progress).await?;
        gen_risks(
            &mut tx,
            size,
            &mut rng,
            &mut st,
            &method.method,
            method.id,
            progress,
        )
        .await?;
        self.gen_evidence(&mut tx, size, &mut rng, &mut st, progress)
            .await?;
        gen_tasks(&mut tx, size, &mut rng, &st, progress).await?;
        let audit_entries = gen_reviews(&mut tx, size, &mut rng, &st, progress).await?;
        progress.start("saving", 0);
        tx.commit().await?;
        bulk::finish_large_write(&self.db).await?;
        progress.finish();
        Ok(GeneratedDemo {
            slug: slug.to_owned(),
            name,
            created: true,
            people: st.people.len(),
            assets: st.assets.len(),
            flows: size.flows,
            risks: st.risks.len(),
            evidence: st.evidence.len(),
            tasks: size.tasks,
            audit_entries,
        })
    }

    /// People: user accounts (the demo password; entries on the instance chain) and
    /// memberships of the organisation.
    #[allow(clippy::too_many_arguments)]
    async fn gen_people(
        &self,
        tx: &mut Tx,
        ctx: &OrgCtx,
        size: &DemoSize,
        rng: &mut Rng,
        st: &mut State,
        password_hash: &str,
        progress: &dyn Progress,
    ) -> AppResult<()> {
        progress.start("people", size.people as u64);
        // Northwind's ISMS manager is a member already; they own records too.
        let mut c = self.db.read().await?;
        if let Some(u) =
            isms_db::users::user_by_email(&mut c, "isms.manager@northwind.example").await?
        {
            st.people.push(Person {
                id: u.id,
                name: u.name,
            });
        }
        drop(c);
        let now = Ts(st.now);
        let (mut users, mut members, mut user_log, mut org_log) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..size.people {
            let first = rng.pick(FIRST);
            let last = rng.pick(LAST);
            let name = format!("{first} {last}");
            let email = format!(
                "{}.{}{}@{}.example",
                first.to_lowercase(),
                last.to_lowercase().replace('\'', ""),
                i + 1,
                ctx.org.slug
            );
            let role = match rng.below(100) {
                0..=59 => Role::Contributor,
                60..=89 => Role::Viewer,
                90..=94 => Role::IsmsManager,
                _ => Role::InternalAuditor,
            };
            let id = Uuid::now_v7();
            users.push(vec![
                id.into(),
                email.clone().into(),
                name.clone().into(),
                password_hash.into(),
                false.into(),
                false.into(),
                Val::Text(None),
                false.into(),
                Val::Int(None),
                now.into(),
                now.into(),
                1i64.into(),
            ]);
            user_log.push(entry(
                st.now,
                "user",
                id,
                "create",
                format!("added user {email}"),
                Some(json!({"email": email, "name": name, "is_admin": false})),
            ));
            let mid = Uuid::now_v7();
            members.push(vec![
                mid.into(),
                st.org_id.into(),
                id.into(),
                role.as_str().into(),
                Val::Day(None),
                now.into(),
                now.into(),
                1i64.into(),
            ]);
            org_log.push(entry(
                st.now,
                "membership",
                mid,
                "create",
                format!("added {email} as {}", role.as_str()),
                Some(json!({"user_id": id, "role": role.as_str(), "expires_on": null})),
            ));
            st.people.push(Person { id, name });
        }
        bulk::insert(
            tx,
            "users",
            &[
                "id",
                "email",
                "name",
                "password_hash",
                "is_admin",
                "disabled",
                "totp_secret",
                "totp_enabled",
                "totp_last_step",
                "created_at",
                "updated_at",
                "version",
            ],
            users,
        )
        .await?;
        bulk::insert(
            tx,
            "memberships",
            &[
                "id",
                "org_id",
                "user_id",
                "role",
                "expires_on",
                "created_at",
                "updated_at",
                "version",
            ],
            members,
        )
        .await?;
        isms_db::audit::append_batch(tx, INSTANCE_CHAIN, user_log).await?;
        isms_db::audit::append_batch(tx, st.org_id, org_log).await?;
        progress.advance(size.people as u64);
        progress.finish();
        Ok(())
    }

    /// Evidence: files (shared, stored once each by hash) and links, supporting controls
    /// and risks.
    async fn gen_evidence(
        &self,
        tx: &mut Tx,
        size: &DemoSize,
        rng: &mut Rng,
        st: &mut State,
        progress: &dyn Progress,
    ) -> AppResult<()> {
        progress.start("evidence", size.evidence as u64);
        let mut files = Vec::new();
        for (file_name, title, body) in FILES {
            let up = crate::blobs::Upload::from_bytes(file_name, body.as_bytes().to_vec());
            files.push((self.store_upload_tx(tx, st.org_id, &up).await?, *title));
        }
        let first = bulk::max_number(tx, "evidence", st.org_id).await? + 1;
        let now = Ts(st.now);
        let mut done = 0;
        while done < size.evidence {
            let n = BATCH.min(size.evidence - done);
            let (mut rows, mut links, mut log) = (Vec::new(), Vec::new(), Vec::new());
            for k in 0..n {
                let number = first + i64::try_from(done + k).unwrap_or(0);
                let id = Uuid::now_v7();
                let dept = rng.pick(DEPARTMENTS);
                let who = st.person(rng).id;
                let collected = -rng.range(0, 365);
                let valid_until = rng.chance(60).then(|| st.day(collected + 365));
                let (file, base) = &files[rng.below(files.len())];
                let is_file = rng.chance(75);
                let title = format!("{base}: {dept}, EV-{number:04}");
                let url = (!is_file)
                    .then(|| format!("https://intranet.example/{}/evidence/{number}", st.org_id));
                rows.push(vec![
                    id.into(),
                    st.org_id.into(),
                    number.into(),
                    if is_file { "file" } else { "link" }.into(),
                    title.clone().into(),
                    format!("Collected by the {dept} team for the ISMS records.").into(),
                    url.into(),
                    is_file.then(|| file.sha256.clone()).into(),
                    is_file.then(|| file.file_name.clone()).into(),
                    is_file.then(|| file.content_type.clone()).into(),
                    is_file.then_some(file.size).into(),
                    Some(who).into(),
                    st.day(collected).into(),
                    Val::Day(None),
                    Val::Day(None),
                    valid_until.into(),
                    Some(who).into(),
                    now.into(),
                    now.into(),
                    1i64.into(),
                ]);
                let mut targets = Vec::new();
                for _ in 0..rng.range(1, 2) {
                    let ctl = rng.pick(&st.controls).clone();
                    targets.push(parse_target("links", "control", &ctl).map_err(validation)?);
                }
                if !st.risks.is_empty() && rng.chance(30) {
                    let (_, rn) = st.risks[rng.below(st.risks.len())];
                    targets.push(parse_target("links", "risk", &risk_ref(rn)).map_err(validation)?);
                }
                targets.sort();
                targets.dedup();
                for t in &targets {
                    links.push(vec![
                        Uuid::now_v7().into(),
                        st.org_id.into(),
                        id.into(),
                        number.into(),
                        t.kind.as_str().into(),
                        t.reference.clone().into(),
                    ]);
                }
                log.push(entry(
                    st.now,
                    "evidence",
                    id,
                    "create",
                    format!("added evidence EV-{number:04} \"{title}\""),
                    Some(json!({
                        "number": number, "title": title, "kind": if is_file { "file" } else { "link" },
                        "sha256": is_file.then(|| file.sha256.clone()),
                        "links": targets.iter().map(|t| format!("{} {}", t.kind.as_str(), t.reference)).collect::<Vec<_>>(),
                    })),
                ));
                st.evidence.push((id, number));
            }
            bulk::insert(
                tx,
                "evidence",
                &[
                    "id",
                    "org_id",
                    "number",
                    "kind",
                    "title",
                    "description",
                    "url",
                    "blob_sha256",
                    "file_name",
                    "content_type",
                    "size",
                    "collected_by",
                    "collected_on",
                    "period_from",
                    "period_to",
                    "valid_until",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "version",
                ],
                rows,
            )
            .await?;
            bulk::insert(
                tx,
                "evidence_links",
                &[
                    "id",
                    "org_id",
                    "evidence_id",
                    "evidence_number",
                    "target_kind",
                    "target_ref",
                ],
                links,
            )
            .await?;
            isms_db::audit::append_batch(tx, st.org_id, log).await?;
            done += n;
            progress.advance(n as u64);
        }
        progress.finish();
        Ok(())
    }
}

/// Assets of every type, with owners, custodians, CIA ratings and tags.
async fn gen_assets(
    tx: &mut Tx,
    size: &DemoSize,
    rng: &mut Rng,
    st: &mut State,
    progress: &dyn Progress,
) -> AppResult<()> {
    progress.start("assets", size.assets as u64);
    let first = bulk::max_number(tx, "assets", st.org_id).await? + 1;
    let now = Ts(st.now);
    let mut done = 0;
    while done < size.assets {
        let n = BATCH.min(size.assets - done);
        let (mut rows, mut tags, mut log) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..n {
            let number = first + i64::try_from(done + k).unwrap_or(0);
            let mut roll = rng.below(100);
            // The first seven are one of each type, so every type is always there.
            let mut kind = AssetType::ALL
                .get(done + k)
                .copied()
                .unwrap_or(AssetType::Hardware);
            for t in AssetType::ALL.iter().copied().filter(|_| done + k >= 7) {
                let share = asset_names(t).1;
                if roll < share {
                    kind = t;
                    break;
                }
                roll -= share;
            }
            let base = rng.pick(asset_names(kind).0);
            let dept = rng.pick(DEPARTMENTS);
            let city = rng.pick(CITIES);
            let name =
                check_name("name", &format!("{base} ({dept}) {number}")).map_err(validation)?;
            let rating = |rng: &mut Rng| {
                Rating::new(u8::try_from(rng.range(1, 4)).unwrap_or(2))
                    .ok_or_else(|| validation(ValidationError::single("rating", "out of range")))
            };
            let (c, i, a) = (rating(rng)?, rating(rng)?, rating(rng)?);
            let class = classification(c, i, a);
            let owner = st.person(rng).id;
            let custodian = rng.chance(60).then(|| st.person(rng).id);
            let in_scope = rng.chance(92);
            let tag_text = format!("{}, {}", rng.pick(TAGS), rng.pick(TAGS));
            let asset_tags = normalise_tags("tags", &tag_text).map_err(validation)?;
            let id = Uuid::now_v7();
            rows.push(vec![
                id.into(),
                st.org_id.into(),
                number.into(),
                kind.as_str().into(),
                name.clone().into(),
                format!("{} used by {dept} in {city}.", kind.label()).into(),
                Some(owner).into(),
                custodian.into(),
                (*city).into(),
                i64::from(c.value()).into(),
                i64::from(i.value()).into(),
                i64::from(a.value()).into(),
                i64::from(class.value()).into(),
                in_scope.into(),
                now.into(),
                now.into(),
                1i64.into(),
            ]);
            for t in &asset_tags {
                tags.push(vec![
                    Uuid::now_v7().into(),
                    st.org_id.into(),
                    id.into(),
                    number.into(),
                    t.clone().into(),
                ]);
            }
            log.push(entry(
                st.now,
                "asset",
                id,
                "create",
                format!("added asset A-{number:04} \"{name}\""),
                Some(json!({
                    "number": number, "type": kind.as_str(), "name": name, "owner_id": owner,
                    "custodian_id": custodian, "location": city,
                    "cia": [c.value(), i.value(), a.value()],
                    "classification": class.value(), "in_scope": in_scope, "tags": asset_tags,
                })),
            ));
            st.assets.push((id, number, name));
        }
        bulk::insert(
            tx,
            "assets",
            &[
                "id",
                "org_id",
                "number",
                "asset_type",
                "name",
                "description",
                "owner_id",
                "custodian_id",
                "location",
                "confidentiality",
                "integrity",
                "availability",
                "classification",
                "in_scope",
                "created_at",
                "updated_at",
                "version",
            ],
            rows,
        )
        .await?;
        bulk::insert(
            tx,
            "asset_tags",
            &["id", "org_id", "asset_id", "asset_number", "tag"],
            tags,
        )
        .await?;
        isms_db::audit::append_batch(tx, st.org_id, log).await?;
        done += n;
        progress.advance(n as u64);
    }
    progress.finish();
    Ok(())
}

/// Data flows between two different generated assets.
async fn gen_flows(
    tx: &mut Tx,
    size: &DemoSize,
    rng: &mut Rng,
    st: &State,
    progress: &dyn Progress,
) -> AppResult<()> {
    if st.assets.len() < 2 {
        return Ok(());
    }
    progress.start("data flows", size.flows as u64);
    let first = bulk::max_number(tx, "data_flows", st.org_id).await? + 1;
    let now = Ts(st.now);
    let mut done = 0;
    while done < size.flows {
        let n = BATCH.min(size.flows - done);
        let (mut rows, mut log) = (Vec::new(), Vec::new());
        for k in 0..n {
            let number = first + i64::try_from(done + k).unwrap_or(0);
            // Two different assets: the second is 1..len-1 places after the first.
            let len = st.assets.len();
            let f = rng.below(len);
            let from = &st.assets[f];
            let to = &st.assets[(f + 1 + rng.below(len - 1)) % len];
            check_flow(from.0, to.0).map_err(validation)?;
            let category = rng.pick(DATA_CATEGORIES);
            let mechanism = *rng.pick(&TransferMechanism::ALL);
            let encrypted = rng.chance(85);
            let id = Uuid::now_v7();
            rows.push(vec![
                id.into(),
                st.org_id.into(),
                number.into(),
                from.0.into(),
                to.0.into(),
                (*category).into(),
                mechanism.as_str().into(),
                encrypted.into(),
                format!("{category} from {} to {}.", from.2, to.2).into(),
                now.into(),
                now.into(),
                1i64.into(),
            ]);
            log.push(entry(
                st.now,
                "data_flow",
                id,
                "create",
                format!("added data flow F-{number:03}"),
                Some(json!({
                    "number": number, "from": from.0, "to": to.0, "data_category": category,
                    "mechanism": mechanism.as_str(), "encrypted": encrypted,
                })),
            ));
        }
        bulk::insert(
            tx,
            "data_flows",
            &[
                "id",
                "org_id",
                "number",
                "from_asset_id",
                "to_asset_id",
                "data_category",
                "mechanism",
                "encrypted",
                "description",
                "created_at",
                "updated_at",
                "version",
            ],
            rows,
        )
        .await?;
        isms_db::audit::append_batch(tx, st.org_id, log).await?;
        done += n;
        progress.advance(n as u64);
    }
    progress.finish();
    Ok(())
}

/// Risks rated with the organisation's method in force, linked to assets and to the
/// Annex A controls that treat them.
async fn gen_risks(
    tx: &mut Tx,
    size: &DemoSize,
    rng: &mut Rng,
    st: &mut State,
    m: &Method,
    method_id: Uuid,
    progress: &dyn Progress,
) -> AppResult<()> {
    progress.start("risks", size.risks as u64);
    let threats = library::threats();
    let vulns = library::vulnerabilities();
    let first = bulk::max_number(tx, "risks", st.org_id).await? + 1;
    let now = Ts(st.now);
    let max_l = i64::try_from(m.likelihood.len()).unwrap_or(1);
    let max_i = i64::try_from(m.impact.len()).unwrap_or(1);
    let review_days = i64::from(m.review_interval_days);
    let mut done = 0;
    while done < size.risks {
        let n = BATCH.min(size.risks - done);
        let (mut rows, mut ctl_rows, mut asset_rows, mut log) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for k in 0..n {
            let number = first + i64::try_from(done + k).unwrap_or(0);
            let threat = rng.pick(threats);
            let vuln = rng.pick(vulns);
            let asset =
                (!st.assets.is_empty()).then(|| st.assets[rng.below(st.assets.len())].clone());
            let title = match &asset {
                Some((_, _, name)) => format!("{} affects {name}", threat.name),
                None => threat.name.clone(),
            };
            let title = check_name("title", &title).map_err(validation)?;
            let (il, ii) = (rng.range(1, max_l), rng.range(1, max_i));
            let inherent =
                level(m, il, ii, ("inherent_likelihood", "inherent_impact")).map_err(validation)?;
            let (treatment, status, residual) = match rng.below(100) {
                0..=14 => (None, "assessed", None),
                roll => {
                    let t = match roll {
                        15..=79 => "modify",
                        80..=89 => "share",
                        90..=94 => "avoid",
                        _ => "retain",
                    };
                    let status = match rng.below(3) {
                        _ if t == "retain" => "treatment_planned",
                        0 => "treatment_planned",
                        1 => "treatment_in_progress",
                        _ => "treated",
                    };
                    let residual = if status == "treatment_planned" {
                        None
                    } else {
                        let (rl, ri) = (rng.range(1, il), rng.range(1, ii));
                        let lvl = level(m, rl, ri, ("residual_likelihood", "residual_impact"))
                            .map_err(validation)?;
                        Some((rl, ri, i64::from(lvl)))
                    };
                    (Some(t), status, residual)
                }
            };
            let owner = st.person(rng).id;
            let id = Uuid::now_v7();
            rows.push(vec![
                id.into(),
                st.org_id.into(),
                number.into(),
                title.clone().into(),
                format!("{} Weakness: {}.", threat.description, vuln.name).into(),
                threat.name.clone().into(),
                vuln.name.clone().into(),
                Some(owner).into(),
                method_id.into(),
                il.into(),
                ii.into(),
                i64::from(inherent).into(),
                treatment.map(str::to_owned).into(),
                residual.map(|r| r.0).into(),
                residual.map(|r| r.1).into(),
                residual.map(|r| r.2).into(),
                status.into(),
                Some(st.day(rng.range(1, review_days.max(1)))).into(),
                false.into(),
                now.into(),
                now.into(),
                1i64.into(),
            ]);
            let mut controls: Vec<String> = (0..rng.range(1, 3))
                .map(|_| rng.pick(&st.controls).clone())
                .collect();
            controls.sort();
            controls.dedup();
            for ctl in &controls {
                ctl_rows.push(vec![
                    Uuid::now_v7().into(),
                    id.into(),
                    st.org_id.into(),
                    ctl.clone().into(),
                ]);
            }
            let mut assets: Vec<Uuid> = asset.iter().map(|a| a.0).collect();
            if !st.assets.is_empty() && rng.chance(40) {
                assets.push(st.assets[rng.below(st.assets.len())].0);
            }
            assets.sort();
            assets.dedup();
            for a in &assets {
                asset_rows.push(vec![
                    Uuid::now_v7().into(),
                    st.org_id.into(),
                    id.into(),
                    (*a).into(),
                ]);
            }
            log.push(entry(
                st.now,
                "risk",
                id,
                "create",
                format!("added risk R-{number:03} \"{title}\""),
                Some(json!({
                    "number": number, "title": title, "owner_id": owner, "status": status,
                    "inherent": [il, ii, inherent], "treatment": treatment,
                    "residual": residual.map(|r| [r.0, r.1, r.2]),
                    "controls": controls, "assets": assets,
                })),
            ));
            st.risks.push((id, number));
        }
        bulk::insert(
            tx,
            "risks",
            &[
                "id",
                "org_id",
                "number",
                "title",
                "description",
                "threat",
                "vulnerability",
                "owner_id",
                "method_id",
                "inherent_likelihood",
                "inherent_impact",
                "inherent_level",
                "treatment",
                "residual_likelihood",
                "residual_impact",
                "residual_level",
                "status",
                "next_review_on",
                "needs_reassessment",
                "created_at",
                "updated_at",
                "version",
            ],
            rows,
        )
        .await?;
        bulk::insert(
            tx,
            "risk_controls",
            &["id", "risk_id", "org_id", "control_id"],
            ctl_rows,
        )
        .await?;
        bulk::insert(
            tx,
            "risk_assets",
            &["id", "org_id", "risk_id", "asset_id"],
            asset_rows,
        )
        .await?;
        isms_db::audit::append_batch(tx, st.org_id, log).await?;
        done += n;
        progress.advance(n as u64);
    }
    progress.finish();
    Ok(())
}

/// Roadmap tasks, most of them the treatment plan of a risk.
async fn gen_tasks(
    tx: &mut Tx,
    size: &DemoSize,
    rng: &mut Rng,
    st: &State,
    progress: &dyn Progress,
) -> AppResult<()> {
    progress.start("tasks", size.tasks as u64);
    const WORK: &[&str] = &[
        "Roll out multi-factor authentication",
        "Patch and harden",
        "Review access rights of",
        "Test the restore of",
        "Encrypt",
        "Document the procedure for",
        "Train the owners of",
        "Agree security terms for",
    ];
    let now = Ts(st.now);
    let mut number = isms_db::tasks::next_task_number(tx, st.org_id).await?;
    let mut done = 0;
    while done < size.tasks {
        let n = BATCH.min(size.tasks - done);
        let (mut rows, mut log) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let id = Uuid::now_v7();
            let risk = (!st.risks.is_empty() && rng.chance(80))
                .then(|| st.risks[rng.below(st.risks.len())]);
            let target = match risk {
                Some((_, rn)) => risk_ref(rn),
                None => rng.pick(DEPARTMENTS).to_string(),
            };
            let title = format!("{} {target}", rng.pick(WORK));
            let status = *rng.pick(&["open", "open", "in_progress", "done"]);
            let priority = *rng.pick(&["high", "medium", "medium", "low"]);
            let start = rng.range(-120, 10);
            let owner = st.person(rng).name.clone();
            rows.push(vec![
                id.into(),
                st.org_id.into(),
                title.clone().into(),
                "Part of the risk treatment plan.".into(),
                Val::Text(None),
                Val::Uuid(None),
                owner.clone().into(),
                Some(st.day(start)).into(),
                Some(st.day(start + rng.range(14, 120))).into(),
                status.into(),
                priority.into(),
                now.into(),
                now.into(),
                1i64.into(),
                risk.map(|r| r.0).into(),
                number.into(),
            ]);
            number += 1;
            log.push(entry(
                st.now,
                "task",
                id,
                "create",
                format!("added task \"{title}\""),
                Some(
                    json!({"title": title, "owner": owner, "status": status, "priority": priority}),
                ),
            ));
        }
        bulk::insert(
            tx,
            "tasks",
            &[
                "id",
                "org_id",
                "title",
                "description",
                "item_key",
                "source_assessment_id",
                "owner",
                "start_on",
                "due_on",
                "status",
                "priority",
                "created_at",
                "updated_at",
                "version",
                "risk_id",
                "number",
            ],
            rows,
        )
        .await?;
        isms_db::audit::append_batch(tx, st.org_id, log).await?;
        done += n;
        progress.advance(n as u64);
    }
    progress.finish();
    Ok(())
}

/// Reviews (a record confirmed as still accurate, nothing changed) until the
/// organisation's audit trail holds the size's count; answers the trail's length.
async fn gen_reviews(
    tx: &mut Tx,
    size: &DemoSize,
    rng: &mut Rng,
    st: &State,
    progress: &dyn Progress,
) -> AppResult<i64> {
    let have = isms_db::audit::head(tx, st.org_id)
        .await?
        .map_or(0, |(seq, _)| seq);
    let want = i64::try_from(size.audit_entries).unwrap_or(i64::MAX);
    let missing = usize::try_from(want - have).unwrap_or(0);
    if missing == 0 || (st.assets.is_empty() && st.risks.is_empty() && st.evidence.is_empty()) {
        return Ok(have);
    }
    progress.start("audit trail", missing as u64);
    let mut done = 0;
    while done < missing {
        let n = (BATCH * 4).min(missing - done);
        let mut log = Vec::with_capacity(n);
        for _ in 0..n {
            let e = match rng.below(3) {
                0 if !st.assets.is_empty() => {
                    let (id, number, _) = &st.assets[rng.below(st.assets.len())];
                    entry(
                        st.now,
                        "asset",
                        *id,
                        "review",
                        format!("reviewed asset A-{number:04}: still accurate"),
                        None,
                    )
                }
                1 if !st.risks.is_empty() => {
                    let (id, number) = st.risks[rng.below(st.risks.len())];
                    entry(
                        st.now,
                        "risk",
                        id,
                        "review",
                        format!("reviewed risk R-{number:03}: rating confirmed"),
                        None,
                    )
                }
                _ if !st.evidence.is_empty() => {
                    let (id, number) = st.evidence[rng.below(st.evidence.len())];
                    entry(
                        st.now,
                        "evidence",
                        id,
                        "review",
                        format!("checked evidence EV-{number:04}: still valid"),
                        None,
                    )
                }
                _ => {
                    let (id, number, _) = &st.assets[rng.below(st.assets.len())];
                    entry(
                        st.now,
                        "asset",
                        *id,
                        "review",
                        format!("reviewed asset A-{number:04}: still accurate"),
                        None,
                    )
                }
            };
            log.push(e);
        }
        isms_db::audit::append_batch(tx, st.org_id, log).await?;
        done += n;
        progress.advance(n as u64);
    }
    progress.finish();
    Ok(isms_db::audit::head(tx, st.org_id)
        .await?
        .map_or(0, |(seq, _)| seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::new("small"), Rng::new("small"));
        let xs: Vec<u64> = (0..50).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..50).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(
            xs,
            (0..50)
                .map(|_| Rng::new("large").next())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn ranges_stay_inside_their_bounds() {
        let mut r = Rng::new("t");
        for _ in 0..10_000 {
            let v = r.range(1, 5);
            assert!((1..=5).contains(&v));
            assert!(r.below(7) < 7);
        }
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn asset_type_shares_cover_every_type_and_add_up() {
        let total: usize = AssetType::ALL.iter().map(|t| asset_names(*t).1).sum();
        assert_eq!(total, 100);
        assert!(AssetType::ALL.iter().all(|t| !asset_names(*t).0.is_empty()));
    }

    #[test]
    fn sizes_parse_and_unknown_ones_name_the_field() {
        assert_eq!(
            DemoSize::parse("size", "large").map(|s| s.assets),
            Ok(100_000)
        );
        assert_eq!(
            DemoSize::parse("size", "medium").map(|s| s.risks),
            Ok(5_000)
        );
        let e = DemoSize::parse("size", "huge")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("size"), "{e}");
        assert_eq!(name_for("acme-large"), "Acme Large");
    }
}
