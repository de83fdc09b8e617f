import { NEW_STACK_NAME_PATTERN } from '../../../common/names';

/** Validates a new stack's name as the server will; null when fine, else a message to show. */
export function stackNameProblem(name: string, existing: readonly string[] = []): string | null {
  if (name === '') return 'Give the stack a name.';
  if (name.length > 64) return 'At most 64 characters.';
  if (/[A-Z]/.test(name)) return 'Use lower-case letters.';
  if (!NEW_STACK_NAME_PATTERN.test(name)) {
    return /^[_-]/.test(name)
      ? 'Start with a letter or a digit.'
      : 'Only lower-case letters, digits, "_" and "-".';
  }
  if (existing.includes(name)) return `A stack named "${name}" already exists.`;
  return null;
}
