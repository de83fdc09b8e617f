import * as pty from 'node-pty';
const script = 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done';
for (let k = 0; k < 30; k++) {
  let out = '';
  const p = pty.spawn('/bin/sh', ['-c', script], { name: 'xterm-256color', cols: 80, rows: 24, cwd: process.cwd(), env: process.env });
  p.onData((d) => (out += d));
  const t0 = Date.now();
  const e = await new Promise((r) => p.onExit(r));
  const lines = out.split('\r\n').filter(Boolean);
  process.stdout.write(`${lines.length} first=${lines[0]} last=${lines.at(-1)} ${Date.now() - t0}ms ${JSON.stringify(e)}\n`);
}
