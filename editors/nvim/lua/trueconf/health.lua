--- :checkhealth trueconf

local M = {}

local NAME = 'trueconf-lsp'

local function check_neovim()
  vim.health.start('trueconf-lsp: Neovim')
  local v = vim.version()
  local version = ('%d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    vim.health.ok('Neovim ' .. version .. ' (vim.lsp.config and vim.lsp.enable are available)')
    return true
  end
  vim.health.error('Neovim ' .. version .. ' is too old', { 'trueconf-lsp needs Neovim 0.11 or newer.' })
  return false
end

--- Runs `<binary> --version` and reports what it says.
---@param path string
---@param env? table<string,string>
local function check_version(path, env)
  local ok, proc = pcall(vim.system, { path, '--version' }, { text = true, env = env })
  if not ok then
    vim.health.error(('cannot run %s --version: %s'):format(path, tostring(proc)))
    return
  end
  local res = proc:wait(5000)
  local out = vim.trim(res.stdout or '')
  if res.code ~= 0 then
    local err = vim.trim(res.stderr or '')
    vim.health.error(
      ('%s --version failed (exit %d)%s'):format(path, res.code, err ~= '' and (': ' .. err) or ''),
      { 'Check that the binary is trueconf-lsp and built for this machine.' }
    )
  elseif out:match('^trueconf%-lsp %d+%.%d+%.%d+') then
    vim.health.ok('version: ' .. out:gsub('\n.*', ''))
  else
    vim.health.warn(
      ('%s --version printed %q, not "trueconf-lsp X.Y.Z"'):format(path, out),
      { 'Is this the trueconf-lsp language server? Set cmd to the right binary.' }
    )
  end
end

---@param config vim.lsp.Config
local function check_binary(config)
  vim.health.start('trueconf-lsp: server binary')
  local cmd = config.cmd
  if type(cmd) == 'function' then
    vim.health.info('cmd is a function (an RPC connection); the binary is not checked')
    return
  end
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' or cmd[1] == '' then
    vim.health.error('cmd is not set', { "Set it: vim.lsp.config('trueconf-lsp', { cmd = { 'trueconf-lsp' } })" })
    return
  end
  local exe = cmd[1]
  local path = vim.fn.exepath(exe)
  if path == '' then
    local advice = {
      'Put trueconf-lsp on PATH (e.g. build it with `cargo build --release` and copy target/release/trueconf-lsp),',
      "or point cmd at it: require('trueconf').setup({ cmd = '/path/to/trueconf-lsp' }).",
    }
    if vim.fn.filereadable(exe) == 1 then
      vim.health.error(('server binary %s is not executable'):format(exe), advice)
    else
      vim.health.error(('server binary not found: %s'):format(exe), advice)
    end
    return
  end
  vim.health.ok(('binary: %s'):format(path))
  local env = config.cmd_env
  check_version(path, env)
  if env and env.TRUECONF_LOG then
    vim.health.info('TRUECONF_LOG=' .. tostring(env.TRUECONF_LOG) .. ' (server logs go to ' .. vim.lsp.log.get_filename() .. ')')
  end
end

local function is_enabled()
  if vim.lsp.is_enabled then
    return vim.lsp.is_enabled(NAME)
  end
  return vim.lsp._enabled_configs ~= nil and vim.lsp._enabled_configs[NAME] ~= nil
end

---@param config vim.lsp.Config
local function check_clients(config)
  vim.health.start('trueconf-lsp: clients')
  if is_enabled() then
    vim.health.ok('enabled for filetypes: ' .. table.concat(config.filetypes or {}, ', '))
  else
    vim.health.warn('not enabled', {
      "Add vim.lsp.enable('trueconf-lsp') to your config, or call require('trueconf').setup().",
    })
  end

  local clients = vim.lsp.get_clients({ name = NAME })
  if #clients == 0 then
    vim.health.info('no client running: open a file of one of the filetypes above')
  end
  for _, client in ipairs(clients) do
    local info = client.server_info or {}
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    table.sort(buffers)
    local names = vim.tbl_map(function(b)
      local name = vim.api.nvim_buf_get_name(b)
      return name ~= '' and vim.fn.fnamemodify(name, ':~:.') or ('buffer ' .. b)
    end, buffers)
    local state = client:is_stopped() and 'stopped' or 'running'
    local line = ('client %d (%s%s) %s, root %s, position encoding %s, attached to %d buffer(s)%s'):format(
      client.id,
      info.name or NAME,
      info.version and (' ' .. info.version) or '',
      state,
      client.root_dir or '(none: single files)',
      client.offset_encoding or '?',
      #buffers,
      #names > 0 and (': ' .. table.concat(names, ', ')) or ''
    )
    if state == 'running' then
      vim.health.ok(line)
    else
      vim.health.warn(line, { 'Look at :LspLog (or ' .. vim.lsp.log.get_filename() .. ') for why it stopped.' })
    end
  end

  local settings = config.settings and config.settings[NAME]
  if settings ~= nil and next(settings) ~= nil then
    vim.health.info('settings: ' .. vim.json.encode(settings))
  else
    vim.health.info('settings: none (the project trueconf-lsp.toml and the server defaults apply)')
  end
end

function M.check()
  if not check_neovim() then
    return
  end
  local config = vim.lsp.config[NAME]
  if config == nil then
    vim.health.start('trueconf-lsp: configuration')
    vim.health.error("no LSP configuration named 'trueconf-lsp'", {
      "lsp/trueconf-lsp.lua is not on 'runtimepath': install the plugin (its folder editors/nvim),",
      'or copy lsp/trueconf-lsp.lua into ~/.config/nvim/lsp/.',
    })
    return
  end
  check_binary(config)
  check_clients(config)
end

return M
