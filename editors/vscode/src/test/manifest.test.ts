// Checks that package.json agrees with the code: activation events, settings
// and commands that the extension reads or registers.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { LANGUAGE_IDS, documentSelector } from '../languages';
import { LOG_LEVELS, RESTART_SETTINGS, SERVER_SETTINGS } from '../settings';

// Compiled to out/test/, so the manifest is two folders up.
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; enum?: string[] }> =
  manifest.contributes.configuration.properties;

describe('package.json', () => {
  it('activates on exactly the languages the client selects', () => {
    const events = (manifest.activationEvents as string[]).map((e) => e.replace(/^onLanguage:/, ''));
    assert.deepEqual([...events].sort(), [...LANGUAGE_IDS].sort());
    assert.equal(LANGUAGE_IDS.length, 17);
  });

  it('selects file and untitled documents of each language', () => {
    const selector = documentSelector();
    assert.equal(selector.length, LANGUAGE_IDS.length * 2);
    assert.ok(selector.some((f) => f.scheme === 'untitled' && f.language === 'shellscript'));
  });

  it('declares every setting the extension reads', () => {
    const declared = Object.keys(properties).sort();
    assert.deepEqual(declared, [
      'trueconf-lsp.allowedServers',
      'trueconf-lsp.ignore',
      'trueconf-lsp.inlayHints.enable',
      'trueconf-lsp.logLevel',
      'trueconf-lsp.path',
      'trueconf-lsp.select',
      'trueconf-lsp.severity',
      'trueconf-lsp.trace.server',
    ]);
    for (const s of [...RESTART_SETTINGS, ...SERVER_SETTINGS]) {
      assert.ok(
        declared.some((d) => d === s || d.startsWith(`${s}.`)),
        `${s} is not declared in package.json`,
      );
    }
  });

  it('offers the same log levels as the code', () => {
    assert.deepEqual(properties['trueconf-lsp.logLevel'].enum, [...LOG_LEVELS]);
    assert.equal(properties['trueconf-lsp.logLevel'].default, 'info');
  });

  it('restricts the binary path in untrusted workspaces', () => {
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['trueconf-lsp.path']);
  });

  it('contributes the three commands', () => {
    const commands = (manifest.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    assert.deepEqual(commands, ['trueconf-lsp.fixAll', 'trueconf-lsp.restart', 'trueconf-lsp.showOutput']);
  });

  it('points main at the bundle and pins vscode-languageclient 9', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.dependencies['vscode-languageclient'], /^\^?9\./);
  });
});
