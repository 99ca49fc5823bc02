import type { ApiClient } from '../lib/api';
import { CliError } from '../lib/errors';
import type { CurrentState, Plan, Step } from './plan';

const CONNECTION = 'name kind host port database pool tls { mode ca serverName } guardrails masking reviewTimeoutSeconds credentials { profile username }';

export async function fetchState(api: ApiClient): Promise<CurrentState> {
  return api.request<CurrentState>(`query AirlockApplyState {
    connections { ${CONNECTION} }
    serviceAccounts { name roles }
    grants: accessGrants { id subject connection profile expiresAt reason source }
  }`);
}

const RETURNS: Record<Step['mutation'], string> = {
  createConnection: 'name',
  updateConnection: 'name',
  deleteConnection: 'name',
  setConnectionPolicy: 'name',
  createServiceAccount: 'serviceAccount { name } apiKey',
  grantAccess: 'id',
  revokeAccess: 'id',
};

const INPUT_TYPES: Record<Step['mutation'], string> = {
  createConnection: 'CreateConnectionInput',
  updateConnection: 'UpdateConnectionInput',
  deleteConnection: 'DeleteConnectionInput',
  setConnectionPolicy: 'SetConnectionPolicyInput',
  createServiceAccount: 'CreateServiceAccountInput',
  grantAccess: 'GrantAccessInput',
  revokeAccess: 'RevokeAccessInput',
};

/** Runs the plan's mutations in order; prints each change as it lands, and each new API key once. */
export async function execute(api: ApiClient, p: Plan, out: (line: string) => void): Promise<void> {
  for (const change of p.changes) {
    for (const step of change.steps) {
      const data = await api
        .request<Record<string, { apiKey?: string; serviceAccount?: { name: string } }>>(
        `mutation AirlockApply($input: ${INPUT_TYPES[step.mutation]}!) { ${step.mutation}(input: $input) { ${RETURNS[step.mutation]} } }`,
          { input: dropUndefined(step.input) },
        )
        .catch((err: Error) => {
          throw new CliError(`${err.message}\nairlock: stopped at "${change.op} ${change.line}"; the changes printed above were applied: fix the cause and run apply again`);
        });
      const result = data[step.mutation];
      if (step.mutation === 'createServiceAccount' && result?.apiKey) {
        out(`  API key for service account ${result.serviceAccount?.name}: ${result.apiKey}\n  (shown once, only its hash is stored: save it now)`);
      }
    }
    out(`${change.op} ${change.line}`);
  }
}

function dropUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
