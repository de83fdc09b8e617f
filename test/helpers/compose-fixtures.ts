/** Compose files for tests and benches; all use the offline test image and stop at once. */
const svc = (name: string, command: string) =>
  `  ${name}:\n    image: berth-test/busybox:latest\n    command: ${command}\n    stop_signal: SIGKILL\n`;

/** Two long-running services: an HTTP server and a sleeper. */
export const WEB_AND_WORKER = `services:\n${svc('web', 'httpd -f -p 8080')}${svc('worker', 'sleep 3600')}`;

/** WEB_AND_WORKER plus `init`, a one-shot that exits 0. */
export const WITH_ONE_SHOT = `${WEB_AND_WORKER}  init:\n    image: berth-test/busybox:latest\n    command: echo ready\n`;
