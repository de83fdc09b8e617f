const pty = require('node-pty');
const fs = require('fs');
const script = 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done';
(async () => {
let bad = 0; const t0 = Date.now();
for (let k = 0; k < 100; k++) {
  let out = '';
  const p = pty.spawn('/bin/sh', ['-c', script], { name: 'xterm-256color', cols: 80, rows: 24, cwd: process.cwd(), env: process.env });
  const fd = fs.openSync(p.ptsName, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  p.onData((d) => (out += d));
  await new Promise((r) => p.onExit(r));
  fs.closeSync(fd);
  const n = out.split('\r\n').filter(Boolean).length;
  if (n !== 2000) bad++;
}
console.log('bad', bad, (Date.now()-t0)/100, 'ms each');
})();
