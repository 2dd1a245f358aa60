import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ConfigReader,
  logLevel,
  planConfigurationChange,
  serverEnv,
  toServerSettings,
} from '../settings';

/** A `WorkspaceConfiguration` stand-in: keys are relative to `trueconf-lsp.`. */
function reader(values: Record<string, unknown>): ConfigReader {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

/** What VS Code returns when nothing is set: the defaults from package.json. */
const DEFAULTS = {
  path: '',
  'trace.server': 'off',
  logLevel: 'info',
  select: [],
  ignore: [],
  severity: {},
  allowedServers: [],
  'inlayHints.enable': true,
};

describe('toServerSettings', () => {
  it('sends only inlay-hints when everything is at its default', () => {
    assert.deepEqual(toServerSettings(reader(DEFAULTS)), { settings: { 'inlay-hints': true }, problems: [] });
    assert.deepEqual(toServerSettings(reader({})), { settings: { 'inlay-hints': true }, problems: [] });
  });

  it('maps every setting to the server key', () => {
    const { settings, problems } = toServerSettings(
      reader({
        ...DEFAULTS,
        select: ['TC'],
        ignore: ['TC015'],
        severity: { TC004: 'error' },
        allowedServers: ['video.example.com', '*.corp.example.com'],
        'inlayHints.enable': false,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      select: ['TC'],
      ignore: ['TC015'],
      severity: { TC004: 'error' },
      'allowed-servers': ['video.example.com', '*.corp.example.com'],
      'inlay-hints': false,
    });
    // The exact JSON the server receives.
    assert.equal(
      JSON.stringify(settings),
      '{"inlay-hints":false,"select":["TC"],"ignore":["TC015"],"severity":{"TC004":"error"},' +
        '"allowed-servers":["video.example.com","*.corp.example.com"]}',
    );
  });

  it('normalises codes: trims, upper-cases, drops blanks and repeats', () => {
    const { settings, problems } = toServerSettings(
      reader({ select: [' tc001', 'TC001', '', 'tc00'], ignore: ['tc015 '] }),
    );
    assert.deepEqual(settings.select, ['TC001', 'TC00']);
    assert.deepEqual(settings.ignore, ['TC015']);
    assert.deepEqual(problems, []);
  });

  it('drops values that are not rule codes and says why', () => {
    const { settings, problems } = toServerSettings(
      reader({ select: ['TC-001', 7, 'TC002'], ignore: 'TC015', severity: { 'TC 4': 'error', TC005: 'loud' } }),
    );
    assert.deepEqual(settings.select, ['TC002']);
    assert.equal(settings.ignore, undefined);
    assert.equal(settings.severity, undefined);
    assert.equal(problems.length, 5);
    assert.match(problems[0], /trueconf-lsp\.select: "TC-001" is not a rule code/);
    assert.match(problems[1], /trueconf-lsp\.select: 7 is not a rule code/);
    assert.match(problems[2], /trueconf-lsp\.ignore should be a list/);
    assert.match(problems[3], /trueconf-lsp\.severity: "TC 4" is not a rule code/);
    assert.match(problems[4], /trueconf-lsp\.severity\.TC005: "loud" is not one of error, warning, info, hint/);
  });

  it('accepts severity aliases and any case', () => {
    const { settings } = toServerSettings(
      reader({ severity: { tc004: 'Error', TC001: 'warn', TC015: 'information', TC012: 'HINT' } }),
    );
    assert.deepEqual(settings.severity, { TC004: 'error', TC001: 'warning', TC015: 'info', TC012: 'hint' });
  });

  it('trims allowed servers and drops blanks and repeats', () => {
    const { settings } = toServerSettings(
      reader({ allowedServers: [' video.example.com ', '', 'video.example.com', 'b.example.com'] }),
    );
    assert.deepEqual(settings['allowed-servers'], ['video.example.com', 'b.example.com']);
  });

  it('keeps inlay hints on when the value is not a boolean', () => {
    const { settings, problems } = toServerSettings(reader({ 'inlayHints.enable': 'no' }));
    assert.equal(settings['inlay-hints'], true);
    assert.match(problems[0], /inlayHints\.enable should be true or false/);
  });
});

describe('log level', () => {
  it('reads the setting and falls back to info', () => {
    assert.equal(logLevel(reader({ logLevel: 'debug' })), 'debug');
    assert.equal(logLevel(reader({ logLevel: ' TRACE ' })), 'trace');
    assert.equal(logLevel(reader({ logLevel: 'verbose' })), 'info');
    assert.equal(logLevel(reader({})), 'info');
  });

  it('passes it as TRUECONF_LOG without touching the rest of the environment', () => {
    const base = { PATH: '/usr/bin', TRUECONF_LOG: 'warn' };
    const env = serverEnv(base, 'debug');
    assert.deepEqual(env, { PATH: '/usr/bin', TRUECONF_LOG: 'debug' });
    assert.equal(base.TRUECONF_LOG, 'warn');
  });
});

describe('planConfigurationChange', () => {
  /** `affectsConfiguration` for a change to `changed`: true for it and every enclosing section. */
  function affects(...changed: string[]) {
    return (setting: string) => changed.some((c) => c === setting || c.startsWith(`${setting}.`));
  }

  it('restarts when the binary or its log level changes', () => {
    assert.equal(planConfigurationChange(affects('trueconf-lsp.path')), 'restart');
    assert.equal(planConfigurationChange(affects('trueconf-lsp.logLevel')), 'restart');
    assert.equal(planConfigurationChange(affects('trueconf-lsp.logLevel', 'trueconf-lsp.select')), 'restart');
  });

  it('notifies the running server about server settings', () => {
    for (const key of ['select', 'ignore', 'severity', 'allowedServers', 'inlayHints.enable']) {
      assert.equal(planConfigurationChange(affects(`trueconf-lsp.${key}`)), 'notify', key);
    }
  });

  it('ignores trace.server (the client applies it) and other extensions', () => {
    assert.equal(planConfigurationChange(affects('trueconf-lsp.trace.server')), 'none');
    assert.equal(planConfigurationChange(affects('editor.fontSize')), 'none');
  });
});
