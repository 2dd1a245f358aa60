--- trueconf-lsp for Neovim 0.11+.
---
--- The server config lives in lsp/trueconf-lsp.lua; `vim.lsp.enable('trueconf-lsp')`
--- alone is enough. setup() is for those who want to set the binary, the log
--- level or the server settings in one call:
---
---   require('trueconf').setup({
---     cmd = '/path/to/trueconf-lsp',      -- or { '/path/to/trueconf-lsp', '--stdio' }
---     log_level = 'debug',                -- TRUECONF_LOG for the server
---     settings = {
---       select = { 'TC' },
---       ignore = { 'TC015' },
---       severity = { TC004 = 'error' },
---       allowed_servers = { 'video.example.com' },  -- or ['allowed-servers']
---       inlay_hints = true,                         -- or ['inlay-hints']
---     },
---   })

local M = {}

--- The name under which the config is registered and enabled.
M.name = 'trueconf-lsp'

local LOG_LEVELS = { off = true, error = true, warn = true, info = true, debug = true, trace = true }
local SEVERITIES = { error = true, warning = true, info = true, hint = true }
--- Lua-friendly spellings of the server's hyphenated keys.
local KEY_ALIASES = { allowed_servers = 'allowed-servers', inlay_hints = 'inlay-hints' }

---@class trueconf.Settings
---@field select? string[] rule codes or prefixes to enable
---@field ignore? string[] rule codes or prefixes to disable
---@field severity? table<string, 'error'|'warning'|'info'|'hint'> severity per rule
---@field allowed_servers? string[] servers links may point to (rule TC016)
---@field inlay_hints? boolean inlay hints naming each link's action

---@class trueconf.Options
---@field cmd? string|string[] server binary, or the full command
---@field log_level? 'off'|'error'|'warn'|'info'|'debug'|'trace' passed as TRUECONF_LOG
---@field settings? trueconf.Settings server settings
---@field filetypes? string[] replaces the default filetypes
---@field root_markers? (string|string[])[] replaces the default root markers
---@field config? vim.lsp.Config any other vim.lsp.Config fields (on_attach, capabilities, ...)
---@field enable? boolean call vim.lsp.enable (default true)

--- Turns user settings into the server's settings object: hyphenated keys, and
--- an empty severity table sent as a JSON object rather than a list.
---@param settings table
---@return table
function M.server_settings(settings)
  vim.validate('settings', settings, 'table')
  local out = {}
  for key, value in pairs(settings) do
    out[KEY_ALIASES[key] or key] = value
  end
  if out.select ~= nil then
    vim.validate('settings.select', out.select, 'table')
  end
  if out.ignore ~= nil then
    vim.validate('settings.ignore', out.ignore, 'table')
  end
  if out['allowed-servers'] ~= nil then
    vim.validate('settings.allowed_servers', out['allowed-servers'], 'table')
  end
  if out['inlay-hints'] ~= nil then
    vim.validate('settings.inlay_hints', out['inlay-hints'], 'boolean')
  end
  if out.severity ~= nil then
    vim.validate('settings.severity', out.severity, 'table')
    for code, level in pairs(out.severity) do
      if not SEVERITIES[level] then
        error(
          ('trueconf: settings.severity.%s must be one of error, warning, info, hint (got %s)'):format(
            tostring(code),
            vim.inspect(level)
          ),
          2
        )
      end
    end
    if next(out.severity) == nil then
      out.severity = vim.empty_dict()
    end
  end
  if next(out) == nil then
    return vim.empty_dict()
  end
  return out
end

--- Merges the options into vim.lsp.config('trueconf-lsp') and enables the server.
--- Like vim.lsp.config(), a later call merges into an earlier one: settings keys
--- it does not name keep their values, lists are replaced.
---@param opts? trueconf.Options
function M.setup(opts)
  if vim.fn.has('nvim-0.11') ~= 1 then
    vim.notify('trueconf: Neovim 0.11 or newer is needed (vim.lsp.config)', vim.log.levels.ERROR)
    return
  end
  opts = opts or {}
  vim.validate('opts', opts, 'table')
  vim.validate('opts.cmd', opts.cmd, { 'string', 'table' }, true)
  vim.validate('opts.log_level', opts.log_level, 'string', true)
  vim.validate('opts.settings', opts.settings, 'table', true)
  vim.validate('opts.filetypes', opts.filetypes, 'table', true)
  vim.validate('opts.root_markers', opts.root_markers, 'table', true)
  vim.validate('opts.config', opts.config, 'table', true)
  vim.validate('opts.enable', opts.enable, 'boolean', true)

  local config = vim.deepcopy(opts.config or {})
  if opts.cmd ~= nil then
    config.cmd = type(opts.cmd) == 'string' and { vim.fn.expand(opts.cmd) } or opts.cmd
  end
  if opts.log_level ~= nil then
    local level = opts.log_level:lower()
    if not LOG_LEVELS[level] then
      error(
        ('trueconf: log_level must be one of off, error, warn, info, debug, trace (got %q)'):format(opts.log_level),
        2
      )
    end
    config.cmd_env = vim.tbl_extend('force', config.cmd_env or {}, { TRUECONF_LOG = level })
  end
  if opts.settings ~= nil then
    local settings = M.server_settings(opts.settings)
    config.settings = { [M.name] = settings }
    config.init_options = { settings = settings }
  end
  if opts.filetypes ~= nil then
    config.filetypes = opts.filetypes
  end
  if opts.root_markers ~= nil then
    config.root_markers = opts.root_markers
  end

  vim.lsp.config(M.name, config)
  if opts.enable ~= false then
    vim.lsp.enable(M.name)
  end

  -- A running server picks up new settings without a restart: the same merged
  -- settings a new client would get.
  if opts.settings ~= nil then
    local resolved = vim.lsp.config[M.name]
    for _, client in ipairs(vim.lsp.get_clients({ name = M.name })) do
      client.settings = resolved.settings
      client:notify('workspace/didChangeConfiguration', { settings = resolved.settings })
    end
  end
end

return M
