import { describe, expect, it } from 'vitest';
import { detectLevel, stripAnsi } from '../../../server/src/logs/log-level.js';

describe('detectLevel', () => {
  it.each([
    ['{"level":"error","msg":"boom"}', 'error'],
    ['{"level":50,"msg":"pino error"}', 'error'],
    ['{"level":30,"msg":"pino info"}', 'info'],
    ['{"severity":"WARNING","message":"gcp"}', 'warn'],
    ['{"lvl":"dbug","msg":"x"}', undefined],
    ['{"lvl":"debug","msg":"x"}', 'debug'],
    ['{"@t":"2024-01-01T00:00:00Z","@l":"Error","@m":"serilog"}', 'error'],
    ['{"@t":"2024-01-01T00:00:00Z","@mt":"serilog info has no @l"}', 'info'],
    ['{"log.level":"warn"}', 'warn'],
    ['[ERROR] something failed', 'error'],
    ['2024/05/01 10:00:00 [warn] 12#12: nginx says', 'warn'],
    ['time=2024-05-01T10:00:00Z level=warn msg="disk low"', 'warn'],
    ['ts=1 lvl=error msg=x', 'error'],
    ['E1122 10:00:00.000000    1 main.go:10] glog error', 'error'],
    ['W0501 10:00:00.000000 glog warning', 'warn'],
    ['I0501 10:00:00.000000 glog info', 'info'],
    ['ERROR: relation does not exist', 'error'],
    ['2024-05-01 10:00:00.123 UTC WARNING something', 'warn'],
    ['INFO:     Uvicorn running on http://0.0.0.0:8000', 'info'],
    ['error: could not open file', 'error'],
    ['\x1b[31mERROR\x1b[0m: coloured', 'error'],
    ['FATAL the end', 'fatal'],
    ['hello world', undefined],
    ['Information about errors is below', undefined],
    ['this line mentions an error in the middle', undefined],
    ['', undefined],
    ['{not json', undefined],
  ])('%j -> %s', (line, level) => {
    expect(detectLevel(line)).toBe(level);
  });
});

describe('stripAnsi', () => {
  it('removes colour and cursor sequences, keeps the text', () => {
    expect(stripAnsi('\x1b[1;32mok\x1b[0m \x1b[2K\x1b]0;title\x07done')).toBe('ok done');
  });
});
