-- Runs the README's Neovim set-up as a user's init.lua would (loaded with -u before this script), then edits
-- DIR/q.kql, saves a changed DIR/kqlint.toml from within Neovim, edits the query, and prints the diagnostics
-- Neovim holds before and after, one JSON object per line:
--   nvim --headless -u README_SETUP.lua -l nvim_readme_setup.lua DIR
-- `kqlint` must be on PATH (the set-up runs `kqlint lsp`).
local dir = arg[1]
local function codes(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do out[#out + 1] = d.code end
  table.sort(out)
  return out
end
local function wait_for(pred, what)
  if not vim.wait(15000, pred, 20) then
    io.stderr:write('timed out waiting for ' .. what .. '\n')
    os.exit(1)
  end
end

vim.cmd.edit(vim.fn.fnameescape(dir .. '/q.kql'))
local q = vim.api.nvim_get_current_buf()
io.stdout:write(vim.json.encode({ step = 'filetype', value = vim.bo[q].filetype }) .. '\n')
wait_for(function() return #vim.lsp.get_clients({ bufnr = q, name = 'kqlint' }) > 0 end, 'the client to attach')
wait_for(function() return #vim.diagnostic.get(q) > 0 end, 'diagnostics')
io.stdout:write(vim.json.encode({ step = 'opened', codes = codes(q) }) .. '\n')

-- Edit kqlint.toml in Neovim and save it: Neovim sends no file-watch notification on Linux, and no didSave
-- (kqlint is attached to kql and yaml buffers); the next change of a query reads the configuration again.
local before = table.concat(codes(q), ',')
vim.cmd.edit(vim.fn.fnameescape(dir .. '/kqlint.toml'))
vim.api.nvim_buf_set_lines(0, 0, -1, false, { '[rules]', 'ignore = []' })
vim.cmd.write()
-- Back in the query, the next edit brings the new configuration.
vim.cmd.buffer(q)
vim.api.nvim_buf_set_lines(q, -1, -1, false, { '| take 10' })
wait_for(function() return table.concat(codes(q), ',') ~= before end, 'diagnostics after saving kqlint.toml')
io.stdout:write(vim.json.encode({ step = 'saved', codes = codes(q) }) .. '\n')
vim.cmd('qa!')
