// Finding the `trueconf-lsp` binary: the `trueconf-lsp.path` setting, then the
// binary bundled in the extension (`bundled/trueconf-lsp[.exe]`), then `PATH`.
//
// This module does not import `vscode`, so the unit tests run under plain Node.
// Everything that touches the machine (file checks, environment, platform) comes
// in through `ResolveInput`, which lets the tests describe Windows on Linux.

import * as fs from 'fs';
import * as path from 'path';

/** Where a candidate binary came from, in resolution order. */
export type ServerSource = 'setting' | 'bundled' | 'PATH';

/** What a file check found at a candidate path. */
export type Probe = 'ok' | 'missing' | 'not-a-file' | 'not-executable';

/** One place that was looked at, and what was found there. */
export interface Attempt {
  source: ServerSource;
  /** The path looked at: a file, or for `PATH` misses the folders searched, joined by `, `. */
  path: string;
  problem: Exclude<Probe, 'ok'> | 'not-set' | 'empty-path' | 'not-in-folders';
  /** For `not-in-folders`: the file name searched for. */
  name?: string;
}

export interface ResolveInput {
  /** The raw `trueconf-lsp.path` setting; empty or undefined means unset. */
  configuredPath: string | undefined;
  /** The extension's install folder (`ExtensionContext.extensionPath`). */
  extensionPath: string;
  /** The first workspace folder, used for a relative `trueconf-lsp.path`. */
  workspaceFolder?: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  probe: (file: string) => Probe;
}

export interface Resolved {
  path: string;
  source: ServerSource;
  /** Places looked at before the one that worked (for a warning when the setting is broken). */
  skipped: Attempt[];
}

export class ServerNotFoundError extends Error {
  readonly tried: Attempt[];

  constructor(tried: Attempt[]) {
    super(describeNotFound(tried));
    this.name = 'ServerNotFoundError';
    this.tried = tried;
  }
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** `trueconf-lsp.exe` on Windows, `trueconf-lsp` elsewhere. */
export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'trueconf-lsp.exe' : 'trueconf-lsp';
}

/** Where a packaged extension keeps its own copy of the server. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathFor(platform).join(extensionPath, 'bundled', binaryName(platform));
}

/**
 * Turns the `trueconf-lsp.path` setting into absolute candidate paths: `~` is the
 * home folder, a relative path is taken from the first workspace folder (or, with
 * none open, left relative to the extension host's working folder). On Windows a
 * path without `.exe` is also tried with it.
 */
export function configuredCandidates(
  raw: string,
  opts: { homeDir: string; workspaceFolder?: string; platform: NodeJS.Platform },
): string[] {
  const p = pathFor(opts.platform);
  let value = raw.trim();
  if (value === '~') {
    value = opts.homeDir;
  } else if (value.startsWith('~/') || (opts.platform === 'win32' && value.startsWith('~\\'))) {
    value = p.join(opts.homeDir, value.slice(2));
  }
  if (!p.isAbsolute(value) && opts.workspaceFolder) {
    value = p.join(opts.workspaceFolder, value);
  }
  value = p.normalize(value);
  const candidates = [value];
  if (opts.platform === 'win32' && p.extname(value).toLowerCase() !== '.exe') {
    candidates.push(`${value}.exe`);
  }
  return candidates;
}

/** The folders of `PATH` (`Path` on Windows, whatever its case), in order, without empties. */
export function pathEntries(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  let value: string | undefined;
  if (platform === 'win32') {
    const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
    value = key === undefined ? undefined : env[key];
  } else {
    value = env.PATH;
  }
  if (!value) {
    return [];
  }
  const delimiter = platform === 'win32' ? ';' : ':';
  return value
    .split(delimiter)
    .map((entry) => (platform === 'win32' ? entry.replace(/^"(.*)"$/, '$1') : entry))
    .filter((entry) => entry.length > 0);
}

/** Resolves the server binary, or throws `ServerNotFoundError` naming every place tried. */
export function resolveServerPath(input: ResolveInput): Resolved {
  const tried: Attempt[] = [];
  const p = pathFor(input.platform);

  const configured = input.configuredPath?.trim() ?? '';
  if (configured === '') {
    tried.push({ source: 'setting', path: 'trueconf-lsp.path', problem: 'not-set' });
  } else {
    for (const candidate of configuredCandidates(configured, input)) {
      const probe = input.probe(candidate);
      if (probe === 'ok') {
        return { path: candidate, source: 'setting', skipped: tried };
      }
      tried.push({ source: 'setting', path: candidate, problem: probe });
    }
  }

  const bundled = bundledServerPath(input.extensionPath, input.platform);
  const bundledProbe = input.probe(bundled);
  if (bundledProbe === 'ok') {
    return { path: bundled, source: 'bundled', skipped: tried };
  }
  tried.push({ source: 'bundled', path: bundled, problem: bundledProbe });

  const folders = pathEntries(input.env, input.platform);
  if (folders.length === 0) {
    tried.push({ source: 'PATH', path: '', problem: 'empty-path' });
  }
  const name = binaryName(input.platform);
  const emptyFolders: string[] = [];
  for (const folder of folders) {
    const candidate = p.join(folder, name);
    const probe = input.probe(candidate);
    if (probe === 'ok') {
      return { path: candidate, source: 'PATH', skipped: tried };
    }
    if (probe === 'missing') {
      emptyFolders.push(folder);
    } else {
      // Something by that name is there but unusable: name it on its own line.
      tried.push({ source: 'PATH', path: candidate, problem: probe });
    }
  }
  if (emptyFolders.length > 0) {
    tried.push({ source: 'PATH', path: emptyFolders.join(', '), problem: 'not-in-folders', name });
  }

  throw new ServerNotFoundError(tried);
}

const PROBLEM_TEXT: Record<Attempt['problem'], string> = {
  missing: 'no such file',
  'not-a-file': 'not a file',
  'not-executable': 'not executable',
  'not-set': 'not set',
  'empty-path': 'nothing to search',
  'not-in-folders': 'no such file in any of them',
};

const SOURCE_TEXT: Record<ServerSource, string> = {
  setting: 'setting trueconf-lsp.path',
  bundled: 'bundled with the extension',
  PATH: 'PATH',
};

/** One line per attempt: `setting trueconf-lsp.path: /x/trueconf-lsp (no such file)`. */
export function describeAttempt(attempt: Attempt): string {
  if (attempt.problem === 'not-set') {
    return `${SOURCE_TEXT[attempt.source]}: not set`;
  }
  if (attempt.problem === 'empty-path') {
    return `${SOURCE_TEXT[attempt.source]}: empty, nothing to search`;
  }
  if (attempt.problem === 'not-in-folders') {
    return `${SOURCE_TEXT[attempt.source]}: no ${attempt.name ?? 'trueconf-lsp'} in ${attempt.path}`;
  }
  return `${SOURCE_TEXT[attempt.source]}: ${attempt.path} (${PROBLEM_TEXT[attempt.problem]})`;
}

export function describeNotFound(tried: Attempt[]): string {
  const lines = tried.map((a) => `  - ${describeAttempt(a)}`);
  return [
    'trueconf-lsp: cannot find the language server binary. Looked in:',
    ...lines,
    'Put trueconf-lsp on PATH, or set "trueconf-lsp.path" to the binary, then run "trueconf-lsp: Restart Server".',
  ].join('\n');
}

/** The real file check: a regular file that this process may execute. */
export function probeFile(file: string): Probe {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'missing';
  }
  if (!stat.isFile()) {
    return 'not-a-file';
  }
  if (process.platform === 'win32') {
    return 'ok';
  }
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return 'ok';
  } catch {
    return 'not-executable';
  }
}

/**
 * A VSIX does not always keep the executable bit of the bundled binary; restore it
 * when the file is there but not executable. Returns whether the file is usable now.
 */
export function ensureExecutable(file: string, platform: NodeJS.Platform = process.platform): boolean {
  const probe = probeFile(file);
  if (probe !== 'not-executable' || platform === 'win32') {
    return probe === 'ok';
  }
  try {
    fs.chmodSync(file, 0o755);
  } catch {
    return false;
  }
  return probeFile(file) === 'ok';
}
