-- End-to-end test against the real server: only vim.lsp.enable('trueconf-lsp')
-- (with cmd pointed at $TRUECONF_LSP_BIN), a Markdown file and an HTML file
-- with bad links, the diagnostics the server sends for them (positions checked
-- in the negotiated offset encoding), a clean :checkhealth trueconf, the hover
-- text of a link with a password, a quick-fix and the fix-all source action
-- applied to the buffers, references and rename of a server across a
-- workspace (an unopened HTML file among its files), and a second client
-- limited to UTF-16 positions.
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

-- Line 1 (0-based) has multi-byte characters before the links ("é" is 2 bytes
-- and 1 UTF-16 unit, the emoji 4 bytes and 2 units), so UTF-8 and UTF-16
-- columns of everything after them differ.
local HTML_LINES = {
  '<!doctype html>',
  '<p>é 🙂 <a href="trueconf:login=u&amp;password=Sup3rSecret-e2e&amp;force=1">x</a> <a href="visicall:bob">y</a></p>',
}
local SECRET = 'Sup3rSecret-e2e'

local bin = vim.env.TRUECONF_LSP_BIN or ''
local buf ---@type integer the Markdown buffer
local html_buf ---@type integer
local html_file ---@type string

--- What the server sent so far for `bufnr` (default: the Markdown buffer), for failure messages.
local function describe_diagnostics(bufnr)
  local all = vim.diagnostic.get(bufnr or buf)
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

local function find(code, lnum, bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr or buf)) do
    if d.code == code and d.lnum == lnum and d.source == NAME then
      return d
    end
  end
end

--- The column of byte offset `byte_col` of `line` in a position encoding
--- ('utf-8', 'utf-16' or 'utf-32').
local function lsp_col(line, byte_col, encoding)
  if encoding == 'utf-8' then
    return byte_col
  end
  return vim.str_utfindex(line, encoding, byte_col)
end

--- The 0-based byte column of the first `needle` in `line`.
local function byte_col_of(line, needle)
  local at = line:find(needle, 1, true)
  assert(at, ('%q is not in %q'):format(needle, line))
  return at - 1
end

--- Opens `path`, waits for an initialized client named `name` on it and returns
--- the buffer and the client.
local function open_and_attach(path, name)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local b = vim.api.nvim_get_current_buf()
  local attached = vim.wait(TIMEOUT_MS, function()
    local clients = vim.lsp.get_clients({ bufnr = b, name = name })
    return #clients > 0 and clients[1].initialized == true
  end, 50)
  H.check(attached, 'no initialized %s client attached to %s within %d ms\n%s', name, path, TIMEOUT_MS, log_tail())
  return b, vim.lsp.get_clients({ bufnr = b, name = name })[1]
end

--- The client named `name` (default: the server under test) attached to `bufnr`.
local function client_of(bufnr, name)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = name or NAME })[1]
  H.check(client ~= nil, 'no %s client attached to buffer %d', name or NAME, bufnr)
  return client
end

--- Sends `method` to `client` only and returns its result; fails the case on a
--- timeout or an error response.
local function request(client, bufnr, method, params)
  local response, err = client:request_sync(method, params, 5000, bufnr)
  H.check(response ~= nil, '%s: no response within 5000 ms (%s)\n%s', method, tostring(err), log_tail())
  H.check(response.err == nil, '%s failed: %s', method, vim.inspect(response.err))
  return response.result
end

--- Waits until `pred()` holds; fails with `what` and the diagnostics of `bufnr` otherwise.
local function wait_for(pred, bufnr, what, ...)
  if not vim.wait(TIMEOUT_MS, pred, 50) then
    error(('%s within %d ms; diagnostics:\n%s\n%s'):format(what:format(...), TIMEOUT_MS, describe_diagnostics(bufnr), log_tail()), 2)
  end
end

--- The diagnostics `client` published or was pulled for on `bufnr`.
local function client_diagnostics(bufnr, client)
  local out = {}
  for _, is_pull in ipairs({ false, true }) do
    local ns = vim.lsp.diagnostic.get_namespace(client.id, is_pull)
    vim.list_extend(out, vim.diagnostic.get(bufnr, { namespace = ns }))
  end
  return out
end

--- The diagnostic of `client` with `code` on line `lnum` of `bufnr`.
local function find_of(client, bufnr, code, lnum)
  for _, d in ipairs(client_diagnostics(bufnr, client)) do
    if d.code == code and d.lnum == lnum then
      return d
    end
  end
end

--- Checks that the diagnostic `code` of `client` on line 1 of the HTML buffer
--- `bufnr` spans the `len` bytes from `needle` on: in vim.diagnostic (byte
--- columns) and in the LSP range the server sent (client.offset_encoding).
local function check_html_span(client, bufnr, code, needle, len)
  local line = HTML_LINES[2]
  local enc = client.offset_encoding
  local s = byte_col_of(line, needle)
  local e = s + len
  local d = find_of(client, bufnr, code, 1)
  H.check(d ~= nil, 'no %s diagnostic from %s on line 1; got:\n%s', code, client.name, describe_diagnostics(bufnr))
  local range = vim.tbl_get(d, 'user_data', 'lsp', 'range')
  H.check(range ~= nil, '%s carries no user_data.lsp.range: %s', code, vim.inspect(d))
  H.eq(
    { start = { line = 1, character = lsp_col(line, s, enc) }, ['end'] = { line = 1, character = lsp_col(line, e, enc) } },
    range,
    ('%s LSP range (%s, from %q)'):format(code, enc, needle)
  )
  H.eq({ 1, s, 1, e }, { d.lnum, d.col, d.end_lnum, d.end_col }, code .. ' byte range in vim.diagnostic')
  return d
end

--- Checks the TC002, TC001 and TC004 spans of the HTML line for `client`.
local function check_html_diagnostics(client, bufnr)
  local line = HTML_LINES[2]
  -- Guard the test itself: the columns must differ between the encodings.
  local t = byte_col_of(line, 'trueconf:')
  H.check(lsp_col(line, t, 'utf-16') ~= t, 'HTML_LINES[2] has no multi-byte text before the link')
  wait_for(function()
    return find_of(client, bufnr, 'TC001', 1) and find_of(client, bufnr, 'TC002', 1) and find_of(client, bufnr, 'TC004', 1)
  end, bufnr, 'no TC001, TC002 and TC004 from %s on line 1', client.name)
  -- TC002 covers the whole link: from the "t" of trueconf: to the closing quote.
  local link = line:match('href="(trueconf:[^"]*)"')
  check_html_span(client, bufnr, 'TC002', 'trueconf:', #link)
  -- TC001 covers the scheme name, without the colon (the fix replaces it).
  check_html_span(client, bufnr, 'TC001', 'visicall:', #'visicall')
  local d = check_html_span(client, bufnr, 'TC004', SECRET, #SECRET)
  H.check(not d.message:find(SECRET, 1, true), 'the TC004 message shows the password: %s', d.message)
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

H.case('vim.lsp.enable attaches the server to an HTML file', function()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  html_file = dir .. '/page.html'
  vim.fn.writefile(HTML_LINES, html_file)
  local client
  html_buf, client = open_and_attach(html_file, NAME)
  H.eq('html', vim.bo[html_buf].filetype, 'filetype')
  H.check(
    vim.tbl_contains({ 'utf-8', 'utf-16', 'utf-32' }, client.offset_encoding),
    'unexpected offset encoding %s',
    tostring(client.offset_encoding)
  )
end, { needs_previous = true })

H.case('HTML: TC002 at the "t" of trueconf:, TC001 at visicall, TC004 on the password (offset encoding)', function()
  check_html_diagnostics(client_of(html_buf), html_buf)
end, { needs_previous = true })

H.case('HTML: hover on the link explains it and masks the password', function()
  local client = client_of(html_buf)
  local line = HTML_LINES[2]
  vim.api.nvim_set_current_buf(html_buf)
  vim.api.nvim_win_set_cursor(0, { 2, byte_col_of(line, 'login=u') })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local responses = vim.lsp.buf_request_sync(html_buf, 'textDocument/hover', params, 5000)
  H.check(responses ~= nil, 'no hover response within 5000 ms\n%s', log_tail())
  local r = responses[client.id]
  H.check(r ~= nil and r.err == nil and r.result ~= nil, 'hover: %s', vim.inspect(r))
  local contents = r.result.contents
  H.eq('markdown', contents.kind, 'hover contents kind')
  local text = contents.value
  H.check(text:find('sign in as u', 1, true), 'the hover does not say "sign in as u":\n%s', text)
  H.check(text:find('***', 1, true), 'the hover does not show the password as ***:\n%s', text)
  H.check(not text:find(SECRET, 1, true), 'the hover shows the password:\n%s', text)
  -- The hover range is the link, like TC002's range.
  local t = lsp_col(line, byte_col_of(line, 'trueconf:'), client.offset_encoding)
  H.eq({ line = 1, character = t }, vim.tbl_get(r.result, 'range', 'start'), 'hover range start')
end, { needs_previous = true })

H.case('HTML: the TC001 quick-fix rewrites visicall: to trueconf: and the server re-lints', function()
  local client = client_of(html_buf)
  local d = find('TC001', 1, html_buf)
  H.check(d ~= nil, 'no TC001 on line 1; got:\n%s', describe_diagnostics(html_buf))
  local diag = d.user_data.lsp
  local actions = request(client, html_buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(html_buf) },
    range = diag.range,
    context = { diagnostics = { diag }, triggerKind = vim.lsp.protocol.CodeActionTriggerKind.Invoked },
  }) or {}
  local action
  for _, a in ipairs(actions) do
    if a.kind == 'quickfix' and a.title:find('trueconf:', 1, true) then
      action = a
      break
    end
  end
  H.check(action ~= nil, 'no quickfix action mentioning trueconf: among %s', vim.inspect(actions))
  H.check(action.edit or action.command, 'the action has neither edit nor command: %s', vim.inspect(action))
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  if action.command then
    local command = type(action.command) == 'table' and action.command or action
    client:exec_cmd(command, { bufnr = html_buf })
  end

  local expected = HTML_LINES[2]:gsub('href="visicall:bob"', 'href="trueconf:bob"')
  local got = vim.api.nvim_buf_get_lines(html_buf, 1, 2, false)[1]
  H.check(got:find('href="trueconf:bob"', 1, true), 'line 1 has no href="trueconf:bob" after the fix: %s', got)
  H.eq(expected, got, 'line 1 after the quick-fix')
  -- The old result had TC001; a new one without it (still with TC002) is the re-lint.
  wait_for(function()
    local any_tc001 = vim.iter(vim.diagnostic.get(html_buf)):any(function(x)
      return x.code == 'TC001'
    end)
    return not any_tc001 and find('TC002', 1, html_buf) ~= nil
  end, html_buf, 'TC001 still reported (or TC002 gone) after the quick-fix')
end, { needs_previous = true })

H.case('Markdown: source.fixAll.trueconf-lsp, resolved, adds &encrypt=1 and replaces visicall:', function()
  local client = client_of(buf)
  -- As when a user runs it: Neovim re-pulls diagnostics after a change only
  -- for buffers shown in a window.
  vim.api.nvim_set_current_buf(buf)
  local last = vim.api.nvim_buf_line_count(buf) - 1
  local last_line = vim.api.nvim_buf_get_lines(buf, last, last + 1, false)[1]
  local actions = request(client, buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = {
      start = { line = 0, character = 0 },
      ['end'] = { line = last, character = lsp_col(last_line, #last_line, client.offset_encoding) },
    },
    context = {
      diagnostics = {},
      only = { 'source.fixAll.trueconf-lsp' },
      triggerKind = vim.lsp.protocol.CodeActionTriggerKind.Invoked,
    },
  }) or {}
  local action
  for _, a in ipairs(actions) do
    if a.kind == 'source.fixAll.trueconf-lsp' then
      action = a
      break
    end
  end
  H.check(action ~= nil, 'no source.fixAll.trueconf-lsp action among %s', vim.inspect(actions))
  -- Neovim announces codeAction/resolve for edits: the server sends fix-all
  -- without its edit, and resolving it (as vim.lsp.buf.code_action does)
  -- gives the edit.
  H.check(action.edit == nil and action.data ~= nil, 'fix-all was not left to resolve: %s', vim.inspect(action))
  action = request(client, buf, 'codeAction/resolve', action)
  H.check(action ~= nil and action.edit ~= nil, 'codeAction/resolve gave no edit: %s', vim.inspect(action))
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  H.eq({
    '[call](trueconf:bob@video.example.com)',
    LINES[2] .. '&encrypt=1',
  }, vim.api.nvim_buf_get_lines(buf, 0, -1, false), 'the Markdown buffer after fix-all')
  wait_for(function()
    return #vim.diagnostic.get(buf) == 0
  end, buf, 'diagnostics remain after fix-all')
end, { needs_previous = true })

H.case('references and rename of a server across the workspace', function()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  -- A root marker: the server's workspace is this folder.
  vim.fn.writefile({}, dir .. '/trueconf-lsp.toml')
  local other = dir .. '/other.html'
  vim.fn.writefile({ '<a href="trueconf:\\c\\0031213894212@old.example.com&amp;h=old.example.com">join</a>' }, other)
  local file = dir .. '/graph.md'
  vim.fn.writefile({ 'Join trueconf:\\c\\0031213894212@Old.Example.com today.' }, file)
  local b, client = open_and_attach(file, NAME)
  local line = vim.api.nvim_buf_get_lines(b, 0, 1, false)[1]
  local position = { line = 0, character = lsp_col(line, byte_col_of(line, 'Old.Example') + 2, client.offset_encoding) }
  local doc = { uri = vim.uri_from_bufnr(b) }
  local refs = request(client, b, 'textDocument/references', {
    textDocument = doc,
    position = position,
    context = { includeDeclaration = true },
  }) or {}
  local files = vim.tbl_map(function(l)
    return vim.fs.basename(vim.uri_to_fname(l.uri))
  end, refs)
  table.sort(files)
  H.eq({ 'graph.md', 'other.html', 'other.html' }, files, 'files of the references to old.example.com')
  local edit = request(client, b, 'textDocument/rename', {
    textDocument = doc,
    position = position,
    newName = 'video.example.com',
  })
  H.check(edit ~= nil, 'rename gave no edit')
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
  H.eq(
    { 'Join trueconf:\\c\\0031213894212@video.example.com today.' },
    vim.api.nvim_buf_get_lines(b, 0, -1, false),
    'graph.md after the rename'
  )
  local ob = vim.fn.bufadd(other)
  vim.fn.bufload(ob)
  H.eq(
    { '<a href="trueconf:\\c\\0031213894212@video.example.com&amp;h=video.example.com">join</a>' },
    vim.api.nvim_buf_get_lines(ob, 0, -1, false),
    'other.html after the rename'
  )
end)

H.case('a client that offers only UTF-16 gets UTF-16 columns', function()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local file = dir .. '/utf16.html'
  vim.fn.writefile(HTML_LINES, file)
  -- A second client, next to the one vim.lsp.enable attaches; its diagnostics
  -- are told apart by namespace.
  local name = NAME .. '-utf16'
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'html',
    once = true,
    callback = function(args)
      vim.lsp.start({
        name = name,
        cmd = { bin },
        root_dir = dir,
        capabilities = { general = { positionEncodings = { 'utf-16' } } },
        settings = { [NAME] = vim.empty_dict() },
        init_options = { settings = vim.empty_dict() },
      }, { bufnr = args.buf })
    end,
  })
  local b, client = open_and_attach(file, name)
  H.eq('utf-16', client.offset_encoding, 'offset encoding of the UTF-16-only client')
  check_html_diagnostics(client, b)
end)

H.run('e2e')
