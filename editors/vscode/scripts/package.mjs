// Packages the extension as a .vsix with @vscode/vsce, optionally with the server
// binary inside (bundled/trueconf-lsp[.exe]).
//
//   npm run package                                   # no server inside: it is found via the setting or PATH
//   npm run package -- --server ../../target/release/trueconf-lsp
//   npm run package -- --server PATH --target linux-arm64 --out my.vsix
//
// The server can also be given as TRUECONF_LSP_SERVER=PATH and the target as
// VSCE_TARGET. With a server and no --target, the target is this machine's
// (e.g. linux-x64), so the .vsix installs only where that binary runs.
// vsce runs the `vscode:prepublish` script, which type-checks and bundles.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = [
  'win32-x64',
  'win32-arm64',
  'linux-x64',
  'linux-arm64',
  'linux-armhf',
  'darwin-x64',
  'darwin-arm64',
  'alpine-x64',
  'alpine-arm64',
];

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = {
    server: process.env.TRUECONF_LSP_SERVER || undefined,
    target: process.env.VSCE_TARGET || undefined,
    out: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) fail(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--server':
        opts.server = value();
        break;
      case '--target':
        opts.target = value();
        break;
      case '--out':
      case '-o':
        opts.out = value();
        break;
      case '--help':
      case '-h':
        console.log('usage: npm run package -- [--server PATH] [--target TARGET] [--out FILE.vsix]');
        console.log(`targets: ${TARGETS.join(', ')}`);
        process.exit(0);
        break;
      default:
        fail(`unknown argument ${arg} (try --help)`);
    }
  }
  return opts;
}

/** This machine as a vsce target, e.g. linux-x64. */
function hostTarget() {
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'armhf' }[process.arch];
  let platform = process.platform;
  if (platform === 'linux' && existsSync('/etc/alpine-release')) {
    platform = 'alpine';
  }
  const target = arch && `${platform}-${arch}`;
  if (!target || !TARGETS.includes(target)) {
    fail(`cannot name a vsce target for ${process.platform}-${process.arch}; pass --target`);
  }
  return target;
}

const opts = parseArgs(process.argv.slice(2));
// npm runs scripts in the package folder; take a relative --server from where the user called npm.
const callerDir = process.env.INIT_CWD || process.cwd();
if (opts.server) {
  opts.server = resolve(callerDir, opts.server);
  if (!existsSync(opts.server) || !statSync(opts.server).isFile()) {
    fail(`--server ${opts.server}: no such file`);
  }
  opts.target ??= hostTarget();
}
if (opts.target && !TARGETS.includes(opts.target)) {
  fail(`unknown target ${opts.target}; one of ${TARGETS.join(', ')}`);
}

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = opts.out
  ? resolve(callerDir, opts.out)
  : join(root, `trueconf-lsp-${opts.target ? `${opts.target}-` : ''}${version}.vsix`);

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
if (!existsSync(vsce)) {
  fail('@vscode/vsce is not installed; run npm ci first');
}

const binary = opts.target?.startsWith('win32') ? 'trueconf-lsp.exe' : 'trueconf-lsp';
const bundledDir = join(root, 'bundled');
const bundled = join(bundledDir, binary);
const backup = `${bundled}.before-package`;
let restore = () => {};

if (opts.server) {
  mkdirSync(bundledDir, { recursive: true });
  if (existsSync(bundled)) {
    renameSync(bundled, backup);
  }
  copyFileSync(opts.server, bundled);
  chmodSync(bundled, 0o755);
  restore = () => {
    rmSync(bundled, { force: true });
    if (existsSync(backup)) {
      renameSync(backup, bundled);
    }
  };
  console.log(`package: bundling ${opts.server} as bundled/${binary} (target ${opts.target})`);
}

let status = 1;
try {
  const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out];
  if (opts.target) {
    args.push('--target', opts.target);
  }
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  status = result.status ?? 1;
  if (result.error) {
    console.error(`package: cannot run vsce: ${result.error.message}`);
  }
} finally {
  restore();
}
if (status !== 0) {
  fail(`vsce failed (exit ${status})`);
}
console.log(`package: wrote ${out}`);
