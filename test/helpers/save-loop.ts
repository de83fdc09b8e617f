/**
 * Child process for the crash test: saves two large versions of a file in turn, forever, with
 * the same atomic write Berth uses, until it is killed.
 */
import { writeFileAtomic } from '../../server/src/stacks/atomic-write.js';

const file = process.argv[2];
if (!file) throw new Error('usage: save-loop <file>');
const a = 'a'.repeat(4 << 20);
const b = 'b'.repeat(4 << 20);
process.stdout.write('ready\n');
// One line per finished save, so the test can wait for saves instead of for time.
for (let i = 0; ; i++) {
  await writeFileAtomic(file, i % 2 ? a : b);
  process.stdout.write(`saved ${i % 2 ? 'a' : 'b'}\n`);
}
