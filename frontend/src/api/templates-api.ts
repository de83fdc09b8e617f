import type { SaveTemplateRequest, TemplateValues } from '../../../common/templates';
import { call } from './http';

export const templatesApi = {
  list: () => call('listTemplates'),
  get: (id: string) => call('getTemplate', { params: { id } }),
  remove: (id: string) => call('deleteTemplate', { params: { id } }),
  save: (body: SaveTemplateRequest) => call('saveTemplate', { body }),
  importFile: (catalogue: unknown) => call('importTemplates', { body: { catalogue } }),
  importUrl: (url: string) => call('importTemplates', { body: { url } }),
  createStack: (name: string, template: string, values: TemplateValues) =>
    call('createStackFromTemplate', { body: { name, template, values } }),
};
