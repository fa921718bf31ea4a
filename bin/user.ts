// The admin command for people, API tokens and device credentials:
//   npm run user -- set-password <person-id>            (reads the password from stdin or a prompt)
//   npm run user -- token create <name> --role engineer [--role manager]
//   npm run user -- token list | token revoke <id>
//   npm run user -- device set <username> --line tcm1 --equipment stand3 [--equipment exit]
//   npm run user -- device set <username> --sparkplug <group>/<edge node>   (a Sparkplug B edge node)
//   npm run user -- device list | device remove <username>
// It writes only hashes, to credentials.json in DATA_DIR; the running service picks changes up.
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { ROLES, type Role } from '../core/people.ts'

const usage = `usage:
  npm run user -- set-password <person-id>
  npm run user -- token create <name> --role <role> [--role <role>]
  npm run user -- token list
  npm run user -- token revoke <id>
  npm run user -- device set <username> --line <line|*> --equipment <equipment|*> [...]
  npm run user -- device set <username> --sparkplug <group>/<edge node> [...]
  npm run user -- device list
  npm run user -- device remove <username>
roles: ${ROLES.join(', ')}`

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`)
  process.exit(2)
}

async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = ''
    for await (const chunk of process.stdin) text += chunk
    return text.replace(/\r?\n$/, '')
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
  const answer = await rl.question(prompt)
  rl.close()
  return answer
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string', multiple: true }, line: { type: 'string', multiple: true }, equipment: { type: 'string', multiple: true }, sparkplug: { type: 'string', multiple: true }, help: { type: 'boolean' } },
})
if (values.help || positionals.length === 0) fail('')
const config = loadConfig(process.env)
const creds = new Credentials(config.dataDir)
const [cmd, sub, arg] = positionals

if (cmd === 'set-password') {
  const id = sub ?? fail('set-password needs a person id')
  if (!config.people.byId.has(id)) fail(`no person "${id}" in ${config.configDir}/people.yaml`)
  await creds.setPassword(id, await readSecret(`new password for ${id}: `)).catch((e: Error) => fail(e.message))
  process.stdout.write(`password set for ${id}\n`)
} else if (cmd === 'token' && sub === 'create') {
  const name = arg ?? fail('token create needs a name')
  const roles = (values.role ?? []) as Role[]
  if (roles.length === 0) fail('token create needs at least one --role')
  const bad = roles.filter((r) => !ROLES.includes(r))
  if (bad.length) fail(`unknown role ${bad.join(', ')}`)
  const { id, token } = creds.createToken(name, roles, 'cli')
  process.stdout.write(`token ${id} (${name}: ${roles.join(', ')}) — shown once, keep it secret:\n${token}\n`)
} else if (cmd === 'token' && sub === 'list') {
  for (const t of creds.listTokens()) process.stdout.write(`${t.id}  ${t.name}  ${t.roles.join(',')}  created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}\n`)
} else if (cmd === 'token' && sub === 'revoke') {
  if (!creds.revokeToken(arg ?? fail('token revoke needs an id'))) fail(`no live token "${arg}"`)
  process.stdout.write(`token ${arg} revoked\n`)
} else if (cmd === 'device' && sub === 'set') {
  const name = arg ?? fail('device set needs a username')
  // A Sparkplug B edge node publishes only under spBv1.0/{group}/+/{edge}/# (broker/acl-sparkplug.ts).
  const sparkplug = (values.sparkplug ?? []).map((s) => {
    const [group, edge, ...rest] = s.split('/')
    if (!group || !edge || rest.length || /[+#]/.test(s)) fail(`--sparkplug ${s}: must be <group>/<edge node>`)
    return { group, edge }
  })
  const [lines, equipment] = [values.line ?? [], values.equipment ?? []]
  if (!sparkplug.length && (!lines.length || !equipment.length)) fail('device set needs --line and --equipment (use * for any), or --sparkplug')
  if (!lines.length !== !equipment.length) fail('device set needs both --line and --equipment, or neither')
  await creds.setDevice(name, await readSecret(`password for device ${name}: `), lines, equipment, sparkplug).catch((e: Error) => fail(e.message))
  const what = [lines.length ? `lines ${lines.join(',')} equipment ${equipment.join(',')}` : '', sparkplug.length ? `Sparkplug edge nodes ${values.sparkplug!.join(',')}` : '']
  process.stdout.write(`device ${name} may publish for ${what.filter(Boolean).join(' and ')}\n`)
} else if (cmd === 'device' && sub === 'list') {
  for (const [name, d] of Object.entries(creds.devices()))
    process.stdout.write(`${name}  lines ${d.lines.join(',')}  equipment ${d.equipment.join(',')}${d.sparkplug ? `  sparkplug ${d.sparkplug.map((n) => `${n.group}/${n.edge}`).join(',')}` : ''}  created ${d.createdAt}\n`)
} else if (cmd === 'device' && sub === 'remove') {
  if (!creds.removeDevice(arg ?? fail('device remove needs a username'))) fail(`no device "${arg}"`)
  process.stdout.write(`device ${arg} removed\n`)
} else fail(`unknown command "${positionals.join(' ')}"`)
