// Unit tests of the settings -> server command / server settings logic (src/config.ts).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Host,
  type ServerCommand,
  notFoundMessage,
  resolveServerCommand,
  toServerSettings,
} from '../../src/config';

function posixHost(overrides: Partial<Host> & { executables?: string[] } = {}): Host {
  const executables = new Set(overrides.executables ?? []);
  return {
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    homedir: '/home/ana',
    workspaceFolder: '/work/rules',
    isExecutableFile: (file) => executables.has(file),
    ...overrides,
  };
}

function notFound(result: ServerCommand): Extract<ServerCommand, { kind: 'not-found' }> {
  assert.equal(result.kind, 'not-found');
  return result as Extract<ServerCommand, { kind: 'not-found' }>;
}

describe('resolveServerCommand', () => {
  test('defaults to kqlint on PATH, first match wins, and runs `kqlint lsp`', () => {
    const host = posixHost({ executables: ['/usr/bin/kqlint', '/usr/local/bin/kqlint'] });
    assert.deepEqual(resolveServerCommand({}, host), {
      kind: 'found',
      command: '/usr/local/bin/kqlint',
      args: ['lsp'],
      source: 'default',
    });
  });

  test('an empty or blank setting counts as not set', () => {
    const host = posixHost({ executables: ['/usr/bin/kqlint'] });
    for (const path of ['', '   ', undefined, null, 42]) {
      const result = resolveServerCommand({ path }, host);
      assert.equal(result.kind, 'found');
      assert.equal(result.kind === 'found' && result.source, 'default');
    }
  });

  test('KQLINT_PATH is used when the setting is empty', () => {
    const host = posixHost({
      env: { PATH: '/usr/bin', KQLINT_PATH: '/opt/kqlint/bin/kqlint' },
      executables: ['/opt/kqlint/bin/kqlint', '/usr/bin/kqlint'],
    });
    const result = resolveServerCommand({ path: '' }, host);
    assert.deepEqual(result, { kind: 'found', command: '/opt/kqlint/bin/kqlint', args: ['lsp'], source: 'env' });
  });

  test('the bundled binary comes after the setting and KQLINT_PATH, before PATH', () => {
    const bundled = '/ext/kqlint-0.1.0-linux-x64/bin/kqlint';
    const executables = [bundled, '/usr/bin/kqlint', '/opt/kqlint'];
    const plain = posixHost({ bundledServer: bundled, executables });
    assert.deepEqual(resolveServerCommand({}, plain), {
      kind: 'found',
      command: bundled,
      args: ['lsp'],
      source: 'bundled',
    });
    const fromSetting = resolveServerCommand({ path: '/opt/kqlint' }, plain);
    assert.equal(fromSetting.kind === 'found' && fromSetting.source, 'setting');
    const withEnv = posixHost({ bundledServer: bundled, executables, env: { PATH: '/usr/bin', KQLINT_PATH: '/opt/kqlint' } });
    const fromEnv = resolveServerCommand({}, withEnv);
    assert.equal(fromEnv.kind === 'found' && fromEnv.source, 'env');
  });

  test('a universal package (no bundled binary there) falls back to PATH', () => {
    const host = posixHost({ bundledServer: '/ext/kqlint/bin/kqlint', executables: ['/usr/bin/kqlint'] });
    assert.deepEqual(resolveServerCommand({}, host), {
      kind: 'found',
      command: '/usr/bin/kqlint',
      args: ['lsp'],
      source: 'default',
    });
  });

  test('the setting wins over KQLINT_PATH', () => {
    const host = posixHost({
      env: { PATH: '/usr/bin', KQLINT_PATH: '/opt/kqlint/bin/kqlint' },
      executables: ['/opt/kqlint/bin/kqlint', '/home/ana/bin/kqlint'],
    });
    const result = resolveServerCommand({ path: '~/bin/kqlint' }, host);
    assert.deepEqual(result, { kind: 'found', command: '/home/ana/bin/kqlint', args: ['lsp'], source: 'setting' });
  });

  test('a relative path and ${workspaceFolder} resolve against the workspace folder', () => {
    const host = posixHost({ executables: ['/work/rules/target/debug/kqlint'] });
    for (const path of ['target/debug/kqlint', './target/debug/kqlint', '${workspaceFolder}/target/debug/kqlint']) {
      const result = resolveServerCommand({ path }, host);
      assert.equal(result.kind === 'found' && result.command, '/work/rules/target/debug/kqlint', path);
    }
  });

  test('a bare name in the setting is looked up on PATH', () => {
    const host = posixHost({ executables: ['/usr/bin/kqlint-nightly'] });
    const result = resolveServerCommand({ path: 'kqlint-nightly' }, host);
    assert.equal(result.kind === 'found' && result.command, '/usr/bin/kqlint-nightly');
  });

  test('not found on PATH: lists what was tried and says which setting fixes it', () => {
    const result = notFound(resolveServerCommand({}, posixHost()));
    assert.deepEqual(result.tried, ['/usr/local/bin/kqlint', '/usr/bin/kqlint']);
    assert.equal(result.source, 'default');
    const message = notFoundMessage(result);
    assert.match(message, /"kqlint" was not found on PATH/);
    assert.match(message, /set "kqlint\.path"/);
    assert.match(message, /run "kqlint: Restart Language Server"/);
  });

  test('not found from the setting: the message quotes the setting', () => {
    const result = notFound(resolveServerCommand({ path: '/nope/kqlint' }, posixHost()));
    assert.deepEqual(result.tried, ['/nope/kqlint']);
    const message = notFoundMessage(result);
    assert.match(message, /the setting "kqlint\.path" is "\/nope\/kqlint"/);
    assert.match(message, /Fix "kqlint\.path", or clear it/);
  });

  test('not found from KQLINT_PATH: the message names the variable', () => {
    const host = posixHost({ env: { PATH: '/usr/bin', KQLINT_PATH: '/tmp/missing' } });
    const result = notFound(resolveServerCommand({}, host));
    assert.equal(result.source, 'env');
    const message = notFoundMessage(result);
    assert.match(message, /environment variable KQLINT_PATH is "\/tmp\/missing"/);
    assert.match(message, /Set "kqlint\.path"/);
  });

  test('an empty PATH finds nothing without throwing', () => {
    const result = notFound(resolveServerCommand({}, posixHost({ env: {} })));
    assert.deepEqual(result.tried, []);
  });

  test('Windows: PATHEXT extensions and the Path spelling', () => {
    const host: Host = {
      platform: 'win32',
      env: { Path: 'C:\\tools;C:\\Windows', PATHEXT: '.COM;.EXE' },
      homedir: 'C:\\Users\\ana',
      workspaceFolder: 'C:\\work\\rules',
      isExecutableFile: (file) => file === 'C:\\Windows\\kqlint.exe' || file === 'C:\\work\\rules\\bin\\kqlint.exe',
    };
    const onPath = resolveServerCommand({}, host);
    assert.equal(onPath.kind === 'found' && onPath.command, 'C:\\Windows\\kqlint.exe');
    const relative = resolveServerCommand({ path: 'bin\\kqlint' }, host);
    assert.equal(relative.kind === 'found' && relative.command, 'C:\\work\\rules\\bin\\kqlint.exe');
  });
});

describe('toServerSettings', () => {
  test('defaults: no config path, no schema dirs', () => {
    assert.deepEqual(toServerSettings({}, posixHost()), { configPath: null, schemaDirs: [] });
    assert.deepEqual(toServerSettings({ configPath: '  ', schemaDirs: [] }, posixHost()), {
      configPath: null,
      schemaDirs: [],
    });
  });

  test('paths are expanded and made absolute against the workspace folder', () => {
    const settings = toServerSettings(
      {
        configPath: 'kqlint.toml',
        schemaDirs: ['schemas/custom', '~/kql-schemas', '${workspaceFolder}/more', '/abs/dir', '', 7],
      },
      posixHost(),
    );
    assert.deepEqual(settings, {
      configPath: '/work/rules/kqlint.toml',
      schemaDirs: ['/work/rules/schemas/custom', '/home/ana/kql-schemas', '/work/rules/more', '/abs/dir'],
    });
  });

  test('without a workspace folder, relative paths are passed on unchanged', () => {
    const settings = toServerSettings(
      { configPath: 'kqlint.toml', schemaDirs: ['${workspaceFolder}/x'] },
      posixHost({ workspaceFolder: undefined }),
    );
    assert.deepEqual(settings, { configPath: 'kqlint.toml', schemaDirs: ['${workspaceFolder}/x'] });
  });

  test('a schemaDirs value that is not an array is ignored', () => {
    assert.deepEqual(toServerSettings({ schemaDirs: 'schemas' }, posixHost()).schemaDirs, []);
  });
});
