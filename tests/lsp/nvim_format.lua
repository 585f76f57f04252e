-- Formats a file with `vim.lsp.buf.format()` through the README's Neovim set-up (loaded with -u before this
-- script) and prints the buffer's text afterwards as one JSON string:
--   nvim --headless -u README_SETUP.lua -l nvim_format.lua FILE
-- `kqlint` must be on PATH (the set-up runs `kqlint lsp`).
local file = arg[1]
vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
if not vim.wait(15000, function() return #vim.lsp.get_clients({ bufnr = buf, name = 'kqlint' }) > 0 end, 20) then
  io.stderr:write('timed out waiting for the client to attach\n')
  os.exit(1)
end
vim.lsp.buf.format({ bufnr = buf, timeout_ms = 10000 })
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
io.stdout:write(vim.json.encode(table.concat(lines, '\n') .. '\n') .. '\n')
vim.cmd('qa!')
