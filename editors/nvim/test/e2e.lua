-- End-to-end test against the real server: only vim.lsp.enable('trueconf-lsp')
-- (with cmd pointed at $TRUECONF_LSP_BIN), a Markdown file with two bad links,
-- the diagnostics the server sends for them, and a clean :checkhealth trueconf.
-- Run by test/run.sh:
--   TRUECONF_LSP_BIN=target/debug/trueconf-lsp TRUECONF_NVIM_PLUGIN=editors/nvim \
--     nvim --clean --headless --cmd 'lua vim.opt.rtp:prepend(vim.env.TRUECONF_NVIM_PLUGIN)' \
--     -c 'lua dofile(vim.env.TRUECONF_NVIM_TEST)'

local plugin = assert(vim.env.TRUECONF_NVIM_PLUGIN, 'TRUECONF_NVIM_PLUGIN is not set')
local H = dofile(plugin .. '/test/harness.lua')

local NAME = 'trueconf-lsp'
local TIMEOUT_MS = 10000
local LINES = {
  '[call](visicall:bob@video.example.com)',
  'trueconf:login=alice&password=[password]',
}

local bin = vim.env.TRUECONF_LSP_BIN or ''
local buf ---@type integer

--- What the server sent so far, for failure messages.
local function describe_diagnostics()
  local all = vim.diagnostic.get(buf)
  if #all == 0 then
    return '(no diagnostics)'
  end
  return table.concat(
    vim.tbl_map(function(d)
      return ('  line %d col %d-%d %s [%s] %s'):format(
        d.lnum,
        d.col,
        d.end_col or -1,
        tostring(d.code),
        tostring(d.source),
        d.message
      )
    end, all),
    '\n'
  )
end

--- The end of the LSP log (the server's stderr lands there), for failure messages.
local function log_tail()
  local path = vim.lsp.log.get_filename()
  if vim.fn.filereadable(path) == 0 then
    return '(no LSP log at ' .. path .. ')'
  end
  local lines = vim.fn.readfile(path)
  return path .. ':\n' .. table.concat(vim.list_slice(lines, math.max(1, #lines - 30)), '\n')
end

local function find(code, lnum)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code and d.lnum == lnum and d.source == NAME then
      return d
    end
  end
end

H.case('the server binary from TRUECONF_LSP_BIN is executable', function()
  H.check(bin ~= '', 'TRUECONF_LSP_BIN is not set')
  H.check(vim.fn.executable(bin) == 1, 'TRUECONF_LSP_BIN=%s is not an executable file', bin)
end)

H.case('vim.lsp.enable attaches the server to a Markdown file', function()
  vim.lsp.config(NAME, { cmd = { bin } })
  vim.lsp.enable(NAME)

  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local file = dir .. '/links.md'
  vim.fn.writefile(LINES, file)
  vim.cmd.edit(vim.fn.fnameescape(file))
  buf = vim.api.nvim_get_current_buf()
  H.eq('markdown', vim.bo[buf].filetype, 'filetype')

  local attached = vim.wait(TIMEOUT_MS, function()
    local clients = vim.lsp.get_clients({ bufnr = buf, name = NAME })
    return #clients > 0 and clients[1].initialized == true
  end, 50)
  H.check(attached, 'no initialized %s client attached within %d ms\n%s', NAME, TIMEOUT_MS, log_tail())
  local client = vim.lsp.get_clients({ bufnr = buf, name = NAME })[1]
  H.eq(NAME, client.server_info and client.server_info.name, 'serverInfo.name')
end, { needs_previous = true })

H.case('TC001 (visicall:) on line 0, starting at the column of visicall', function()
  local col = LINES[1]:find('visicall', 1, true) - 1
  local got = vim.wait(TIMEOUT_MS, function()
    return find('TC001', 0) ~= nil and find('TC002', 1) ~= nil
  end, 50)
  local d = find('TC001', 0)
  H.check(d ~= nil, 'no TC001 diagnostic from %s on line 0 within %d ms (waited for TC001 and TC002: %s); got:\n%s\n%s',
    NAME, TIMEOUT_MS, tostring(got), describe_diagnostics(), log_tail())
  H.check(d.col == col, 'TC001 starts at column %d, expected %d (the "v" of visicall); got:\n%s', d.col, col, describe_diagnostics())
end, { needs_previous = true })

H.case('TC002 (password without encrypt=1) on line 1', function()
  local d = find('TC002', 1)
  H.check(d ~= nil, 'no TC002 diagnostic from %s on line 1; got:\n%s', NAME, describe_diagnostics())
end)

H.case(':checkhealth trueconf has no ERROR lines', function()
  local lines = H.checkhealth('trueconf')
  local text = table.concat(lines, '\n')
  local errors = vim.tbl_filter(function(l)
    return l:find('ERROR', 1, true) ~= nil
  end, lines)
  H.check(#errors == 0, ':checkhealth trueconf reported errors:\n%s', text)
  H.check(text:find('binary: ', 1, true), 'the health report does not show the binary:\n%s', text)
  H.check(text:find('attached to 1 buffer(s): ', 1, true), 'the health report does not show the attached client:\n%s', text)
end)

H.run('e2e')
