import { startServer, launchBrowser, newPage, signIn, DEMO } from './specs/helpers.mjs';
const s = await startServer(); const b = await launchBrowser(); const { page } = await newPage(b, s.url);
await signIn(page, DEMO.viewer);
for (const p of ['/o/bluefin', '/o/nope', '/o/northwind/members/00000000-0000-0000-0000-000000000000', '/admin/users/xyz']) { const r = await page.goto(p); console.log(p, r.status(), await page.locator('main h1').innerText()); }
await b.close(); await s.stop();
