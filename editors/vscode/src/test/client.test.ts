// The extension end to end, without VS Code: `vscode` is the stand-in from
// fixtures/vscodeMock, the server is the scripted one from fixtures/mockServer.
// Checks the launch (binary, --stdio, TRUECONF_LOG, initializationOptions),
// the workspace/configuration middleware, settings notifications, restarts,
// fix-all and the not-found message.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createVscodeMock } from './fixtures/vscodeMock';

const { vscode, state } = createVscodeMock();

// Route require('vscode') to the stand-in before the extension loads.
const moduleInternals = Module as unknown as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
  _cache: Record<string, unknown>;
};
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
};
moduleInternals._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

const extension = require('../extension') as typeof import('../extension');

type Event = { event: string; data: any };

const skip = process.platform === 'win32' ? 'the scripted server is started through a shell script' : false;

describe('extension with a scripted server', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trueconf-lsp-client-'));
  const logFile = path.join(dir, 'server.jsonl');
  const server = path.join(dir, 'trueconf-lsp');
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionPath: path.join(dir, 'extension') };

  const events = (): Event[] =>
    fs.existsSync(logFile)
      ? fs
          .readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Event)
      : [];
  const named = (name: string) => events().filter((e) => e.event === name);

  async function until<T>(what: string, probe: () => T | undefined | false, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = probe();
      if (value) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; server log:\n${JSON.stringify(events(), null, 1)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  before(async () => {
    fs.writeFileSync(
      server,
      `#!/bin/sh\nMOCK_LOG='${logFile}' exec '${process.execPath}' '${path.join(__dirname, 'fixtures', 'mockServer.js')}' "$@"\n`,
    );
    fs.chmodSync(server, 0o755);
    Object.assign(state.settings, {
      'trueconf-lsp.path': server,
      'trueconf-lsp.logLevel': 'debug',
      'trueconf-lsp.select': [],
      'trueconf-lsp.ignore': ['tc015'],
      'trueconf-lsp.severity': { TC004: 'error' },
      'trueconf-lsp.allowedServers': [],
      'trueconf-lsp.inlayHints.enable': true,
    });
    await extension.activate(context as never);
  });

  after(async () => {
    await extension.deactivate();
    for (const d of context.subscriptions) {
      d.dispose();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts the configured binary with --stdio, TRUECONF_LOG and the mapped settings', async () => {
    const [start] = await until('start', () => named('start').length > 0 && named('start'));
    assert.deepEqual(start.data, { args: ['--stdio'], TRUECONF_LOG: 'debug' });
    const [init] = await until('initialize', () => named('initialize').length > 0 && named('initialize'));
    assert.deepEqual(init.data.initializationOptions, {
      settings: { 'inlay-hints': true, ignore: ['TC015'], severity: { TC004: 'error' } },
    });
  });

  it('answers workspace/configuration for trueconf-lsp with the settings object', async () => {
    const [response] = await until('configuration response', () => named('response').length > 0 && named('response'));
    assert.equal(response.data.id, 'configuration');
    assert.deepEqual(response.data.result, [{ 'inlay-hints': true, ignore: ['TC015'], severity: { TC004: 'error' } }, null]);
  });

  it('opens Markdown documents and shows the pushed diagnostics', async () => {
    const doc = state.openDocument('/work/project/guide.md', 'markdown', '[call](visicall:bob@video.example.com)\n');
    const [open] = await until('didOpen', () => named('didOpen').length > 0 && named('didOpen'));
    assert.deepEqual(open.data, { uri: doc.uri.toString(), languageId: 'markdown' });
    const list = await until('diagnostics', () => state.diagnostics.get(doc.uri.toString()));
    assert.equal(list.length, 1);
    assert.equal(list[0].range.start.line, 0);
    assert.equal(list[0].range.start.character, 7);
    assert.equal(list[0].source, 'trueconf-lsp');
  });

  it('sends changed rule settings with workspace/didChangeConfiguration, without a restart', async () => {
    state.changeSettings({ 'trueconf-lsp.select': ['TC0'], 'trueconf-lsp.allowedServers': ['video.example.com'] });
    const [change] = await until('didChangeConfiguration', () => named('didChangeConfiguration').length > 0 && named('didChangeConfiguration'));
    assert.deepEqual(change.data, {
      settings: {
        'trueconf-lsp': {
          'inlay-hints': true,
          select: ['TC0'],
          ignore: ['TC015'],
          severity: { TC004: 'error' },
          'allowed-servers': ['video.example.com'],
        },
      },
    });
    assert.equal(named('start').length, 1);
  });

  it('applies source.fixAll.trueconf-lsp to the active file', async () => {
    const doc = state.documents[0];
    state.activeTextEditor = { document: doc };
    await vscode.commands.executeCommand('trueconf-lsp.fixAll');
    assert.deepEqual(named('codeAction').at(-1)?.data, { only: ['source.fixAll.trueconf-lsp'] });
    assert.equal(doc.getText(), '[call](trueconf:bob@video.example.com)\n');
  });

  it('restarts with the new TRUECONF_LOG when the log level changes', async () => {
    state.changeSettings({ 'trueconf-lsp.logLevel': 'trace' });
    const starts = await until('second start', () => named('start').length === 2 && named('start'));
    assert.deepEqual(starts[1].data, { args: ['--stdio'], TRUECONF_LOG: 'trace' });
    // The new server gets the current settings from the start.
    await until('second initialize', () => named('initialize').length === 2);
    assert.deepEqual(named('initialize')[1].data.initializationOptions.settings.select, ['TC0']);
  });

  it('restarts on the restart command', async () => {
    await vscode.commands.executeCommand('trueconf-lsp.restart');
    await until('third start', () => named('start').length === 3);
  });

  it('names every place looked at when the binary is missing', async () => {
    state.messages.length = 0;
    state.output.length = 0;
    const emptyBin = path.join(dir, 'empty-bin');
    fs.mkdirSync(emptyBin);
    const saved = process.env.PATH;
    process.env.PATH = emptyBin;
    try {
      state.changeSettings({ 'trueconf-lsp.path': path.join(dir, 'missing', 'trueconf-lsp') });
      await until('error message', () => state.messages.find((m) => m.level === 'error'));
    } finally {
      process.env.PATH = saved;
    }
    const text = state.output.join('');
    assert.match(text, /cannot find the language server binary/);
    assert.ok(text.includes(`setting trueconf-lsp.path: ${path.join(dir, 'missing', 'trueconf-lsp')} (no such file)`), text);
    assert.ok(
      text.includes(`bundled with the extension: ${path.join(dir, 'extension', 'bundled', 'trueconf-lsp')} (no such file)`),
      text,
    );
    assert.ok(text.includes(`PATH: no trueconf-lsp in ${emptyBin}`), text);
  });
});
