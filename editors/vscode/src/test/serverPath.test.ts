import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  Probe,
  ResolveInput,
  ServerNotFoundError,
  binaryName,
  bundledServerPath,
  configuredCandidates,
  ensureExecutable,
  pathEntries,
  probeFile,
  resolveServerPath,
} from '../serverPath';

/** A file system given as a map from path to what a probe finds there. */
function input(files: Record<string, Probe>, overrides: Partial<ResolveInput> = {}): ResolveInput {
  return {
    configuredPath: undefined,
    extensionPath: '/ext',
    workspaceFolder: '/work/project',
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    homeDir: '/home/ann',
    probe: (file) => files[file] ?? 'missing',
    ...overrides,
  };
}

describe('binary names', () => {
  it('adds .exe on Windows only', () => {
    assert.equal(binaryName('win32'), 'trueconf-lsp.exe');
    assert.equal(binaryName('linux'), 'trueconf-lsp');
    assert.equal(binaryName('darwin'), 'trueconf-lsp');
  });

  it('puts the bundled binary in bundled/', () => {
    assert.equal(bundledServerPath('/ext', 'linux'), '/ext/bundled/trueconf-lsp');
    assert.equal(bundledServerPath('C:\\ext', 'win32'), 'C:\\ext\\bundled\\trueconf-lsp.exe');
  });
});

describe('resolution order', () => {
  it('prefers the setting over the bundled binary and PATH', () => {
    const r = resolveServerPath(
      input(
        { '/opt/tc/trueconf-lsp': 'ok', '/ext/bundled/trueconf-lsp': 'ok', '/usr/bin/trueconf-lsp': 'ok' },
        { configuredPath: '/opt/tc/trueconf-lsp' },
      ),
    );
    assert.deepEqual([r.path, r.source, r.skipped], ['/opt/tc/trueconf-lsp', 'setting', []]);
  });

  it('uses the bundled binary when the setting is empty', () => {
    const r = resolveServerPath(
      input({ '/ext/bundled/trueconf-lsp': 'ok', '/usr/bin/trueconf-lsp': 'ok' }, { configuredPath: '  ' }),
    );
    assert.equal(r.path, '/ext/bundled/trueconf-lsp');
    assert.equal(r.source, 'bundled');
  });

  it('falls back to PATH, in PATH order', () => {
    const r = resolveServerPath(input({ '/usr/bin/trueconf-lsp': 'ok', '/usr/local/bin/trueconf-lsp': 'ok' }));
    assert.equal(r.path, '/usr/local/bin/trueconf-lsp');
    assert.equal(r.source, 'PATH');
  });

  it('skips a broken setting but reports it', () => {
    const r = resolveServerPath(
      input({ '/ext/bundled/trueconf-lsp': 'ok' }, { configuredPath: '/nowhere/trueconf-lsp' }),
    );
    assert.equal(r.source, 'bundled');
    assert.deepEqual(r.skipped, [{ source: 'setting', path: '/nowhere/trueconf-lsp', problem: 'missing' }]);
  });

  it('skips a PATH entry that is not executable', () => {
    const r = resolveServerPath(
      input({ '/usr/local/bin/trueconf-lsp': 'not-executable', '/usr/bin/trueconf-lsp': 'ok' }),
    );
    assert.equal(r.path, '/usr/bin/trueconf-lsp');
  });
});

describe('the setting', () => {
  it('expands ~ and resolves relative paths against the first workspace folder', () => {
    const opts = { homeDir: '/home/ann', workspaceFolder: '/work/project', platform: 'linux' as const };
    assert.deepEqual(configuredCandidates('~/bin/trueconf-lsp', opts), ['/home/ann/bin/trueconf-lsp']);
    assert.deepEqual(configuredCandidates('target/debug/trueconf-lsp', opts), [
      '/work/project/target/debug/trueconf-lsp',
    ]);
    assert.deepEqual(configuredCandidates('./bin/../bin/trueconf-lsp', opts), ['/work/project/bin/trueconf-lsp']);
    assert.deepEqual(configuredCandidates('/abs/trueconf-lsp', opts), ['/abs/trueconf-lsp']);
  });

  it('also tries .exe on Windows', () => {
    const opts = { homeDir: 'C:\\Users\\ann', workspaceFolder: 'C:\\proj', platform: 'win32' as const };
    assert.deepEqual(configuredCandidates('C:\\tools\\trueconf-lsp', opts), [
      'C:\\tools\\trueconf-lsp',
      'C:\\tools\\trueconf-lsp.exe',
    ]);
    assert.deepEqual(configuredCandidates('~\\bin\\trueconf-lsp.exe', opts), ['C:\\Users\\ann\\bin\\trueconf-lsp.exe']);
    const r = resolveServerPath(
      input(
        { 'C:\\tools\\trueconf-lsp.exe': 'ok' },
        { platform: 'win32', configuredPath: 'C:\\tools\\trueconf-lsp', extensionPath: 'C:\\ext', env: {} },
      ),
    );
    assert.equal(r.path, 'C:\\tools\\trueconf-lsp.exe');
  });
});

describe('PATH on Windows', () => {
  it('reads Path in any case, splits on ; and drops quotes', () => {
    assert.deepEqual(pathEntries({ Path: 'C:\\a;"C:\\Program Files\\b";;' }, 'win32'), [
      'C:\\a',
      'C:\\Program Files\\b',
    ]);
    assert.deepEqual(pathEntries({ PATH: '/a::/b' }, 'linux'), ['/a', '/b']);
    assert.deepEqual(pathEntries({}, 'linux'), []);
  });

  it('finds trueconf-lsp.exe on Path', () => {
    const r = resolveServerPath(
      input(
        { 'C:\\Program Files\\trueconf\\trueconf-lsp.exe': 'ok' },
        { platform: 'win32', extensionPath: 'C:\\ext', env: { Path: 'C:\\Windows;C:\\Program Files\\trueconf' } },
      ),
    );
    assert.equal(r.path, 'C:\\Program Files\\trueconf\\trueconf-lsp.exe');
  });
});

describe('not found', () => {
  it('names every place tried, in order', () => {
    let error: unknown;
    try {
      resolveServerPath(
        input(
          { '/usr/bin/trueconf-lsp': 'not-executable' },
          { configuredPath: '~/missing/trueconf-lsp', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } },
        ),
      );
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ServerNotFoundError);
    assert.deepEqual(
      error.tried.map((a) => [a.source, a.problem]),
      [
        ['setting', 'missing'],
        ['bundled', 'missing'],
        ['PATH', 'not-executable'],
        ['PATH', 'not-in-folders'],
      ],
    );
    const message = error.message;
    assert.match(message, /cannot find the language server binary/);
    assert.match(message, /setting trueconf-lsp\.path: \/home\/ann\/missing\/trueconf-lsp \(no such file\)/);
    assert.match(message, /bundled with the extension: \/ext\/bundled\/trueconf-lsp \(no such file\)/);
    assert.match(message, /PATH: \/usr\/bin\/trueconf-lsp \(not executable\)/);
    assert.match(message, /PATH: no trueconf-lsp in \/usr\/local\/bin, \/bin/);
  });

  it('says when the setting is unset and PATH is empty', () => {
    assert.throws(
      () => resolveServerPath(input({}, { env: {} })),
      (e: unknown) =>
        e instanceof ServerNotFoundError &&
        /setting trueconf-lsp\.path: not set/.test(e.message) &&
        /PATH: empty, nothing to search/.test(e.message),
    );
  });
});

describe('real files', () => {
  it('probes files, folders and the executable bit, and restores the bit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trueconf-lsp-test-'));
    try {
      const file = path.join(dir, 'trueconf-lsp');
      fs.writeFileSync(file, '#!/bin/sh\n');
      assert.equal(probeFile(path.join(dir, 'absent')), 'missing');
      assert.equal(probeFile(dir), 'not-a-file');
      if (process.platform !== 'win32') {
        fs.chmodSync(file, 0o644);
        assert.equal(probeFile(file), 'not-executable');
      }
      fs.chmodSync(file, 0o644);
      assert.equal(ensureExecutable(file), true);
      assert.equal(probeFile(file), 'ok');
      if (process.platform !== 'win32') {
        assert.equal(fs.statSync(file).mode & 0o111, 0o111);
      }
      assert.equal(ensureExecutable(path.join(dir, 'absent')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
