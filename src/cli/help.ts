/**
 * How `baton --help` is laid out: the verbs in four groups (run, inspect, act, offline), and an
 * `Examples:` block on every verb's help (`controller` keeps its own, beside its Kubernetes flags). Kept here, beside no verb, so one look shows the whole
 * command line, and a verb added without a group or examples fails test/cli/help.test.ts.
 */
import { Command } from 'commander';

/** The help group of each top-level verb, in the order `baton --help` lists the groups. */
export const HELP_GROUPS: Record<string, readonly string[]> = {
  'Run (start and stop Baton):': ['up', 'down', 'controller', 'gateway', 'metrics'],
  'Inspect (read what the controller runs):': ['list', 'get', 'status', 'history', 'logs', 'events'],
  'Act (change what runs):': ['apply', 'promote', 'abort', 'retry', 'pause', 'resume', 'undo', 'restart', 'set'],
  'Offline (no controller needed):': ['lint', 'simulate', 'migrate', 'version', 'help'],
};

/** Examples shown at the end of each verb's help. */
export const EXAMPLES: Record<string, readonly string[]> = {
  up: ['baton up -f k8s/', 'baton up -f k8s/ --detach && export BATON_STATE_DIR=$PWD/.baton', 'baton up -f k8s/ --time-scale 0.1 --listen 127.0.0.1:8081 --api 127.0.0.1:7071'],
  down: ['baton down', 'baton down --keep-services', 'baton down --timeout 5m'],
  gateway: [
    'baton gateway --listen 127.0.0.1:8080 --admin 127.0.0.1:9901 --state-dir /var/lib/baton-gw',
    'curl -H "Authorization: Bearer $(cat /var/lib/baton-gw/admin.token)" http://127.0.0.1:9901/config',
  ],
  metrics: ['baton metrics serve --config prometheus.yml --listen 127.0.0.1:9090 --retention 2h'],
  list: ['baton list', 'baton list -o yaml'],
  get: ['baton get rollout frontend', 'baton get frontend --watch', 'baton get deployment backend -o json'],
  status: ['baton status frontend', 'baton status frontend --timeout 5m && echo healthy'],
  history: ['baton history frontend'],
  logs: ['baton logs frontend --tail 20', 'baton logs frontend --revision 2'],
  events: ['baton events', 'baton events frontend --watch', 'baton events --limit 50 -o yaml'],
  apply: ['baton apply -f k8s/backend.yaml              # the frontend in force stays', 'baton apply -f k8s/ --prune --dry-run        # what a whole-set apply would delete', 'baton apply -f k8s/ --prune'],
  promote: ['baton promote frontend', 'baton promote frontend --full'],
  abort: ['baton abort frontend'],
  retry: ['baton retry frontend'],
  pause: ['baton pause frontend'],
  resume: ['baton resume frontend'],
  undo: ['baton undo frontend', 'baton undo frontend --to-revision 2'],
  restart: ['baton restart backend'],
  set: ['baton set image frontend frontend=shop:v2', "baton set image backend '*=shop-api:v3'"],
  lint: ['baton lint k8s/', 'baton lint k8s/rollout.yaml --json'],
  simulate: ['baton simulate -f k8s/ --scenario bad-release.yaml', 'baton simulate -f k8s/ --scenario s.yaml --rollout frontend --json'],
  migrate: ['baton migrate lint migrations/', 'baton migrate status --manifest k8s/schema.yaml', 'baton migrate expand --manifest k8s/schema.yaml'],
  version: ['baton version', 'baton --version'],
};

/** Puts every top-level verb in its group and appends its examples to its help. */
export function layOutHelp(program: Command): void {
  for (const [group, names] of Object.entries(HELP_GROUPS)) {
    for (const name of names) {
      const verb = program.commands.find((c) => c.name() === name);
      verb?.helpGroup(group);
      const examples = EXAMPLES[name];
      if (verb && examples) verb.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n`);
    }
  }
  program.addHelpCommand(new Command('help').argument('[verb]').description('Show the help of a verb').helpGroup('Offline (no controller needed):'));
}
