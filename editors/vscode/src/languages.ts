// The document kinds the server handles, by VS Code language id. Keep in step
// with `activationEvents` in package.json (a unit test checks that).

export const LANGUAGE_IDS = [
  'markdown',
  'html',
  'plaintext',
  'javascript',
  'javascriptreact',
  'typescript',
  'typescriptreact',
  'python',
  'java',
  'csharp',
  'go',
  'rust',
  'json',
  'jsonc',
  'yaml',
  'lua',
  'shellscript',
] as const;

/** Saved files and unsaved editors; not virtual or remote-only schemes. */
export const SCHEMES = ['file', 'untitled'] as const;

export interface DocumentFilter {
  scheme: string;
  language: string;
}

/** One filter per scheme and language, as `LanguageClientOptions.documentSelector` takes it. */
export function documentSelector(): DocumentFilter[] {
  return SCHEMES.flatMap((scheme) => LANGUAGE_IDS.map((language) => ({ scheme, language })));
}
