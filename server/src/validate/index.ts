export {
  MAX_PROBLEMS,
  validateCompose,
  warmUpComposeValidator,
  type ValidateOptions,
  type ValidationResult,
} from './compose-validator.js';
export { parseDotEnv } from './interpolation.js';
