// Drives real VS Code (code-server) in headless Chromium: opens the rule YAML and the broken .kql of the e2e
// workspace, waits for the language server's error squiggles, opens the Problems panel and takes a screenshot.
// Started by run.sh, which provides everything through the environment:
//   E2E_URL          code-server URL with ?folder=...
//   E2E_SCREENSHOT   PNG to write (also written, with a -failure suffix, when a step fails)
//   E2E_CHROMIUM     Chromium executable
//   E2E_EXPECT       optional: texts, separated by `|`, that must appear in the Problems panel
//   E2E_SETTINGS     optional: the workspace's .vscode/settings.json; when set, the test also points
//                    `kqlint.path` at a missing file there (expects the "cannot start" error and the squiggles
//                    to go), then restores the file (expects the server to come back)
//   E2E_DOCS         optional: `CODE|text`: click the code CODE of a problem in the Problems panel and expect the
//                    rule's documentation (a `kqlint-docs:` document) to open in an editor showing `text`
//   E2E_TIMEOUT_MS   optional: per-step timeout (default 60000)
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const url = process.env.E2E_URL;
const screenshot = process.env.E2E_SCREENSHOT;
const expected = (process.env.E2E_EXPECT ?? '').split('|').filter((s) => s !== '');
const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 60000);
if (!url || !screenshot) {
  throw new Error('E2E_URL and E2E_SCREENSHOT are required (run test/e2e/run.sh)');
}

const started = Date.now();
const step = (what) => console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(1)}s ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.setDefaultTimeout(timeout);

/** Opens `name` with Quick Open and waits until it is the active editor tab. */
async function open(name) {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

const squiggles = page.locator('.editor-group-container.active .monaco-editor .squiggly-error');

/** Waits for an error squiggle in the visible (active) editor. */
async function squiggle(name) {
  await squiggles.first().waitFor();
  step(`error squiggle in ${name}`);
}

/** Runs a command from the command palette by its title. */
async function command(title) {
  await page.keyboard.press('Control+Shift+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
}

const shot = async (suffix) => {
  const file = screenshot.replace(/\.png$/i, '') + suffix + '.png';
  await page.screenshot({ path: file });
  return file;
};

let ok = false;
try {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor();
  step('workbench loaded');
  await page.waitForTimeout(1500);

  await open('broken.kql');
  await page.locator('.statusbar-item', { hasText: /^KQL$/ }).first().waitFor();
  step('broken.kql opened, language mode KQL');
  await squiggle('broken.kql');

  await page.waitForTimeout(500);
  step(`screenshot ${await shot('-kql')}`);

  await open('PlaceholderRule.yaml');
  await squiggle('PlaceholderRule.yaml');

  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel');
  await problems.waitFor();
  for (const text of ['PlaceholderRule.yaml', 'broken.kql', ...expected]) {
    await problems.getByText(text).first().waitFor();
  }
  // two file rows and at least one problem under each
  await problems.locator('.monaco-list-row').nth(3).waitFor();
  const rows = await problems.locator('.monaco-list-row').allInnerTexts();
  step(`Problems panel:\n  ${rows.map((r) => r.replace(/\s+/g, ' ').trim()).join('\n  ')}`);

  await page.locator('.editor-group-container.active .monaco-editor').first().click({ position: { x: 400, y: 300 } });
  await page.keyboard.press('Control+Home');
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshot });
  step(`screenshot ${screenshot}`);

  const [docsCode, docsText] = (process.env.E2E_DOCS ?? '').split('|');
  if (docsCode && docsText) {
    // the diagnostic's code is a link to the rule's documentation
    await problems.locator('a', { hasText: docsCode }).first().click();
    await page.locator('.tab.active', { hasText: `${docsCode}.md` }).waitFor();
    await page.locator('.editor-group-container.active .view-lines', { hasText: docsText }).first().waitFor();
    await page.waitForTimeout(500);
    step(`${docsCode} in the Problems panel opens its documentation; screenshot ${await shot('-docs')}`);
    await open('PlaceholderRule.yaml');
    await squiggle('PlaceholderRule.yaml, back from the documentation');
  }

  await command('kqlint: Restart Language Server');
  await page.waitForTimeout(1000);
  await squiggle('PlaceholderRule.yaml after "kqlint: Restart Language Server"');

  const settingsFile = process.env.E2E_SETTINGS;
  if (settingsFile) {
    const original = readFileSync(settingsFile, 'utf8');
    const settings = JSON.parse(original);
    writeFileSync(settingsFile, JSON.stringify({ ...settings, 'kqlint.path': '/nonexistent/kqlint' }, null, 2));
    await page.getByText('kqlint: cannot start the language server').first().waitFor();
    await squiggles.first().waitFor({ state: 'detached' });
    await page.waitForTimeout(700); // let the notification finish sliding in
    step(`kqlint.path -> missing file: error shown, squiggles gone; screenshot ${await shot('-not-found')}`);
    writeFileSync(settingsFile, original);
    await squiggle('PlaceholderRule.yaml after kqlint.path was restored');
  }
  ok = true;
} catch (err) {
  const failure = screenshot.replace(/\.png$/i, '') + '-failure.png';
  await page.screenshot({ path: failure }).catch(() => {});
  console.error(`e2e: FAILED after ${((Date.now() - started) / 1000).toFixed(1)}s: ${err instanceof Error ? err.message : err}`);
  console.error(`e2e: screenshot of the failure: ${failure}`);
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
