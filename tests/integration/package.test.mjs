// The Debian package, as an operator gets it: built with CPack from the build directory of the
// binary under test, extracted into a temporary root (no dpkg -i: nothing outside the root is
// touched), and run from there. The binary is stripped, its debug information is in the -dbgsym
// package under its build id, it finds its Node runtime relative to itself, and the installed
// blog demo and default configuration run.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { binary, startGateway, tempDir, issuerToken, sendJson, DEMO_SECRET } from './harness.mjs';

const buildDir = dirname(binary);
const here = import.meta.dirname;
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: 'pipe', ...opts });

describe('the Debian package', { skip: !existsSync(join(buildDir, 'CPackConfig.cmake'))
  && `no CPackConfig.cmake beside ${binary}: not a build directory` }, () => {
  let work;
  let root;
  let deb;
  let ddeb;
  let installed;
  before(() => {
    work = tempDir();
    run('cpack', ['-G', 'DEB', '--config', join(buildDir, 'CPackConfig.cmake'), '-B', join(work, 'out')]);
    const out = readdirSync(join(work, 'out'));
    deb = join(work, 'out', out.find((f) => /^gatehouse_.*_amd64\.deb$/.test(f)));
    ddeb = join(work, 'out', out.find((f) => /^gatehouse-dbgsym_.*\.ddeb$/.test(f)));
    root = join(work, 'root');
    run('dpkg-deb', ['-x', deb, root]);
    installed = join(root, 'usr/bin/gatehouse');
  });
  after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('holds a stripped binary whose debug information is in the dbgsym package under its build id', () => {
    const sections = run('readelf', ['-S', '-W', installed]);
    assert.ok(!sections.includes('.debug_info'), 'the packaged binary has no debug sections');
    const buildId = run('readelf', ['-n', installed]).match(/Build ID: ([0-9a-f]+)/)[1];
    const listing = run('dpkg-deb', ['-c', ddeb]);
    assert.ok(listing.includes(`./usr/lib/debug/.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}.debug`), listing);
    const depends = run('dpkg-deb', ['-f', deb, 'Depends']);
    for (const lib of ['libssl3', 'libsqlite3-0', 'libyaml-cpp0.7', 'adduser']) assert.match(depends, new RegExp(lib));
    assert.match(run('dpkg-deb', ['-f', deb, 'Recommends']), /nodejs/);
  });

  it('installs the runtimes, the systemd unit, the default configuration and the docs under /usr', () => {
    assert.ok(existsSync(join(root, 'usr/share/gatehouse/runtimes/node/bootstrap.js')));
    const unit = readFileSync(join(root, 'usr/lib/systemd/system/gatehouse.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/gatehouse serve -c \/etc\/gatehouse\/gatehouse\.yaml$/m);
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    assert.ok(existsSync(join(root, 'usr/share/doc/gatehouse/configuration.md')));
    assert.ok(!existsSync(join(root, 'usr/share/doc/gatehouse/examples/lambda-blog/node_modules')));
    // The configuration the package puts in /etc passes the installed binary's check.
    const check = run(installed, ['check', '-c', join(root, 'usr/share/gatehouse/gatehouse.yaml')]);
    assert.match(check, /gatehouse\.yaml: ok/);
    // The maintainer scripts parse (running them would need the machine's root: adduser).
    const control = join(work, 'control');
    run('dpkg-deb', ['-e', deb, control]);
    for (const script of ['postinst', 'postrm']) run('sh', ['-n', join(control, script)]);
  });

  it('runs the installed blog demo', async () => {
    const dir = tempDir();
    // The example as installed, with this run's ports and a data directory of its own.
    const yaml = readFileSync(join(root, 'usr/share/doc/gatehouse/examples/blog/gatehouse.yaml'), 'utf8')
      .replace('data_dir: ../../.data/blog', `data_dir: ${join(dir, 'data')}`)
      .replace('dynamodb: {listen: 127.0.0.1:8000}', 'dynamodb: {listen: 127.0.0.1:0}');
    assert.ok(yaml.includes(join(dir, 'data')) && yaml.includes('127.0.0.1:0}'), 'the example changed');
    const gw = await startGateway(yaml, { dir, bin: installed, args: ['--port', '0', '--admin-port', '0'],
      env: { BLOG_DEMO_CLIENT_SECRET: DEMO_SECRET, GATEHOUSE_RUNTIMES_DIR: '' }, deadlineMs: 20000 });
    try {
      const token = await issuerToken(gw, { clientId: 'blog-demo', audience: 'https://blog-api' });
      const created = await sendJson(gw, token, 'POST', '/resource', { name: 'Yev' });
      assert.equal(created.status, 201, created.text);
      const listed = await sendJson(gw, token, 'GET', '/resource');
      assert.deepEqual(listed.json.items.map((i) => i.name), ['Yev']);
    } finally {
      await gw.stop();
    }
  });

  it('runs a Node function with the runtime it finds beside itself', async () => {
    const gw = await startGateway(`api: {name: t, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
functions:
  echo:
    runtime: node
    handler: handlers.echo
    working_dir: ${join(here, 'functions/gateway')}
    concurrency: 1
routes:
  - {path: /echo, method: GET, auth: none, integration: {type: function, function: echo}}
`, { bin: installed, env: { GATEHOUSE_RUNTIMES_DIR: '' }, deadlineMs: 20000 });
    try {
      const res = await fetch(`${gw.url}/echo`);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).path, '/echo');
    } finally {
      await gw.stop();
    }
  });
});
