import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** One execution as the Step Functions stand-in keeps it. */
export interface StandInExecution {
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

export interface ControlPlaneOptions {
  /** CloudFormation: the stacks that exist, by name, with their outputs. */
  readonly stacks: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Step Functions: runs an execution (the twin, in the tests) and says how it ended. */
  readonly runExecution: (input: unknown, name: string) => Promise<Omit<StandInExecution, 'executionArn' | 'name' | 'input' | 'startDate' | 'stopDate'>>;
  readonly stateMachineArn: string;
  /** Athena: the curated objects of the table as S3 holds them, and the database and workgroup it is queried in. */
  readonly athena: {
    readonly objects: (prefix: string) => Promise<{ key: string; body: Uint8Array }[]>;
    readonly database: string;
    readonly table: string;
    readonly workGroup: string;
    /** The table's partition keys as the catalog types them (the stack's table: dt string, hour int; a crawler's: both string). */
    readonly partitionKeys: readonly { readonly Name: string; readonly Type: string }[];
  };
}

export interface ControlPlane {
  readonly endpoint: string;
  readonly executions: StandInExecution[];
  readonly queries: string[];
  close(): Promise<void>;
}

/**
 * CloudFormation (DescribeStacks, query protocol and XML), Step Functions (StartExecution, DescribeExecution,
 * ListExecutions, JSON 1.0) and Athena (StartQueryExecution, GetQueryExecution, GetQueryResults, JSON 1.1)
 * on one port of 127.0.0.1, as the SDK clients of the CLI call them. Executions run through the twin; Athena
 * runs its SQL with DuckDB over the curated objects as they are in S3.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const executions: StandInExecution[] = [];
  const queries: string[] = [];
  const results = new Map<string, { state: string; reason?: string; columns: string[]; rows: string[][] }>();
  const server: Server = createServer(async (req, res) => {
    const body = await text(req);
    const json = (status: number, value: unknown, type = 'application/x-amz-json-1.0') => res.writeHead(status, { 'content-type': type }).end(JSON.stringify(value));
    const target = String(req.headers['x-amz-target'] ?? '');
    try {
      if (target.startsWith('AWSStepFunctions.')) return json(200, await stepFunctions(target.slice('AWSStepFunctions.'.length), JSON.parse(body)));
      if (target.startsWith('AmazonAthena.')) return json(200, await athena(target.slice('AmazonAthena.'.length), JSON.parse(body)), 'application/x-amz-json-1.1');
      const form = new URLSearchParams(body);
      if (form.get('Action') === 'DescribeStacks') return cloudFormation(form, res);
      json(400, { __type: 'UnknownOperationException', message: `${target || form.get('Action')} is not served here` });
    } catch (error) {
      const e = error as Error & { status?: number };
      json(e.status ?? 400, { __type: e.name, message: e.message });
    }
  });

  function cloudFormation(form: URLSearchParams, res: import('node:http').ServerResponse): void {
    const name = form.get('StackName') ?? '';
    const outputs = options.stacks[name];
    if (!outputs) {
      res.writeHead(400, { 'content-type': 'text/xml' }).end(
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    const members = Object.entries(outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('');
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${name}/1</StackId><CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  }

  async function stepFunctions(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const view = (e: StandInExecution) => ({ ...e, stateMachineArn: options.stateMachineArn });
    switch (operation) {
      case 'StartExecution': {
        if (input.stateMachineArn !== options.stateMachineArn) throw Object.assign(new Error(`State Machine Does Not Exist: '${String(input.stateMachineArn)}'`), { name: 'StateMachineDoesNotExist' });
        const name = String(input.name ?? randomUUID());
        const execution: StandInExecution = { executionArn: `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, name, status: 'RUNNING', input: String(input.input ?? '{}'), startDate: Date.now() / 1000 };
        executions.push(execution);
        void options.runExecution(JSON.parse(execution.input), name).then((ended) => Object.assign(execution, ended, { stopDate: Date.now() / 1000 }));
        return { executionArn: execution.executionArn, startDate: execution.startDate };
      }
      case 'DescribeExecution': {
        const execution = executions.find((e) => e.executionArn === input.executionArn);
        if (!execution) throw Object.assign(new Error(`Execution Does Not Exist: '${String(input.executionArn)}'`), { name: 'ExecutionDoesNotExist' });
        return view(execution);
      }
      case 'ListExecutions':
        return { executions: executions.filter((e) => !input.statusFilter || e.status === input.statusFilter).map(({ input: _i, output: _o, ...e }) => view(e as StandInExecution)).reverse() };
      default:
        throw Object.assign(new Error(`${operation} is not served by the stand-in`), { name: 'UnknownOperationException' });
    }
  }

  async function athena(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const { athena: a } = options;
    switch (operation) {
      case 'StartQueryExecution': {
        if (input.WorkGroup !== a.workGroup) throw Object.assign(new Error(`WorkGroup ${String(input.WorkGroup)} is not found.`), { name: 'InvalidRequestException' });
        const id = randomUUID();
        const sql = String(input.QueryString);
        queries.push(sql);
        results.set(id, await runQuery(sql).catch((error: Error) => ({ state: 'FAILED', reason: error.message.split('\n')[0], columns: [], rows: [] })));
        return { QueryExecutionId: id };
      }
      case 'GetQueryExecution': {
        const result = results.get(String(input.QueryExecutionId));
        return { QueryExecution: { QueryExecutionId: input.QueryExecutionId, Status: { State: result?.state ?? 'FAILED', StateChangeReason: result?.reason } } };
      }
      case 'GetQueryResults': {
        const result = results.get(String(input.QueryExecutionId))!;
        const row = (values: string[]) => ({ Data: values.map((v) => ({ VarCharValue: v })) });
        return { ResultSet: { Rows: [row(result.columns), ...result.rows.map(row)], ResultSetMetadata: { ColumnInfo: result.columns.map((Name) => ({ Name, Type: 'varchar' })) } } };
      }
      default:
        throw Object.assign(new Error(`${operation} is not served by the stand-in`), { name: 'UnknownOperationException' });
    }
  }

  /** The SQL with DuckDB over the table's Parquet objects as S3 holds them, the table in its database's schema. */
  async function runQuery(sql: string): Promise<{ state: string; columns: string[]; rows: string[][] }> {
    const { athena: a } = options;
    const dir = mkdtempSync(join(tmpdir(), 'api-lake-athena-'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const objects = (await a.objects(`${a.table}/`)).filter((o) => o.key.endsWith('.parquet'));
      for (const { key, body } of objects) {
        mkdirSync(dirname(join(dir, key)), { recursive: true });
        writeFileSync(join(dir, key), body);
      }
      await connection.run(`CREATE SCHEMA "${a.database}"`);
      if (objects.length) {
        const keys = a.partitionKeys.map((k) => `CAST("${k.Name}" AS ${k.Type === 'int' ? 'INTEGER' : 'VARCHAR'}) AS "${k.Name}"`);
        await connection.run(
          `CREATE VIEW "${a.database}"."${a.table}" AS SELECT * EXCLUDE (${a.partitionKeys.map((k) => `"${k.Name}"`).join(', ')}), ${keys.join(', ')} FROM read_parquet('${join(dir, a.table)}/**/*.parquet', hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`,
        );
      }
      const reader = await connection.runAndReadAll(sql);
      return { state: 'SUCCEEDED', columns: reader.columnNames(), rows: reader.getRowsJson().map((r) => r.map(String)) };
    } finally {
      connection.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    executions,
    queries,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function text(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
