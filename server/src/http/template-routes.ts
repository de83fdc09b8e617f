import type { TemplateService } from '../templates/template-service.js';
import type { Handlers } from './route.js';

type TemplateOps =
  | 'listTemplates'
  | 'getTemplate'
  | 'saveTemplate'
  | 'deleteTemplate'
  | 'importTemplates'
  | 'createStackFromTemplate';

export function templateHandlers(templates: TemplateService): Handlers<TemplateOps> {
  return {
    listTemplates: () => templates.list(),
    getTemplate: ({ params }) => templates.get(params.id),
    saveTemplate: ({ body }) => templates.saveFromStack(body),
    deleteTemplate: ({ params }) => templates.delete(params.id),
    importTemplates: ({ body }) => templates.import(body),
    createStackFromTemplate: ({ body }) => templates.createStack(body),
  };
}
