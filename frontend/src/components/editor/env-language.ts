import { StreamLanguage } from '@codemirror/language';

interface EnvState {
  /** Past the `=` of a `KEY=value` line. */
  inValue: boolean;
}

/**
 * A tiny highlighter for `.env` files: `# comments`, an optional `export`, `KEY`, `=`, and the value
 * (quoted or not, with `${VAR}` / `$VAR` interpolation marked).
 */
export const envLanguage = StreamLanguage.define<EnvState>({
  name: 'env',
  startState: () => ({ inValue: false }),
  copyState: (state) => ({ ...state }),
  token(stream, state) {
    if (stream.sol()) state.inValue = false;
    if (!state.inValue) {
      if (stream.eatSpace()) return null;
      if (stream.peek() === '#') {
        stream.skipToEnd();
        return 'comment';
      }
      if (stream.match(/^export(?=\s)/)) return 'keyword';
      if (stream.match(/^[^=\s#]+/)) return 'propertyName';
      if (stream.eat('=')) {
        state.inValue = true;
        return 'operator';
      }
      stream.next();
      return null;
    }
    if (stream.eatSpace()) {
      if (stream.peek() !== '#') return null;
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'[^']*'?/)) return 'string';
    if (stream.match(/^\$(?:\{[^}]*\}?|\w+)/)) return 'variable-2';
    if (!stream.match(/^[^\s"'$]+/)) stream.next();
    return 'string';
  },
  languageData: { commentTokens: { line: '#' } },
});
