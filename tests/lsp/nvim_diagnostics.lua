-- Opens files in headless Neovim with `kqlint lsp` attached and prints, for each file, the diagnostics Neovim
-- holds once the server has answered for it: one JSON object per line on stdout.
--   nvim --headless --clean -l nvim_diagnostics.lua /path/to/kqlint FILE...
-- Lines and columns are 1-based; columns are counted in characters (Neovim stores byte columns, converted here).
local server = arg[1]
local files = {}
for i = 2, #arg do files[#files + 1] = arg[i] end

-- Which URIs the server has answered for (pushed or pulled diagnostics).
local answered = {}
for _, method in ipairs({ 'textDocument/publishDiagnostics', 'textDocument/diagnostic' }) do
  local default = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    local r = default(err, result, ctx, config)
    local uri = (result and result.uri) or (ctx.params and ctx.params.textDocument and ctx.params.textDocument.uri)
    if uri then answered[uri] = (answered[uri] or 0) + 1 end
    return r
  end
end

local function charcol(buf, lnum, col)
  local line = vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, false)[1] or ''
  if col > #line then col = #line end
  return vim.str_utfindex(line, 'utf-32', col)
end

local status = 0
for _, file in ipairs(files) do
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start({ name = 'kqlint', cmd = { server, 'lsp' }, root_dir = vim.fn.fnamemodify(file, ':h') },
    { bufnr = buf })
  assert(id, 'vim.lsp.start failed')
  local uri = vim.uri_from_bufnr(buf)
  local ok = vim.wait(15000, function() return (answered[uri] or 0) > 0 end, 20)
  if not ok then
    io.stderr:write('no diagnostics from the server for ' .. file .. '\n')
    status = 1
  end
  vim.wait(100)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    out[#out + 1] = {
      line = d.lnum + 1, col = charcol(buf, d.lnum, d.col) + 1,
      end_line = d.end_lnum + 1, end_col = charcol(buf, d.end_lnum, d.end_col) + 1,
      code = d.code, message = d.message, severity = vim.diagnostic.severity[d.severity],
    }
  end
  table.sort(out, function(a, b) return a.line < b.line or (a.line == b.line and a.col < b.col) end)
  local client = vim.lsp.get_client_by_id(id)
  io.stdout:write(vim.json.encode({
    file = file, diagnostics = out, client_pulls = client and client.server_capabilities.diagnosticProvider ~= nil,
    encoding = client and client.offset_encoding or vim.NIL,
  }) .. '\n')
end

for _, client in ipairs(vim.lsp.get_clients()) do client:stop() end
vim.wait(5000, function() return #vim.lsp.get_clients() == 0 end, 20)
os.exit(status)
