/**
 * A small Parquet writer: V1 data pages, Snappy, dictionary encoding, statistics (README.md in this
 * directory states the supported subset). Its only entry: nothing outside src/parquet imports its files.
 */
export { ParquetFileWriter, ROW_GROUP_ROWS } from './file-writer.js';
export { MAX_DICTIONARY_BYTES } from './dictionary.js';
export { PAGE_BYTES } from './pages.js';
export { PlainStrings, PlainStringsBuilder } from './plain-strings.js';
export type { ParquetColumn, ParquetType, ParquetValue } from './types.js';
