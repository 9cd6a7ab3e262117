import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { STATE } from '../../src/contract/state-names.js';
import type { PipelineConfig } from '../../src/core/config.js';
import { requestsOf } from '../../src/core/source-config.js';

/**
 * The request chains of an hour as states: PlanRequests puts the hour's requests (one per fan-out value, or one)
 * in the state; FetchRequests, an inline Map with the configured MaxConcurrency, runs each as a chain of Fetch
 * invocations (MorePages loops while Fetch hands on a continuation), and collects what each stored (RequestDone).
 * A request that fails after its retries fails the Map, and Step Functions stops the others: the hour is all or
 * nothing, and the Map's Catch takes it to the skip or the failure path as a single Fetch would.
 *
 * Only definite paths (one value each) are used: filters and wildcards give arrays on AWS but single values or
 * errors in the twin's library, so a definition with them would not run alike in both.
 */
export function requestStates(scope: Construct, config: PipelineConfig, fetch: sfn.TaskStateBase): { start: sfn.Pass; map: sfn.Map } {
  // Indices only: Fetch finds the request's parameters in its config; the plan stays small in the state.
  const requests = requestsOf(config.source).map(({ index }) => ({ index }));
  const plan = new sfn.Pass(scope, STATE.planRequests, { result: sfn.Result.fromObject({ requests }), resultPath: '$.plan' });
  const done = new sfn.Pass(scope, STATE.requestDone, {
    parameters: { 'request.$': '$.request.index', 'firstKey.$': '$.fetch.firstKey', 'pages.$': '$.fetch.pages', 'bytes.$': '$.fetch.bytes' },
  });
  fetch.next(new sfn.Choice(scope, STATE.morePages).when(sfn.Condition.isPresent('$.fetch.continuation'), fetch).otherwise(done));
  const map = new sfn.Map(scope, STATE.fetchRequests, {
    itemsPath: '$.plan.requests',
    // The execution input whole: `allowCurrentData` may be missing, and a path to a missing field fails the state.
    itemSelector: { 'execution.$': '$$.Execution.Input', 'request.$': '$$.Map.Item.Value' },
    maxConcurrency: config.source.fanOut?.concurrency ?? 1,
    resultPath: '$.fetch',
  });
  map.itemProcessor(fetch);
  plan.next(map);
  return { start: plan, map };
}
