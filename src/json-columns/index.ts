/**
 * A reader of JSON text straight into columns: records are read field by field into a RecordSink, without
 * building the objects JSON.parse would. README.md in this directory says what it reads and what it hands
 * back to JSON.parse. Its only entry: nothing outside src/json-columns imports its files.
 */
export { JsonColumnsReader } from './reader.js';
export type { RecordSink } from './sink.js';
