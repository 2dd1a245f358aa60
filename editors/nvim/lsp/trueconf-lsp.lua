--- trueconf-lsp: checks, explains and fixes `trueconf:` links.
---
--- Neovim 0.11+ finds this file on 'runtimepath'; enabling the server is then
--- one line:
---
---   vim.lsp.enable('trueconf-lsp')
---
--- Override any field with vim.lsp.config('trueconf-lsp', { ... }), or use
--- require('trueconf').setup({ ... }). The file stands alone (no require), so
--- it can also be copied into ~/.config/nvim/lsp/.

--- Neovim filetypes whose LSP language id differs from the filetype name.
local language_ids = {
  text = 'plaintext',
  cs = 'csharp',
  sh = 'shellscript',
  bash = 'shellscript',
  zsh = 'shellscript',
}

---@type vim.lsp.Config
return {
  cmd = { 'trueconf-lsp' },
  filetypes = {
    'markdown',
    'html',
    'text',
    'javascript',
    'javascriptreact',
    'typescript',
    'typescriptreact',
    'python',
    'java',
    'cs',
    'go',
    'rust',
    'json',
    'jsonc',
    'yaml',
    'lua',
    'sh',
    'bash',
    'zsh',
  },
  root_markers = { '.trueconf-lsp.toml', 'trueconf-lsp.toml', '.git' },
  -- The server picks the document kind from the language id.
  get_language_id = function(_, filetype)
    return language_ids[filetype] or filetype
  end,
  -- Answers workspace/configuration for section "trueconf-lsp"; an empty object
  -- (not a list) until settings are given.
  settings = { ['trueconf-lsp'] = vim.empty_dict() },
  init_options = { settings = vim.empty_dict() },
}
