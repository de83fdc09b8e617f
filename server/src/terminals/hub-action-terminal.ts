import type { ActionTerminal } from '../compose/action-terminal.js';
import type { TerminalHub } from './terminal-hub.js';

/** Runs compose actions in the hub's read-only terminals (`stack:<name>`). */
export class HubActionTerminal implements ActionTerminal {
  constructor(private readonly hub: TerminalHub) {}

  async run(
    id: string,
    file: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; onData: (chunk: string) => void },
  ): Promise<number> {
    const { exited } = this.hub.spawn(id, file, [...args], {
      cwd: options.cwd,
      env: options.env,
      interactive: false,
      onData: options.onData,
    });
    return exited;
  }

  note(id: string, text: string): void {
    this.hub.note(id, text);
  }
}
