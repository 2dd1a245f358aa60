// VS Code settings (`trueconf-lsp.*`) to the server's settings object, the shape
// that `initializationOptions.settings` and `workspace/configuration` section
// `trueconf-lsp` carry:
//
//   {"select": ["TC"], "ignore": ["TC015"], "severity": {"TC004": "error"},
//    "allowed-servers": ["video.example.com"], "inlay-hints": true}
//
// This module does not import `vscode`: it reads through `ConfigReader`, which
// `vscode.WorkspaceConfiguration` satisfies.

export const SECTION = 'trueconf-lsp';

/** `vscode.WorkspaceConfiguration`, reduced to what the mapping needs. */
export interface ConfigReader {
  get<T>(key: string): T | undefined;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface ServerSettings {
  select?: string[];
  ignore?: string[];
  severity?: Record<string, Severity>;
  'allowed-servers'?: string[];
  'inlay-hints': boolean;
}

export interface Mapped {
  settings: ServerSettings;
  /** Values that were dropped or replaced, one readable sentence each, for the output channel. */
  problems: string[];
}

const CODE = /^[A-Z]+[0-9]*$/;

const SEVERITY_ALIASES: Record<string, Severity> = {
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  information: 'info',
  hint: 'hint',
};

function codeList(value: unknown, key: string, problems: string[]): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push(`${SECTION}.${key} should be a list of rule codes; ignored.`);
    return [];
  }
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') {
      problems.push(`${SECTION}.${key}: ${JSON.stringify(item)} is not a rule code; ignored.`);
      continue;
    }
    const code = item.trim().toUpperCase();
    if (code === '') {
      continue;
    }
    if (!CODE.test(code)) {
      problems.push(`${SECTION}.${key}: "${item}" is not a rule code or prefix (like TC or TC001); ignored.`);
      continue;
    }
    if (!out.includes(code)) {
      out.push(code);
    }
  }
  return out;
}

function severityMap(value: unknown, problems: string[]): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  if (value === undefined || value === null) {
    return out;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${SECTION}.severity should be an object like {"TC004": "error"}; ignored.`);
    return out;
  }
  for (const [rawCode, rawLevel] of Object.entries(value as Record<string, unknown>)) {
    const code = rawCode.trim().toUpperCase();
    if (!CODE.test(code)) {
      problems.push(`${SECTION}.severity: "${rawCode}" is not a rule code or prefix; ignored.`);
      continue;
    }
    const level = typeof rawLevel === 'string' ? SEVERITY_ALIASES[rawLevel.trim().toLowerCase()] : undefined;
    if (level === undefined) {
      problems.push(
        `${SECTION}.severity.${rawCode}: ${JSON.stringify(rawLevel)} is not one of error, warning, info, hint; ignored.`,
      );
      continue;
    }
    out[code] = level;
  }
  return out;
}

function serverList(value: unknown, problems: string[]): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push(`${SECTION}.allowedServers should be a list of host names; ignored.`);
    return [];
  }
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') {
      problems.push(`${SECTION}.allowedServers: ${JSON.stringify(item)} is not a host name; ignored.`);
      continue;
    }
    const host = item.trim();
    if (host !== '' && !out.includes(host)) {
      out.push(host);
    }
  }
  return out;
}

/**
 * Maps the `trueconf-lsp.*` settings to the server's settings object. Keys left at
 * their empty default are omitted, so a project's `trueconf-lsp.toml` still
 * decides them; `inlay-hints` is always sent.
 */
export function toServerSettings(config: ConfigReader): Mapped {
  const problems: string[] = [];
  const settings: ServerSettings = { 'inlay-hints': true };

  const select = codeList(config.get<unknown>('select'), 'select', problems);
  if (select.length > 0) {
    settings.select = select;
  }
  const ignore = codeList(config.get<unknown>('ignore'), 'ignore', problems);
  if (ignore.length > 0) {
    settings.ignore = ignore;
  }
  const severity = severityMap(config.get<unknown>('severity'), problems);
  if (Object.keys(severity).length > 0) {
    settings.severity = severity;
  }
  const servers = serverList(config.get<unknown>('allowedServers'), problems);
  if (servers.length > 0) {
    settings['allowed-servers'] = servers;
  }
  const inlay = config.get<unknown>('inlayHints.enable');
  if (typeof inlay === 'boolean') {
    settings['inlay-hints'] = inlay;
  } else if (inlay !== undefined && inlay !== null) {
    problems.push(`${SECTION}.inlayHints.enable should be true or false; using true.`);
  }

  return { settings, problems };
}

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** The `trueconf-lsp.logLevel` setting, or `info` when it is missing or not a level. */
export function logLevel(config: ConfigReader): LogLevel {
  const value = config.get<unknown>('logLevel');
  if (typeof value === 'string') {
    const level = value.trim().toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(level)) {
      return level as LogLevel;
    }
  }
  return DEFAULT_LOG_LEVEL;
}

/** The server's environment: the extension host's, with `TRUECONF_LOG` set to the level. */
export function serverEnv(base: NodeJS.ProcessEnv, level: LogLevel): NodeJS.ProcessEnv {
  return { ...base, TRUECONF_LOG: level };
}

/** Settings whose change needs a new server process; every other change is sent to the running one. */
export const RESTART_SETTINGS = [`${SECTION}.path`, `${SECTION}.logLevel`] as const;

/**
 * Settings the VS Code client itself applies (`vscode-languageclient` watches
 * `<id>.trace.server`); a change to only these needs no message to the server.
 */
export const CLIENT_ONLY_SETTINGS = [`${SECTION}.trace.server`] as const;

/** The server settings that `toServerSettings` reads, as full setting names. */
export const SERVER_SETTINGS = [
  `${SECTION}.select`,
  `${SECTION}.ignore`,
  `${SECTION}.severity`,
  `${SECTION}.allowedServers`,
  `${SECTION}.inlayHints`,
] as const;

export type ChangePlan = 'restart' | 'notify' | 'none';

/**
 * What to do about a configuration change, given `ConfigurationChangeEvent.affectsConfiguration`:
 * restart the server when the binary or its log level changed, send
 * `workspace/didChangeConfiguration` when a server setting changed, else nothing.
 */
export function planConfigurationChange(affects: (setting: string) => boolean): ChangePlan {
  if (RESTART_SETTINGS.some((s) => affects(s))) {
    return 'restart';
  }
  if (SERVER_SETTINGS.some((s) => affects(s))) {
    return 'notify';
  }
  return 'none';
}
