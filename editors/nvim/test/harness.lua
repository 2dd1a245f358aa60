-- A small test runner for `nvim --headless`: named cases run in order, each
-- result is printed, and Neovim exits 0 when all passed, 1 otherwise. A case
-- marked `needs_previous` is skipped once an earlier case has failed.

local H = {}

local cases = {}

--- Registers a case.
---@param name string
---@param fn fun()
---@param opts? { needs_previous?: boolean }
function H.case(name, fn, opts)
  table.insert(cases, { name = name, fn = fn, needs_previous = opts and opts.needs_previous })
end

--- Fails the current case unless `cond` holds.
---@param cond any
---@param msg string
---@param ... any format arguments for msg
function H.check(cond, msg, ...)
  if not cond then
    error(select('#', ...) > 0 and msg:format(...) or msg, 2)
  end
end

--- Fails unless the two values are deeply equal.
function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    error(('%s:\n  expected %s\n  got      %s'):format(what or 'values differ', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

local function out(text)
  io.stdout:write(text, '\n')
  io.stdout:flush()
end

--- Runs `:checkhealth {name}` and returns the report's lines.
---@param name string
---@return string[]
function H.checkhealth(name)
  vim.cmd('silent checkhealth ' .. name)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd('bwipeout!')
  return lines
end

--- Runs the cases, prints `<suite>: N passed, N failed[, N skipped]` and exits Neovim.
---@param suite string
function H.run(suite)
  local passed, failed, skipped = 0, 0, 0
  for _, c in ipairs(cases) do
    if c.needs_previous and failed > 0 then
      skipped = skipped + 1
      out(('skip %s: %s (an earlier case failed)'):format(suite, c.name))
    else
      local ok, err = xpcall(c.fn, debug.traceback)
      if ok then
        passed = passed + 1
        out(('ok   %s: %s'):format(suite, c.name))
      else
        failed = failed + 1
        out(('FAIL %s: %s\n    %s'):format(suite, c.name, tostring(err):gsub('\n', '\n    ')))
      end
    end
  end
  out(('%s: %d passed, %d failed%s'):format(suite, passed, failed, skipped > 0 and (', %d skipped'):format(skipped) or ''))
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop(true)
  end
  vim.cmd(failed == 0 and skipped == 0 and 'qall!' or 'cquit 1')
end

return H
