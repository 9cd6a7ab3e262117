import { PIPELINE_COMMENT_PREFIX } from '../../contract/state-names.js';
import type { CfnTemplate } from '../../contract/template.js';
import { assertSupported, type PolicyDocument } from './iam/policy.js';

/** Placeholder account and region the local twin substitutes for CloudFormation references. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The suffix Secrets Manager appends to a secret's name in its ARN (six random characters). */
export const LOCAL_SECRET_SUFFIX = 'Lc4lTw';

export type { CfnTemplate } from '../../contract/template.js';

export interface AmazonStatesDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  TimeoutSeconds?: number;
  [key: string]: unknown;
}

export interface StateDefinition {
  Type: string;
  Resource?: string;
  Next?: string;
  Retry?: { ErrorEquals: string[]; [key: string]: unknown }[];
  [key: string]: unknown;
}

/** The state machines inside a state: a Parallel's branches, a Map's item processor. */
export function innerMachines(state: StateDefinition): { States: Record<string, StateDefinition> }[] {
  const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, StateDefinition> } | undefined;
  return [...((state.Branches as { States: Record<string, StateDefinition> }[] | undefined) ?? []), ...(processor ? [processor] : [])];
}

/** One Lambda function of the stack, as the twin runs it. */
export interface LocalFunction {
  readonly arn: string;
  readonly roleArn: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** The ARN of the log group its runtime writes to with its role (`...:log-group:<name>:*`). */
  readonly logGroupArn?: string;
  /** X-Ray active tracing: the runtime sends traces with the function's role. */
  readonly tracing: boolean;
}

/** The state machine: its role, and whether it logs to CloudWatch Logs and traces with X-Ray. */
export interface LocalStateMachine {
  readonly roleArn: string;
  readonly logging: boolean;
  readonly tracing: boolean;
}

/** A Glue table of the stack, as CloudFormation creates it: its database and its TableInput, references resolved. */
export interface LocalTable {
  readonly database: string;
  readonly name: string;
  readonly tableInput: Readonly<Record<string, unknown>>;
}

/**
 * The parts of the synthesized stack the twin runs and enforces, with every CloudFormation reference
 * resolved to a local ARN or name: the state machine definition, each function the definition invokes,
 * and every identity and resource policy.
 */
export interface LocalStack {
  readonly stackName: string;
  readonly definition: AmazonStatesDefinition;
  readonly stateMachine: LocalStateMachine;
  /** By function ARN. */
  readonly functions: Readonly<Record<string, LocalFunction>>;
  /** Identity policies by role ARN. */
  readonly identityPolicies: Readonly<Record<string, readonly PolicyDocument[]>>;
  /** Resource policies by the ARN of the resource that holds them (a bucket, a topic, a secret). */
  readonly resourcePolicies: Readonly<Record<string, readonly PolicyDocument[]>>;
  /** The Glue tables the stack defines, by table ARN (`...:table/<database>/<name>`). */
  readonly tables: Readonly<Record<string, LocalTable>>;
}


/** Builds the local stack from a synthesized template. Throws when a reference or a policy cannot be resolved. */
export function localStackOf(template: CfnTemplate, stackName: string, pipeline?: string): LocalStack {
  const resolve = resolver(template, stackName);
  // One state machine per pipeline, told apart by its definition's Comment (`api-lake pipeline <name>: ...`).
  const machines = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([, r]) => ({ machine: r.Properties!, definition: JSON.parse(resolve(r.Properties!.DefinitionString) as string) as AmazonStatesDefinition }));
  const nameOf = (d: AmazonStatesDefinition) => String(d.Comment ?? '').slice(PIPELINE_COMMENT_PREFIX.length).split(':')[0]!;
  const chosen = pipeline === undefined && machines.length === 1 ? machines[0] : machines.find((m) => nameOf(m.definition) === pipeline);
  if (!chosen) throw new Error(`stack ${stackName} has no state machine of pipeline ${pipeline ?? '(none given)'}: it has ${machines.map((m) => nameOf(m.definition)).join(', ')}`);
  const { machine, definition } = chosen;

  const functions: Record<string, LocalFunction> = {};
  const tables: Record<string, LocalTable> = {};
  const identityPolicies: Record<string, PolicyDocument[]> = {};
  const resourcePolicies: Record<string, PolicyDocument[]> = {};
  const add = (into: Record<string, PolicyDocument[]>, arn: string, document: PolicyDocument, where: string) => {
    assertSupported(document, where);
    (into[arn] ??= []).push(document);
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::Lambda::Function': {
        if (!isPipelineFunction(id, definition, resolve)) break;
        const env = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
        const logGroup = (props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
        functions[resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string] = {
          arn: resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string,
          roleArn: resolve(props.Role) as string,
          timeoutSeconds: Number(props.Timeout ?? 3),
          memoryMb: Number(props.MemorySize ?? 128),
          environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(resolve(v))])),
          logGroupArn: logGroup === undefined ? undefined : logGroupArnOf(resolve(logGroup) as string),
          tracing: (props.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active',
        };
        break;
      }
      case 'AWS::IAM::Policy':
        for (const role of props.Roles as unknown[]) {
          add(identityPolicies, roleArnOf(resolve(role) as string), resolve(props.PolicyDocument) as PolicyDocument, `policy ${id}`);
        }
        break;
      case 'AWS::IAM::Role':
        for (const inline of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
          add(identityPolicies, resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string, resolve(inline.PolicyDocument) as PolicyDocument, `role ${id}`);
        }
        break;
      case 'AWS::S3::BucketPolicy':
        add(resourcePolicies, `arn:aws:s3:::${resolve(props.Bucket) as string}`, resolve(props.PolicyDocument) as PolicyDocument, `bucket policy ${id}`);
        break;
      case 'AWS::SNS::TopicPolicy':
        for (const topic of props.Topics as unknown[]) add(resourcePolicies, resolve(topic) as string, resolve(props.PolicyDocument) as PolicyDocument, `topic policy ${id}`);
        break;
      case 'AWS::Glue::Table': {
        const database = resolve(props.DatabaseName) as string;
        const tableInput = resolve(props.TableInput) as Record<string, unknown>;
        const name = String(tableInput.Name);
        tables[localGlueArn(`table/${database}/${name}`)] = { database, name, tableInput };
        break;
      }
      case 'AWS::SecretsManager::ResourcePolicy':
        add(resourcePolicies, resolve(props.SecretId) as string, resolve(props.ResourcePolicy) as PolicyDocument, `secret policy ${id}`);
        break;
    }
  }
  const stateMachine: LocalStateMachine = {
    roleArn: resolve(machine.RoleArn) as string,
    logging: machine.LoggingConfiguration !== undefined,
    tracing: (machine.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true,
  };
  return { stackName, definition, stateMachine, functions, identityPolicies, resourcePolicies, tables };
}

/** A log group's ARN as `Fn::GetAtt <group>.Arn` gives it (with the trailing `:*`). */
const logGroupArnOf = (name: string) => `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${name}:*`;

/** The role ARN of a role name (what `Ref` gives for an AWS::IAM::Role). */
const roleArnOf = (name: string) => `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`;

/** Only the functions the state machine invokes are run by the twin (not CDK's own custom-resource providers). */
function isPipelineFunction(id: string, definition: AmazonStatesDefinition, resolve: (v: unknown) => unknown): boolean {
  const arn = resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string;
  return JSON.stringify(definition).includes(`"${arn}"`);
}

/** A Glue resource's local ARN: `catalog`, `database/<name>`, `table/<database>/<name>`. */
export function localGlueArn(resource: string): string {
  return `arn:aws:glue:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

/** The local ARN of a secret named `name`, as Secrets Manager forms it (name, dash, six characters). */
export function localSecretArn(name: string): string {
  return `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${name}-${LOCAL_SECRET_SUFFIX}`;
}

/** A bucket's local name: the stack and the logical id, lowercase (S3 allows 63 characters). */
export function localBucketName(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}`.toLowerCase().slice(0, 63);
}

/**
 * Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`) to the twin's local
 * names and ARNs. A reference it cannot resolve is an error naming it, never a guess.
 */
function resolver(template: CfnTemplate, stackName: string): (value: unknown) => unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::StackName': stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const typeOf = (id: string) => {
    const type = template.Resources[id]?.Type;
    if (!type) throw new Error(`the local twin cannot resolve a reference to "${id}": no such resource in stack ${stackName}`);
    return type;
  };
  const arn = (service: string, rest: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${rest}`;
  const ref = (id: string): string => {
    if (id in pseudo) return pseudo[id]!;
    if (template.Parameters?.[id]) return String(template.Parameters[id].Default ?? '');
    switch (typeOf(id)) {
      case 'AWS::S3::Bucket':
        return localBucketName(stackName, id);
      case 'AWS::SNS::Topic':
        return arn('sns', id);
      case 'AWS::SQS::Queue':
        return `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${id}`;
      case 'AWS::StepFunctions::StateMachine':
        return arn('states', `stateMachine:${id}`);
      case 'AWS::Logs::LogGroup':
        return String(template.Resources[id]!.Properties?.LogGroupName ?? id);
      // Ref gives a Glue database's, table's and crawler's name, as CloudFormation documents it.
      case 'AWS::Glue::Database':
        return String((template.Resources[id]!.Properties?.DatabaseInput as { Name?: unknown } | undefined)?.Name ?? id);
      case 'AWS::Glue::Table':
        return String((template.Resources[id]!.Properties?.TableInput as { Name?: unknown } | undefined)?.Name ?? id);
      case 'AWS::Glue::Crawler':
        return String(template.Resources[id]!.Properties?.Name ?? id);
      case 'AWS::Lambda::Function':
      case 'AWS::IAM::Role':
      case 'AWS::Athena::WorkGroup':
      case 'AWS::Events::Rule':
        return id;
      default:
        throw new Error(`the local twin cannot resolve Ref ${id} (${typeOf(id)}) in stack ${stackName}`);
    }
  };
  const getAtt = (id: string, attribute: string): string => {
    const type = typeOf(id);
    if (attribute === 'Arn') {
      switch (type) {
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${ref(id)}`;
        case 'AWS::Lambda::Function':
          return arn('lambda', `function:${id}`);
        case 'AWS::IAM::Role':
          return roleArnOf(id);
        case 'AWS::Logs::LogGroup':
          return logGroupArnOf(ref(id));
        case 'AWS::SQS::Queue':
          return arn('sqs', id);
        case 'AWS::Events::Rule':
          return arn('events', `rule/${id}`);
        case 'AWS::StepFunctions::StateMachine':
          return ref(id);
      }
    }
    throw new Error(`the local twin cannot resolve Fn::GetAtt ${id}.${attribute} (${type}) in stack ${stackName}`);
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Ref') return ref(v.Ref as string);
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [id, attribute] = v['Fn::GetAtt'] as [string, string];
      return getAtt(id, attribute);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).map(String).join(separator);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const [text, variables] = typeof v['Fn::Sub'] === 'string' ? [v['Fn::Sub'], {}] : (v['Fn::Sub'] as [string, Record<string, unknown>]);
      return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        if (name in variables) return String(resolve(variables[name]));
        const [id, attribute] = name.split('.');
        return attribute === undefined ? ref(id!) : getAtt(id!, attribute);
      });
    }
    if (keys.some((k) => k.startsWith('Fn::'))) throw new Error(`the local twin cannot resolve ${keys.join(', ')} in stack ${stackName}`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}
