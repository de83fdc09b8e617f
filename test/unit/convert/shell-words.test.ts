import { describe, expect, it } from 'vitest';
import { readShell, type ShellCommand } from '../../../server/src/convert/shell-words.js';
import { WordExpander } from '../../../server/src/convert/word-expander.js';

/** Each command as its words in compose form (what the converter writes). */
function words(text: string, x = new WordExpander()): string[][] {
  return readShell(text).commands.map((c: ShellCommand) => c.words.map((w) => x.compose(x.resolve(w.parts))));
}

describe('readShell', () => {
  it('splits on blanks and honours single quotes, double quotes and backslashes', () => {
    expect(words(`a 'b c' "d e" f\\ g "h\\"i" 'j\\k' ""`)).toEqual([
      ['a', 'b c', 'd e', 'f g', 'h"i', 'j\\k', ''],
    ]);
  });

  it('joins backslash-newline continuations, also inside a word and inside double quotes', () => {
    expect(words('docker run \\\n  -p 80:80 ngi\\\nnx "a\\\nb"\n')).toEqual([
      ['docker', 'run', '-p', '80:80', 'nginx', 'ab'],
    ]);
  });

  it('drops comments at a word start only', () => {
    expect(words('# intro\ndocker run a#b nginx # trailing\n')).toEqual([['docker', 'run', 'a#b', 'nginx']]);
  });

  it('separates commands on newlines, ; && || | and &', () => {
    expect(words('a 1\nb 2; c 3 && d 4 || e 5 | f 6 & g 7')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
      ['f', '6'],
      ['g', '7'],
    ]);
  });

  it('doubles literal dollars and keeps variables as compose interpolation', () => {
    const x = new WordExpander();
    expect(words(`'a$b' "c\\$d" $E "\${F:-x}" g$ $1 $$`, x)).toEqual([
      ['a$$b', 'c$$d', '${E}', '${F:-x}', 'g$$', '$$1', '$$$$'],
    ]);
    expect([...x.variables.values()]).toEqual(['$E', '${F:-x}']);
    expect([...x.unsupported]).toEqual(['$1', '$$']);
  });

  it('turns the current folder into `.` and keeps other substitutions literal', () => {
    const x = new WordExpander();
    expect(words('echo $(pwd)/a `pwd`/b $PWD/c ${PWD} $(id -u) `date`', x)).toEqual([
      ['echo', './a', './b', './c', '.', '$$(id -u)', '`date`'],
    ]);
    expect([...x.cwd]).toEqual(['$(pwd)', '`pwd`', '$PWD', '${PWD}']);
    expect([...x.unsupported]).toEqual(['$(id -u)', '`date`']);
  });

  it('reads nested and quoted command substitutions to their end', () => {
    expect(words('echo $(echo "a)" $(echo b)) c')).toEqual([['echo', '$$(echo "a)" $$(echo b))', 'c']]);
  });

  it('expands comment-only substitutions to nothing (linuxserver.io `#optional`)', () => {
    expect(words('docker run -e A= `#optional` -p 1:1 `#optional` x')).toEqual([
      ['docker', 'run', '-e', 'A=', '-p', '1:1', 'x'],
    ]);
  });

  it("reads $'...' with its escapes", () => {
    expect(words("printf $'a\\nb\\t\\'c'")).toEqual([['printf', "a\nb\t'c"]]);
  });

  it('keeps redirections apart from the words', () => {
    const shell = readShell('docker run nginx > /dev/null 2>&1 </dev/zero');
    expect(shell.commands[0]?.words.map((w) => w.parts)).toHaveLength(3);
    expect(shell.commands[0]?.redirections).toEqual(['>/dev/null', '2>&1', '</dev/zero']);
  });

  it('reads <placeholders> as words, not redirections', () => {
    const shell = readShell('docker run -h <HOSTNAME> -v <path/to/data>:/data x');
    expect(words('docker run -h <HOSTNAME> x')).toEqual([['docker', 'run', '-h', '<HOSTNAME>', 'x']]);
    expect(shell.placeholders).toEqual(['<HOSTNAME>', '<path/to/data>']);
  });

  it('reads `\\ # note` at a line end as a continuation and says so', () => {
    const shell = readShell('docker run \\\n  -v /a:/a \\ # or a volume\n  nginx\n');
    expect(shell.commands).toHaveLength(1);
    expect(shell.looseContinuations).toEqual([{ line: 2, mark: '\\ # comment' }]);
  });

  it('reads PowerShell and cmd.exe line continuations', () => {
    expect(words('docker run `\n  -p 80:80 ^\n  nginx\n')).toEqual([
      ['docker', 'run', '-p', '80:80', 'nginx'],
    ]);
    expect(readShell('docker run `\n  nginx').looseContinuations).toEqual([{ line: 1, mark: '`' }]);
  });

  it('replaces typographic quotes, dashes and non-breaking spaces', () => {
    const shell = readShell('docker\u00a0run —name x “a b” ‘c’');
    expect(words('docker\u00a0run —name x “a b” ‘c’')).toEqual([
      ['docker', 'run', '--name', 'x', 'a b', 'c'],
    ]);
    expect(shell.normalized.length).toBe(5);
  });

  it('handles CRLF line ends', () => {
    expect(words('docker run \\\r\n  nginx\r\n')).toEqual([['docker', 'run', 'nginx']]);
  });

  it('reports unterminated quotes with their line', () => {
    expect(() => readShell('docker run \\\n  -e "A=b nginx')).toThrow(/line 2: unterminated " quote/);
    expect(() => readShell("x 'y")).toThrow(/line 1: unterminated ' quote/);
    expect(() => readShell('x $(y')).toThrow(/unterminated \$\( command substitution/);
  });
});
