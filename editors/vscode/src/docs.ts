// Rule documentation reachable from a diagnostic's code. The extension tells the server that it shows
// `kqlint-docs:` documents (client capability `experimental.kqlintDocs`); the server then gives every diagnostic a
// `codeDescription.href` of `kqlint-docs:/rules/<CODE>.md`, and VS Code opens that URI (from the Problems panel or
// the diagnostic hover) through the read-only content provider registered for the scheme, which asks the server
// (`kqlint/explain`) for the rule's Markdown. Pure logic with no `vscode` import, unit-tested in plain node
// (test/unit/docs.test.ts).

export const DOCS_SCHEME = 'kqlint-docs';
export const EXPLAIN_REQUEST = 'kqlint/explain';

/** What `kqlint/explain` answers. */
export interface ExplainResult {
  readonly code: string;
  readonly name: string;
  /** `kqlint explain CODE` as printed in a terminal. */
  readonly text: string;
  /** The rule's documentation in Markdown (servers that predate it send only `text`). */
  readonly markdown?: string;
}

/** Sends `kqlint/explain`; `undefined` when no server is running. */
export type Explain = ((code: string) => Promise<ExplainResult>) | undefined;

/** The rule code of a `kqlint-docs:` URI path (`/rules/KQL201.md` → `KQL201`). */
export function ruleCodeOf(path: string): string | undefined {
  const m = /^\/rules\/([A-Za-z0-9-]+)\.md$/.exec(path);
  return m?.[1];
}

/** The client capabilities with `experimental.kqlintDocs` set (what the server looks for). */
export function withDocsCapability<C extends { experimental?: unknown }>(capabilities: C): C {
  const experimental =
    typeof capabilities.experimental === 'object' && capabilities.experimental !== null
      ? (capabilities.experimental as Record<string, unknown>)
      : {};
  capabilities.experimental = { ...experimental, kqlintDocs: true };
  return capabilities;
}

/** The Markdown shown for a `kqlint-docs:` URI path. Never throws: problems become a readable document. */
export async function ruleDocument(path: string, explain: Explain): Promise<string> {
  const code = ruleCodeOf(path);
  if (code === undefined) {
    return `# Not a kqlint rule\n\n\`${path}\` does not name a rule; rule documents are \`kqlint-docs:/rules/CODE.md\`.\n`;
  }
  if (explain === undefined) {
    return `# ${code}\n\nThe kqlint language server is not running, so the documentation of ${code} cannot be shown. Start it with **kqlint: Restart Language Server**, or run \`kqlint explain ${code}\` in a terminal.\n`;
  }
  try {
    const r = await explain(code);
    if (typeof r.markdown === 'string' && r.markdown.trim() !== '') {
      return r.markdown;
    }
    return `# ${r.code} \`${r.name}\`\n\n\`\`\`text\n${r.text}\n\`\`\`\n`;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return `# ${code}\n\nkqlint could not show this rule: ${detail}\n`;
  }
}
