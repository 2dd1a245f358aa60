// End-to-end test of the VS Code extension in VS Code itself (code-server in
// headless Chromium, driven with puppeteer-core). Started by run.sh, which
// installs code-server and the extension's .vsix, writes the settings
// (`trueconf-lsp.path` = the built server) and starts code-server on $E2E_URL.
//
// Checks, in the workspace $E2E_WORKSPACE (doc.md, page.html):
//   - squiggles in the editor;
//   - the Problems panel lists the CLI's findings at the CLI's lines and the
//     UTF-16 columns of the CLI's character columns (a line with emoji and CJK
//     before the links), for Markdown and HTML (the <script> finding);
//   - the server process is the binary `trueconf-lsp.path` names;
//   - hover text explains the link and never shows the password;
//   - a quick fix from the lightbulb menu, saved to disk;
//   - completion of parameter names after `&`.
// Screenshots go to $E2E_SHOTS (final.png, and failure.png on a failure).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const URL = env('E2E_URL');
const WS = env('E2E_WORKSPACE');
const SHOTS = env('E2E_SHOTS');
const BIN = fs.realpathSync(env('TRUECONF_LSP_BIN'));
const CHROMIUM = env('E2E_CHROMIUM');
const SECRET = env('E2E_SECRET');
const EXPECTED = JSON.parse(env('E2E_EXPECTED')); // the CLI's JSON report
const puppeteer = createRequire(path.join(env('E2E_DRIVER'), 'package.json'))('puppeteer-core');

const TIMEOUT = 60000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let passed = 0;
const failed = [];
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed.push(name);
    console.log(`FAIL ${name}\n     ${String(e && e.message ? e.message : e).replace(/\n/g, '\n     ')}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// The CLI's character column (1-based) as a UTF-16 column (1-based), as VS Code shows it.
function utf16Column(file, line, column) {
  const text = fs.readFileSync(path.join(WS, file), 'utf8').split('\n')[line - 1];
  const chars = Array.from(text).slice(0, column - 1).join('');
  return chars.length + 1; // String length counts UTF-16 units
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1600,1000'],
    defaultViewport: { width: 1600, height: 1000 },
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  try {
    await run(page);
  } catch (e) {
    failed.push(`driver: ${e.message}`);
    console.log(`FAIL driver\n     ${e.stack}`);
  } finally {
    await page.screenshot({ path: path.join(SHOTS, failed.length ? 'failure.png' : 'final.png') }).catch(() => {});
    await browser.close();
  }
  console.log(`vscode e2e: ${passed} passed, ${failed.length} failed${failed.length ? ` (${failed.join('; ')})` : ''}`);
  process.exit(failed.length ? 1 : 0);
}

// ---- Driving the workbench with the keyboard, as a user would.

async function quickInput(page, text) {
  await page.keyboard.press('F1');
  const input = await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input.input', { visible: true });
  await input.click({ clickCount: 3 });
  await page.keyboard.type(text, { delay: 5 });
  await sleep(400);
  return input;
}

async function command(page, label) {
  await quickInput(page, `>${label}`);
  await page.waitForFunction(
    (l) => [...document.querySelectorAll('.quick-input-list .monaco-list-row')].some((r) => r.textContent.includes(l)),
    {},
    label,
  );
  await page.keyboard.press('Enter');
  await sleep(300);
}

async function openFile(page, name) {
  // An open file: click its tab.
  const tabs = await page.$$('.tabs-container .tab');
  for (const tab of tabs) {
    if ((await tab.evaluate((e) => e.getAttribute('aria-label') || e.textContent)).includes(name)) {
      await tab.click();
      await page.waitForFunction(
        (n) => document.querySelector('.tab.active') && document.querySelector('.tab.active').textContent.includes(n),
        {},
        name,
      );
      await sleep(500);
      return;
    }
  }
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyP');
  await page.keyboard.up('Control');
  await page.waitForSelector('.quick-input-widget input.input', { visible: true });
  await page.keyboard.type(name, { delay: 5 });
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('.quick-input-list .monaco-list-row')].some((r) => r.textContent.includes(n)),
    {},
    name,
  );
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) => document.querySelector('.tab.active') && document.querySelector('.tab.active').textContent.includes(n),
    {},
    name,
  );
  await sleep(500);
}

/** Moves the cursor to LINE:COLUMN (1-based, UTF-16) with Go to Line/Column. */
async function goTo(page, line, column) {
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyG');
  await page.keyboard.up('Control');
  await page.waitForSelector('.quick-input-widget input.input', { visible: true });
  await page.keyboard.type(`${line}:${column}`, { delay: 5 });
  await sleep(200);
  await page.keyboard.press('Enter');
  await sleep(300);
}

async function cursorStatus(page) {
  return page.$eval('.statusbar-item[id="status.editor.selection"]', (e) => e.textContent).catch(() => '');
}

/** The Problems panel rows: {text, line, col}. */
async function problems(page) {
  return page.$$eval('.markers-panel .monaco-list-row', (rows) =>
    rows.map((r) => {
      const text = r.textContent;
      const m = /\[Ln (\d+), Col (\d+)\]/.exec(text);
      return { text, aria: r.getAttribute('aria-label') || '', line: m ? +m[1] : null, col: m ? +m[2] : null };
    }),
  );
}

async function run(page) {
  await page.goto(`${URL}/?folder=${encodeURIComponent(WS)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.monaco-workbench', { timeout: 120000 });
  await page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: 120000 }).catch(() => {});
  await sleep(2000);

  await check('VS Code: doc.md opens in a Markdown editor', async () => {
    await openFile(page, 'doc.md');
  });

  await check('editor: squiggles on the findings', async () => {
    await page.waitForSelector('.view-overlays .squiggly-error', { timeout: TIMEOUT });
    await page.waitForSelector('.view-overlays .squiggly-warning', { timeout: TIMEOUT });
  });

  await check('trueconf-lsp.path: the server running is the built binary', async () => {
    const found = [];
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (fs.realpathSync(`/proc/${pid}/exe`) === BIN) found.push(pid);
      } catch {}
    }
    assert(found.length > 0, `no running process of ${BIN}`);
  });

  await openFile(page, 'page.html');
  await page.waitForSelector('.view-overlays .squiggly-error', { timeout: TIMEOUT });

  await check('Problems panel: the CLI findings at the CLI lines and UTF-16 columns', async () => {
    await command(page, 'View: Focus Problems');
    const want = EXPECTED.diagnostics.map((d) => ({
      file: d.path,
      code: d.code,
      line: d.range.start.line,
      col: utf16Column(d.path, d.range.start.line, d.range.start.column),
      charCol: d.range.start.column,
    }));
    assert(
      want.some((w) => w.col !== w.charCol),
      'test data: no finding whose UTF-16 column differs from its character column',
    );
    let rows = [];
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      rows = (await problems(page)).filter((r) => r.line !== null && r.text.includes('trueconf-lsp'));
      if (rows.length >= want.length || Date.now() > deadline) break;
      await sleep(500);
    }
    const got = rows.map((r) => `${(/(TC\d+)/.exec(r.text) || [])[1]} ${r.line}:${r.col}`).sort();
    const exp = want.map((w) => `${w.code} ${w.line}:${w.col}`).sort();
    assert(JSON.stringify(got) === JSON.stringify(exp), `Problems panel: ${JSON.stringify(got)}\n CLI (UTF-16): ${JSON.stringify(exp)}`);
    assert(rows.some((r) => r.text.includes('TC014')), 'no TC014 (the <script> finding)');
    const panel = await page.$eval('.markers-panel', (e) => e.textContent);
    assert(!panel.includes(SECRET), 'the Problems panel shows the password');
  });

  await openFile(page, 'doc.md');
  const tc002 = EXPECTED.diagnostics.find((d) => d.path === 'doc.md' && d.code === 'TC002');
  const line = tc002.range.start.line;
  const col = utf16Column('doc.md', line, tc002.range.start.column);

  await check('hover: explains the link, password masked', async () => {
    await goTo(page, line, col + 10);
    await command(page, 'Show or Focus Hover');
    const hover = await page.waitForFunction(
      () => {
        const h = [...document.querySelectorAll('.monaco-hover')].find((e) => e.offsetParent !== null && e.textContent.includes('trueconf'));
        return h && h.textContent;
      },
      { timeout: TIMEOUT },
    );
    const text = await hover.jsonValue();
    assert(text.includes('sign in as alice'), `hover lacks "sign in as alice": ${text}`);
    assert(text.includes('***'), `hover lacks ***: ${text}`);
    assert(!text.includes(SECRET), 'the hover shows the password');
    await page.keyboard.press('Escape');
  });

  await check('quick fix: "Add encrypt=1" from the code action menu, saved', async () => {
    await goTo(page, line, col + 10);
    await page.keyboard.down('Control');
    await page.keyboard.press('Period');
    await page.keyboard.up('Control');
    const item = await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.action-widget .monaco-list-row, .context-view .monaco-list-row')].find((r) =>
          r.textContent.includes('Add encrypt=1'),
        ),
      { timeout: TIMEOUT },
    );
    await item.asElement().click();
    await sleep(500);
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyS');
    await page.keyboard.up('Control');
    const deadline = Date.now() + TIMEOUT;
    let text = '';
    while (Date.now() < deadline) {
      text = fs.readFileSync(path.join(WS, 'doc.md'), 'utf8').split('\n')[line - 1];
      if (text.includes('&force=1&encrypt=1)')) break;
      await sleep(300);
    }
    assert(text.includes('&force=1&encrypt=1)'), `line ${line} on disk: ${text}`);
  });

  await check('completion: parameter names after `&`', async () => {
    const lines = fs.readFileSync(path.join(WS, 'doc.md'), 'utf8').split('\n');
    const n = lines.findIndex((l) => l.endsWith('confid=room&')) + 1;
    assert(n > 0, 'no `confid=room&` line');
    await goTo(page, n, lines[n - 1].length + 1);
    await page.keyboard.down('Control');
    await page.keyboard.press('Space');
    await page.keyboard.up('Control');
    const labels = await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('.suggest-widget.visible .monaco-list-row')];
        return rows.length > 0 && rows.map((r) => r.getAttribute('aria-label') || r.textContent);
      },
      { timeout: TIMEOUT },
    );
    const got = (await labels.jsonValue()).join(' | ');
    for (const want of ['login', 'password', 'encrypt']) {
      assert(got.includes(want), `completion lacks ${want}: ${got}`);
    }
    await page.keyboard.press('Escape');
  });

  await command(page, 'View: Focus Problems');
  await sleep(1000);
}

main();
