// The contract between the stack (infra/) and the local twin (src/cli/twin/): neither imports the other for it.

/** State names: the local twin maps its handlers by these, so they are part of the contract. */
export const STATE = {
  checkInput: 'CheckInput',
  useStoredRaw: 'UseStoredRaw',
  planRequests: 'PlanRequests',
  fetchRequests: 'FetchRequests',
  fetch: 'Fetch',
  morePages: 'MorePages',
  requestDone: 'RequestDone',
  prepareTransform: 'PrepareTransform',
  transform: 'Transform',
  inputInvalid: 'InputInvalid',
  fetchFailed: 'FetchFailed',
  transformFailed: 'TransformFailed',
  notifyFailure: 'NotifyFailure',
  notifySkipped: 'NotifySkipped',
  schemaChanged: 'SchemaChanged',
  notifySchemaChanged: 'NotifySchemaChanged',
  failed: 'Failed',
  hourSkipped: 'HourSkipped',
  succeeded: 'Succeeded',
} as const;

/** A state machine's definition Comment starts with this and its pipeline's name: `api-lake pipeline weather: ...`. */
export const PIPELINE_COMMENT_PREFIX = 'api-lake pipeline ';
