// The VS Code side of trueconf-lsp: starts the language server for the document
// kinds it handles, keeps its settings in sync, and offers restart / output /
// fix-all commands. Binary resolution and settings mapping live in modules that
// do not import `vscode` (serverPath.ts, settings.ts) and are unit-tested.

import * as os from 'os';
import * as vscode from 'vscode';
import {
  ConfigurationParams,
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import { documentSelector } from './languages';
import {
  ServerNotFoundError,
  bundledServerPath,
  describeAttempt,
  ensureExecutable,
  probeFile,
  resolveServerPath,
} from './serverPath';
import { SECTION, ServerSettings, logLevel, planConfigurationChange, serverEnv, toServerSettings } from './settings';

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append(SECTION);

class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** Start/stop/restart run one at a time, in the order asked. */
  private queue: Promise<void> = Promise.resolve();
  private readonly reported = new Set<string>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
    private readonly traceOutput: vscode.OutputChannel,
  ) {}

  get running(): LanguageClient | undefined {
    return this.client !== undefined && this.client.state === State.Running ? this.client : undefined;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  dispose(): void {
    void this.stop();
  }

  /** The settings object for `scope` (a folder or file), logging any value that had to be dropped. */
  settingsFor(scope?: vscode.Uri): ServerSettings {
    const { settings, problems } = toServerSettings(vscode.workspace.getConfiguration(SECTION, scope ?? null));
    for (const problem of problems) {
      if (!this.reported.has(problem)) {
        this.reported.add(problem);
        this.output.appendLine(`[settings] ${problem}`);
      }
    }
    return settings;
  }

  /** Sends the current settings to a running server. */
  async notifySettings(): Promise<void> {
    const client = this.running;
    if (client === undefined) {
      return;
    }
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: this.settingsFor(firstFolderUri()) },
    });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    if (this.client !== undefined) {
      return;
    }
    const config = vscode.workspace.getConfiguration(SECTION);
    const bundled = bundledServerPath(this.context.extensionPath, process.platform);
    ensureExecutable(bundled);

    let command: string;
    try {
      const resolved = resolveServerPath({
        configuredPath: config.get<string>('path'),
        extensionPath: this.context.extensionPath,
        workspaceFolder: firstFolderUri()?.fsPath,
        platform: process.platform,
        env: process.env,
        homeDir: os.homedir(),
        probe: probeFile,
      });
      command = resolved.path;
      this.output.appendLine(`[client] using ${command} (${resolved.source})`);
      const brokenSetting = resolved.skipped.filter((a) => a.source === 'setting' && a.problem !== 'not-set');
      if (brokenSetting.length > 0) {
        const detail = brokenSetting.map(describeAttempt).join('; ');
        this.output.appendLine(`[client] ignored ${detail}`);
        void vscode.window.showWarningMessage(
          `trueconf-lsp: the "trueconf-lsp.path" setting does not point to a usable binary (${detail}); using ${command} instead.`,
        );
      }
    } catch (error) {
      if (error instanceof ServerNotFoundError) {
        this.output.appendLine(error.message);
        // Not awaited: a restart or a settings change must not wait for the user
        // to dismiss the message.
        void vscode.window
          .showErrorMessage(
            'trueconf-lsp: cannot find the language server binary. See the output for every place tried.',
            'Show Output',
            'Open Settings',
          )
          .then((choice) => {
            if (choice === 'Show Output') {
              this.output.show(true);
            } else if (choice === 'Open Settings') {
              void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
            }
          });
        return;
      }
      throw error;
    }

    const level = logLevel(config);
    const serverOptions: ServerOptions = {
      command,
      args: ['--stdio'],
      options: { env: serverEnv(process.env, level) },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      outputChannel: this.output,
      traceOutputChannel: this.traceOutput,
      initializationOptions: () => ({ settings: this.settingsFor(firstFolderUri()) }),
      middleware: {
        workspace: {
          // The server asks for section `trueconf-lsp`; answer with the mapped
          // settings object rather than VS Code's raw `trueconf-lsp.*` values.
          configuration: async (params: ConfigurationParams, token, next) => {
            const ours = params.items.map((item) => item.section === SECTION);
            let others: unknown[] | ResponseError<void> = [];
            if (ours.some((own) => !own)) {
              others = await next(params, token);
              if (others instanceof ResponseError) {
                return others;
              }
            }
            const client = this.client;
            return params.items.map((item, i) => {
              if (!ours[i]) {
                return (others as unknown[])[i] ?? null;
              }
              const scope =
                item.scopeUri !== undefined && client !== undefined
                  ? client.protocol2CodeConverter.asUri(item.scopeUri)
                  : firstFolderUri();
              return this.settingsFor(scope);
            });
          },
          // Should the server register for workspace/didChangeConfiguration, send
          // it the mapped settings too, never the raw VS Code section.
          didChangeConfiguration: async (sections, next) => {
            if (sections === undefined || sections.includes(SECTION)) {
              await this.notifySettings();
              const rest = sections?.filter((s) => s !== SECTION) ?? [];
              if (rest.length > 0) {
                await next(rest);
              }
              return;
            }
            await next(sections);
          },
        },
      },
    };

    const client = new LanguageClient(SECTION, 'trueconf-lsp', serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
      const info = client.initializeResult?.serverInfo;
      this.output.appendLine(
        `[client] started ${info?.name ?? 'trueconf-lsp'}${info?.version ? ` ${info.version}` : ''} (TRUECONF_LOG=${level})`,
      );
    } catch (error) {
      this.client = undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`[client] failed to start ${command}: ${message}`);
      await client.dispose().catch(() => undefined);
      void vscode.window
        .showErrorMessage(`trueconf-lsp: the language server (${command}) failed to start: ${message}`, 'Show Output')
        .then((choice) => {
          if (choice === 'Show Output') {
            this.output.show(true);
          }
        });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    try {
      if (client.needsStop()) {
        await client.stop();
      }
    } catch (error) {
      this.output.appendLine(`[client] error while stopping the server: ${String(error)}`);
    }
    await client.dispose().catch(() => undefined);
  }
}

function firstFolderUri(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** Applies the server's `source.fixAll.trueconf-lsp` action to the active editor's document. */
async function fixAll(server: Server): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('trueconf-lsp: open a file to fix first.');
    return;
  }
  const document = editor.document;
  if (vscode.languages.match(documentSelector(), document) === 0) {
    void vscode.window.showInformationMessage(
      `trueconf-lsp: "${document.languageId}" documents are not checked by trueconf-lsp.`,
    );
    return;
  }
  if (server.running === undefined) {
    void vscode.window.showWarningMessage('trueconf-lsp: the language server is not running.');
    return;
  }
  const whole = document.validateRange(new vscode.Range(0, 0, document.lineCount, 0));
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      whole,
      FIX_ALL_KIND.value,
      100,
    )) ?? [];
  let applied = 0;
  for (const action of actions) {
    if (!(action instanceof vscode.CodeAction) || action.kind === undefined || !FIX_ALL_KIND.contains(action.kind)) {
      continue;
    }
    if (action.edit !== undefined && action.edit.size > 0) {
      if (await vscode.workspace.applyEdit(action.edit)) {
        applied++;
      }
    }
    if (action.command !== undefined) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
      applied++;
    }
  }
  vscode.window.setStatusBarMessage(
    applied > 0 ? 'trueconf-lsp: applied the safe fixes' : 'trueconf-lsp: nothing to fix',
    4000,
  );
}

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('trueconf-lsp');
  const traceOutput = vscode.window.createOutputChannel('trueconf-lsp Trace');
  server = new Server(context, output, traceOutput);
  const s = server;

  context.subscriptions.push(
    output,
    traceOutput,
    s,
    vscode.commands.registerCommand(`${SECTION}.restart`, async () => {
      output.appendLine('[client] restarting');
      await s.restart();
    }),
    vscode.commands.registerCommand(`${SECTION}.showOutput`, () => output.show(true)),
    vscode.commands.registerCommand(`${SECTION}.fixAll`, () => fixAll(s)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      const plan = planConfigurationChange((setting) => event.affectsConfiguration(setting));
      if (plan === 'restart') {
        output.appendLine('[client] trueconf-lsp.path or trueconf-lsp.logLevel changed: restarting');
        await s.restart();
      } else if (plan === 'notify') {
        await s.notifySettings();
      }
    }),
  );

  await s.start();
}

export async function deactivate(): Promise<void> {
  const s = server;
  server = undefined;
  if (s !== undefined) {
    await s.stop();
  }
}
