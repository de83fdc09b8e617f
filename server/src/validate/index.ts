export {
  MAX_PROBLEMS,
  validateCompose,
  warmUpComposeValidator,
  type ValidationResult,
} from './compose-validator.js';
