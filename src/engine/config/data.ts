/** What the engine tells the page about a loaded image dataset, and files as the page hands them over. */
export interface DatasetInfo {
  name: string;
  trainCount: number;
  validationCount: number;
  testCount: number;
  classCounts: number[];
}

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}
