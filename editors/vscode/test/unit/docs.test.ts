// Unit tests of the rule-documentation logic behind the `kqlint-docs:` content provider (src/docs.ts).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ExplainResult, ruleCodeOf, ruleDocument, withDocsCapability } from '../../src/docs';

const KQL201: ExplainResult = {
  code: 'KQL201',
  name: 'unfilled-placeholder',
  text: 'KQL201 unfilled-placeholder: A string literal still holds a template value\n',
  markdown: '# KQL201 `unfilled-placeholder`\n\nA string literal still holds a template value.\n',
};

describe('kqlint-docs: documents', () => {
  test('the URI path the server puts in codeDescription.href names the rule', () => {
    assert.equal(ruleCodeOf('/rules/KQL201.md'), 'KQL201');
    assert.equal(ruleCodeOf('/rules/unused-let.md'), 'unused-let');
    for (const bad of ['/rules/KQL201', 'rules/KQL201.md', '/rules/../x.md', '/other/KQL201.md', '']) {
      assert.equal(ruleCodeOf(bad), undefined, bad);
    }
  });

  test('the client declares experimental.kqlintDocs, keeping other experimental capabilities', () => {
    assert.deepEqual(withDocsCapability({}), { experimental: { kqlintDocs: true } });
    assert.deepEqual(withDocsCapability({ experimental: { other: 1 }, workspace: {} }), {
      experimental: { other: 1, kqlintDocs: true },
      workspace: {},
    });
  });

  test("the document is the server's Markdown for the rule the URI names", async () => {
    const asked: string[] = [];
    const md = await ruleDocument('/rules/KQL201.md', async (code) => {
      asked.push(code);
      return KQL201;
    });
    assert.deepEqual(asked, ['KQL201']);
    assert.equal(md, KQL201.markdown);
  });

  test('a server without Markdown: its plain text in a code block', async () => {
    const md = await ruleDocument('/rules/KQL201.md', async () => ({ ...KQL201, markdown: undefined }));
    assert.match(md, /^# KQL201 `unfilled-placeholder`\n/);
    assert.ok(md.includes('```text\nKQL201 unfilled-placeholder: A string literal'), md);
  });

  test('no server, an error from the server, or a path that is no rule: a readable document, no exception', async () => {
    assert.match(await ruleDocument('/rules/KQL201.md', undefined), /language server is not running.*kqlint explain KQL201/s);
    const failed = await ruleDocument('/rules/KQL999.md', async () => {
      throw new Error('no rule has the code or name `KQL999`');
    });
    assert.match(failed, /^# KQL999\n\nkqlint could not show this rule: no rule has the code or name `KQL999`/);
    let called = false;
    const notRule = await ruleDocument('/etc/passwd', async () => {
      called = true;
      return KQL201;
    });
    assert.equal(called, false);
    assert.match(notRule, /^# Not a kqlint rule/);
  });
});
