import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TABLE_INPUT_FIELDS } from '../../src/adapters/aws/glue-catalog.js';
import { deniedMessage, type LocalAccess, type RoleSession } from '../../src/cli/twin/iam/access.js';
import { localGlueArn } from '../../src/cli/twin/local-stack.js';
import { sigV4Mismatch } from './aws-signature.js';

/** A table as the stand-in holds it: its TableInput fields, its version, and what Glue adds (database, times, ids). */
export type StoredTable = Record<string, unknown> & { VersionId: string };

export interface GlueState {
  /** Tables by `<database>.<name>`. */
  readonly tables: Map<string, StoredTable>;
  /** The operations called, in order: `GetTable db.t`. */
  readonly calls: string[];
  /** Answer that many requests with 400 ThrottlingException, as Glue throttles. */
  throttleNext: number;
  /** Answer that many requests with 500 InternalServiceException. */
  failNext: number;
  /** Before the next UpdateTable, change the table behind the caller's back (another execution's update). */
  interleave?: () => void;
}

export interface GlueStandIn {
  readonly endpoint: string;
  readonly state: GlueState;
  close(): Promise<void>;
}

/**
 * Glue's GetTable and UpdateTable on 127.0.0.1, over its JSON protocol, refusing what Glue refuses: a request
 * whose SigV4 signature the SDK's signer does not reproduce; with `iam`, a caller whose role may not act on the
 * catalog, the database and the table (AccessDeniedException, as Glue requires all three); a TableInput field
 * UpdateTable does not take (GetTable returns more fields than UpdateTable accepts); a stale VersionId
 * (ConcurrentModificationException); a table that is not there (EntityNotFoundException). GetTable answers
 * with the extra fields Glue adds, so a client that sends a table back as read is caught.
 */
export async function startGlue(options: {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  tables?: Record<string, Record<string, unknown>>;
  iam?: { access: LocalAccess; callers: Readonly<Record<string, RoleSession>> };
}): Promise<GlueStandIn> {
  const state: GlueState = { tables: new Map(), calls: [], throttleNext: 0, failNext: 0 };
  for (const [key, input] of Object.entries(options.tables ?? {})) state.tables.set(key, { ...input, VersionId: '1' });
  const accepted = new Set<string>(TABLE_INPUT_FIELDS);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
      const error = (type: string, message: string) => reply(type === 'InternalServiceException' ? 500 : 400, { __type: type, Message: message });
      if (state.failNext > 0) return state.failNext--, error('InternalServiceException', 'Internal service error');
      if (state.throttleNext > 0) return state.throttleNext--, error('ThrottlingException', 'Rate exceeded');
      const mismatch = await sigV4Mismatch(req, body, { ...options.credentials, region: options.region, service: 'glue' });
      if (mismatch) return error('InvalidSignatureException', mismatch);
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '');
      const input = JSON.parse(body.toString()) as { DatabaseName?: string; Name?: string; TableInput?: Record<string, unknown>; VersionId?: string };
      const name = input.Name ?? String(input.TableInput?.Name ?? '');
      const key = `${input.DatabaseName}.${name}`;
      state.calls.push(`${operation} ${key}`);
      if (options.iam) {
        const caller = options.iam.callers[String(req.headers['x-amz-security-token'] ?? '')];
        if (!caller) return error('UnrecognizedClientException', 'The security token included in the request is invalid.');
        for (const resource of [localGlueArn('catalog'), localGlueArn(`database/${input.DatabaseName}`), localGlueArn(`table/${input.DatabaseName}/${name}`)]) {
          const decision = options.iam.access.decide(caller, `glue:${operation}`, resource);
          if (!decision.allowed) return error('AccessDeniedException', deniedMessage(caller, `glue:${operation}`, resource, decision));
        }
      }
      const table = state.tables.get(key);
      switch (operation) {
        case 'GetTable':
          if (!table) return error('EntityNotFoundException', `Table ${name} not found.`);
          return reply(200, {
            Table: { ...table, DatabaseName: input.DatabaseName, CreateTime: 1764000000, UpdateTime: 1764000000, IsRegisteredWithLakeFormation: false, CatalogId: '000000000000', DatabaseId: 'd-1', IsRowFilteringEnabled: false },
          });
        case 'UpdateTable': {
          const unknown = Object.keys(input.TableInput ?? {}).filter((field) => !accepted.has(field));
          if (unknown.length) return error('InvalidInputException', `TableInput does not take ${unknown.join(', ')}`);
          if (!table) return error('EntityNotFoundException', `Table ${name} not found.`);
          state.interleave?.();
          state.interleave = undefined;
          const current = state.tables.get(key)!;
          if (input.VersionId !== undefined && input.VersionId !== current.VersionId) return error('ConcurrentModificationException', 'Update table failed due to concurrent modifications.');
          state.tables.set(key, { ...input.TableInput, VersionId: String(Number(current.VersionId) + 1) });
          return reply(200, {});
        }
        default:
          return error('UnknownOperationException', `${operation} is not served here`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
