// No CDK imports here: the local twin reads these names without loading aws-cdk-lib.

/** State names: the local twin maps its handlers by these, so they are part of the contract. */
export const STATE = {
  checkInput: 'CheckInput',
  useStoredRaw: 'UseStoredRaw',
  fetch: 'Fetch',
  transform: 'Transform',
  inputInvalid: 'InputInvalid',
  fetchFailed: 'FetchFailed',
  transformFailed: 'TransformFailed',
  notifyFailure: 'NotifyFailure',
  notifySkipped: 'NotifySkipped',
  failed: 'Failed',
  hourSkipped: 'HourSkipped',
  succeeded: 'Succeeded',
} as const;
