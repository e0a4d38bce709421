// What the console's end-to-end scripts share (console.e2e.mjs, billing.e2e.mjs): failed checks,
// and the end of a run (report the failing step, screenshot, close Chromium, exit code).
import { rmSync } from 'node:fs';

export class CheckFailed extends Error {}

export function check(cond, message) {
  if (!cond) throw new CheckFailed(message);
}

export const sel = (id) => `[data-testid="${id}"]`;

/**
 * Runs `main` and exits: 0 when it returned, 1 when a check (or anything else) failed, naming
 * the step. `run` gives the script's state at the end: step(), passed(), page(), context(),
 * pageErrors, shot (a screenshot path or ''), userDataDir (removed).
 */
export async function finish(name, main, run) {
  let code = 0;
  try {
    await main();
  } catch (e) {
    code = 1;
    const msg = e instanceof CheckFailed ? e.message : (e?.message ?? String(e)).split('\n')[0];
    console.error(`not ok - ${run.step()}: ${msg}`);
    if (run.page()) console.error(`  page: ${run.page().url()}`);
    if (run.pageErrors.length) console.error(`  page errors:\n    ${run.pageErrors.join('\n    ')}`);
  }
  if (run.shot && run.page()) {
    try {
      await run.page().screenshot({ path: run.shot, fullPage: true });
      console.log(`# screenshot: ${run.shot}`);
    } catch (e) {
      console.error(`# could not write the screenshot: ${e.message}`);
    }
  }
  if (run.context()) await run.context().close().catch(() => {});
  rmSync(run.userDataDir, { recursive: true, force: true });
  console.log(`${name}: ${run.passed()} passed, ${code ? 1 : 0} failed`);
  process.exit(code);
}
