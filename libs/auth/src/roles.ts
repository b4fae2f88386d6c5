/**
 * Who may do what (ADR 0600). Framework-free: the router's REST and gRPC controllers and the AI
 * worker's routes each declare one permission, and `can` answers from this matrix alone.
 */
export const ROLES = ['admin', 'supervisor', 'agent', 'service'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'tenants.manage', // the platform operator only (API_KEY)
  'api-keys.manage',
  'people.manage',
  'sessions.own', // who am I, sign out: every credential
  'channel-accounts.manage',
  'conversations.read',
  'conversations.reply',
  'conversations.resolve',
  'conversations.assign',
  'conversations.transfer',
  'conversations.correct-intent',
  'conversations.notes', // internal notes: people of the desk only, never an integration, never the customer
  'conversations.presence', // who else has a conversation open or is typing (collision detection)
  'agents.read',
  'agents.write',
  'agents.presence',
  'skill-groups.read',
  'skill-groups.write',
  'experiments.read',
  'experiments.write',
  'reports.read',
  'customers.read',
  'customers.link',
  'customers.tier',
  'personal-data.manage',
  'media.read',
  'media.upload',
  'canned-responses.read',
  'canned-responses.write',
  'events.read',
  'nlu.read',
  'nlu.write',
  'settings.manage', // the tenant settings API and its audit log (admin)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What an agent works with every day; the other roles start from it. */
const DESK: readonly Permission[] = [
  'sessions.own', 'conversations.read', 'conversations.reply', 'conversations.resolve', 'conversations.assign', 'conversations.transfer',
  'agents.read', 'agents.presence', 'skill-groups.read', 'customers.read', 'media.read', 'media.upload', 'events.read',
  'conversations.notes', 'conversations.presence', 'canned-responses.read',
];

const GRANTS: Record<Role, readonly Permission[]> = {
  agent: DESK,
  supervisor: [...DESK, 'canned-responses.write', 'conversations.correct-intent', 'customers.link', 'customers.tier', 'experiments.read', 'reports.read', 'nlu.read'],
  // An integration (CRM, bot, BI): reads, replies as the agent its key names, no settings.
  service: [
    'sessions.own', 'conversations.read', 'conversations.reply', 'conversations.resolve', 'agents.read', 'skill-groups.read',
    'customers.read', 'reports.read', 'media.read', 'media.upload', 'events.read',
  ],
  admin: PERMISSIONS.filter((p) => p !== 'tenants.manage'),
};

const MATRIX: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(GRANTS.admin),
  supervisor: new Set(GRANTS.supervisor),
  agent: new Set(GRANTS.agent),
  service: new Set(GRANTS.service),
};

/** Whether a role holds a permission (the operator holds all, see `Caller`). */
export function roleCan(role: Role, permission: Permission): boolean {
  return MATRIX[role].has(permission);
}

/** The matrix as a table (docs, the OpenAPI description). */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((r) => roleCan(r, permission));
}
