-- Plugin tests that need no language server: the lsp/ config, filetype to
-- language id mapping, setup(), and :checkhealth with missing, working and
-- broken binaries. Run by test/run.sh:
--   TRUECONF_NVIM_PLUGIN=editors/nvim nvim --clean --headless \
--     --cmd 'lua vim.opt.rtp:prepend(vim.env.TRUECONF_NVIM_PLUGIN)' -c 'lua dofile(vim.env.TRUECONF_NVIM_TEST)'

local plugin = assert(vim.env.TRUECONF_NVIM_PLUGIN, 'TRUECONF_NVIM_PLUGIN is not set')
local H = dofile(plugin .. '/test/harness.lua')

local NAME = 'trueconf-lsp'
local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp, 'p')

--- The languages the server handles (LSP language ids) and a file of each kind
--- as Neovim's filetype detection sees it.
local SAMPLES = {
  { file = 'guide.md', language = 'markdown' },
  { file = 'index.html', language = 'html' },
  { file = 'notes.txt', language = 'plaintext' },
  { file = 'app.js', language = 'javascript' },
  { file = 'view.jsx', language = 'javascriptreact' },
  { file = 'app.ts', language = 'typescript' },
  { file = 'view.tsx', language = 'typescriptreact' },
  { file = 'tool.py', language = 'python' },
  { file = 'Main.java', language = 'java' },
  { file = 'Program.cs', language = 'csharp' },
  { file = 'main.go', language = 'go' },
  { file = 'lib.rs', language = 'rust' },
  { file = 'data.json', language = 'json' },
  { file = 'tsconfig.json', language = 'jsonc' },
  { file = 'ci.yaml', language = 'yaml' },
  { file = 'init.lua', language = 'lua' },
  { file = 'run.sh', language = 'shellscript' },
  { file = 'run.bash', language = 'shellscript' },
  { file = 'env.zsh', language = 'shellscript' },
}

local function write(path, lines, mode)
  vim.fn.writefile(lines, path)
  if mode then
    vim.uv.fs_chmod(path, mode)
  end
  return path
end

local function errors_in(lines)
  return vim.tbl_filter(function(l)
    return l:find('ERROR', 1, true) ~= nil
  end, lines)
end

H.case('lsp/trueconf-lsp.lua is found on the runtimepath', function()
  local files = vim.api.nvim_get_runtime_file('lsp/' .. NAME .. '.lua', true)
  H.eq({ vim.fs.normalize(plugin .. '/lsp/' .. NAME .. '.lua') }, vim.tbl_map(vim.fs.normalize, files), 'lsp files')
  local config = vim.lsp.config[NAME]
  H.check(config ~= nil, 'vim.lsp.config[%q] is nil', NAME)
  H.eq({ 'trueconf-lsp' }, config.cmd, 'cmd')
  H.eq({ '.trueconf-lsp.toml', 'trueconf-lsp.toml', '.git' }, config.root_markers, 'root_markers')
  H.eq('{"trueconf-lsp":{}}', vim.json.encode(config.settings), 'default settings as JSON')
  H.eq('{"settings":{}}', vim.json.encode(config.init_options), 'default init_options as JSON')
end)

H.case('every server language is a configured filetype with the right language id', function()
  local config = vim.lsp.config[NAME]
  local seen = {}
  for _, sample in ipairs(SAMPLES) do
    local path = write(tmp .. '/' .. sample.file, { '' })
    vim.cmd.edit(vim.fn.fnameescape(path))
    local ft = vim.bo.filetype
    vim.cmd('bwipeout!')
    H.check(vim.tbl_contains(config.filetypes, ft), '%s: filetype %q is not in filetypes', sample.file, ft)
    H.eq(sample.language, config.get_language_id(0, ft), sample.file .. ' (filetype ' .. ft .. ') language id')
    seen[sample.language] = true
  end
  H.eq(17, vim.tbl_count(seen), 'number of server languages covered')
  for _, ft in ipairs(config.filetypes) do
    local id = config.get_language_id(0, ft)
    H.check(seen[id], 'filetype %q maps to %q, which the server does not handle', ft, id)
  end
end)

H.case('setup() merges cmd, log level and settings into vim.lsp.config', function()
  require('trueconf').setup({
    cmd = '/opt/trueconf/bin/trueconf-lsp',
    log_level = 'DEBUG',
    settings = {
      select = { 'TC' },
      ignore = { 'TC015' },
      severity = { TC004 = 'error' },
      allowed_servers = { 'video.example.com' },
      inlay_hints = false,
    },
    enable = false,
  })
  local config = vim.lsp.config[NAME]
  H.eq({ '/opt/trueconf/bin/trueconf-lsp' }, config.cmd, 'cmd')
  H.eq({ TRUECONF_LOG = 'debug' }, config.cmd_env, 'cmd_env')
  local expected = {
    select = { 'TC' },
    ignore = { 'TC015' },
    severity = { TC004 = 'error' },
    ['allowed-servers'] = { 'video.example.com' },
    ['inlay-hints'] = false,
  }
  H.eq(expected, vim.json.decode(vim.json.encode(config.settings[NAME])), 'settings["trueconf-lsp"] as sent')
  H.eq(expected, vim.json.decode(vim.json.encode(config.init_options.settings)), 'init_options.settings as sent')
  -- Defaults from lsp/trueconf-lsp.lua survive the merge.
  H.eq({ '.trueconf-lsp.toml', 'trueconf-lsp.toml', '.git' }, config.root_markers, 'root_markers')
  H.eq(19, #config.filetypes, 'filetypes')
  H.eq('plaintext', config.get_language_id(0, 'text'), 'get_language_id')
  H.check(not vim.lsp.is_enabled(NAME), 'enable = false must not enable the server')
end)

H.case('settings: hyphenated keys pass through, an empty severity is a JSON object', function()
  local trueconf = require('trueconf')
  H.eq('{"severity":{}}', vim.json.encode(trueconf.server_settings({ severity = {} })), 'empty severity')
  H.eq('{}', vim.json.encode(trueconf.server_settings({})), 'empty settings')
  H.eq(
    { ['allowed-servers'] = { 'a.example.com' }, ['inlay-hints'] = true },
    trueconf.server_settings({ ['allowed-servers'] = { 'a.example.com' }, ['inlay-hints'] = true }),
    'hyphenated keys'
  )
end)

H.case('setup() rejects bad options with a clear message', function()
  local trueconf = require('trueconf')
  local ok, err = pcall(trueconf.setup, { log_level = 'loud', enable = false })
  H.check(not ok and tostring(err):find('log_level must be one of', 1, true), 'bad log_level: %s', tostring(err))
  ok, err = pcall(trueconf.setup, { settings = { severity = { TC004 = 'fatal' } }, enable = false })
  H.check(
    not ok and tostring(err):find('settings.severity.TC004 must be one of', 1, true),
    'bad severity: %s',
    tostring(err)
  )
  ok, err = pcall(trueconf.setup, { settings = { inlay_hints = 'yes' }, enable = false })
  H.check(not ok and tostring(err):find('inlay_hints', 1, true), 'bad inlay_hints: %s', tostring(err))
end)

H.case('setup() settings reach a running server (initialize, workspace/configuration, didChangeConfiguration)', function()
  -- An in-process server: vim.lsp.Config.cmd may be a function returning the RPC object.
  local received = {}
  local dispatchers
  local function server(d)
    dispatchers = d
    local closing = false
    return {
      request = function(method, params, callback)
        table.insert(received, { method = method, params = params })
        if method == 'initialize' then
          callback(nil, { capabilities = { textDocumentSync = 1 }, serverInfo = { name = NAME, version = '0.0.0' } })
        elseif method == 'shutdown' then
          callback(nil, vim.NIL)
        end
        return true, #received
      end,
      notify = function(method, params)
        table.insert(received, { method = method, params = params })
        if method == 'exit' and not closing then
          closing = true
          vim.schedule(function()
            d.on_exit(0, 0)
          end)
        end
        return true
      end,
      is_closing = function()
        return closing
      end,
      terminate = function()
        if not closing then
          closing = true
          vim.schedule(function()
            d.on_exit(0, 15)
          end)
        end
      end,
    }
  end
  local function sent(method)
    return vim.tbl_filter(function(m)
      return m.method == method
    end, received)
  end

  -- Start from lsp/trueconf-lsp.lua alone, without the earlier cases' settings.
  vim.lsp.config[NAME] = {}
  require('trueconf').setup({ config = { cmd = server }, settings = { ignore = { 'TC015' } } })
  H.check(vim.lsp.is_enabled(NAME), 'setup() did not enable the server')
  local file = write(tmp .. '/notes.txt', { 'trueconf:\\c\\737734033583@video.example.com' })
  vim.cmd.edit(vim.fn.fnameescape(file))
  H.check(vim.wait(5000, function()
    return #sent('textDocument/didOpen') > 0
  end, 20), 'the client never opened the document; got %s', vim.inspect(received))
  H.eq(
    { settings = { ignore = { 'TC015' } } },
    vim.json.decode(vim.json.encode(sent('initialize')[1].params.initializationOptions)),
    'initializationOptions'
  )
  H.eq('plaintext', sent('textDocument/didOpen')[1].params.textDocument.languageId, 'languageId of a .txt file')

  local result, err = dispatchers.server_request('workspace/configuration', { items = { { section = NAME } } })
  H.check(err == nil, 'workspace/configuration failed: %s', vim.inspect(err))
  H.eq({ { ignore = { 'TC015' } } }, vim.json.decode(vim.json.encode(result)), 'workspace/configuration answer')

  local before = #sent('workspace/didChangeConfiguration')
  require('trueconf').setup({ settings = { ignore = { 'TC001' }, select = { 'TC0' } } })
  local changes = sent('workspace/didChangeConfiguration')
  H.eq(before + 1, #changes, 'didChangeConfiguration notifications after a second setup()')
  H.eq(
    { settings = { [NAME] = { ignore = { 'TC001' }, select = { 'TC0' } } } },
    vim.json.decode(vim.json.encode(changes[#changes].params)),
    'didChangeConfiguration params'
  )

  local lines = H.checkhealth('trueconf')
  local text = table.concat(lines, '\n')
  H.check(text:find('cmd is a function', 1, true), 'health does not explain a function cmd:\n%s', text)
  H.check(text:find('attached to 1 buffer(s): ', 1, true), 'health does not list the client:\n%s', text)
  H.eq({}, errors_in(lines), 'ERROR lines')

  for _, client in ipairs(vim.lsp.get_clients({ name = NAME })) do
    client:stop(true)
  end
  H.check(vim.wait(2000, function()
    return #vim.lsp.get_clients({ name = NAME }) == 0
  end, 20), 'the client did not stop')
  vim.cmd('bwipeout!')
  vim.lsp.enable(NAME, false)
end)

H.case(':checkhealth trueconf reports a missing binary as an ERROR', function()
  local missing = tmp .. '/nowhere/trueconf-lsp'
  vim.lsp.config(NAME, { cmd = { missing } })
  local lines = H.checkhealth('trueconf')
  local errors = errors_in(lines)
  H.check(#errors >= 1, 'no ERROR line in:\n%s', table.concat(lines, '\n'))
  H.check(errors[1]:find('server binary not found: ' .. missing, 1, true), 'ERROR does not name the path: %s', errors[1])
end)

H.case(':checkhealth trueconf is clean with a working binary and shows its version', function()
  vim.fn.mkdir(tmp .. '/bin', 'p')
  local fake = write(tmp .. '/bin/trueconf-lsp', {
    '#!/bin/sh',
    'if [ "$1" = "--version" ]; then echo "trueconf-lsp 9.8.7 (log $TRUECONF_LOG)"; exit 0; fi',
    'exit 2',
  }, tonumber('755', 8))
  vim.lsp.config(NAME, { cmd = { fake }, cmd_env = { TRUECONF_LOG = 'trace' } })
  vim.lsp.enable(NAME)
  local lines = H.checkhealth('trueconf')
  H.eq({}, errors_in(lines), 'ERROR lines')
  local text = table.concat(lines, '\n')
  H.check(text:find('version: trueconf-lsp 9.8.7 (log trace)', 1, true), 'version (with cmd_env) not reported:\n%s', text)
  H.check(text:find('binary: ' .. fake, 1, true), 'binary path not reported:\n%s', text)
  H.check(text:find('enabled for filetypes: markdown', 1, true), 'enabled state not reported:\n%s', text)
  H.check(not text:find('WARNING', 1, true), 'unexpected WARNING:\n%s', text)
end)

H.case(':checkhealth trueconf reports a binary whose --version fails as an ERROR', function()
  local broken = write(tmp .. '/bin/broken-trueconf-lsp', { '#!/bin/sh', 'echo "cannot start" >&2', 'exit 3' }, tonumber('755', 8))
  vim.lsp.config(NAME, { cmd = { broken } })
  local errors = errors_in(H.checkhealth('trueconf'))
  H.check(#errors == 1 and errors[1]:find('--version failed (exit 3): cannot start', 1, true), 'got %s', vim.inspect(errors))
end)

H.run('unit')
