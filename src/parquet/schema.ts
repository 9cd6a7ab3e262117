import { CONVERTED_TYPE, Empty, LogicalType, PHYSICAL_TYPE, REPETITION, SchemaElement, TimestampType, TimeUnit } from './format.js';
import { binary, bool, i32, struct, type StructValue, type ThriftValue } from './thrift.js';
import type { ParquetColumn, ParquetType } from './types.js';

type SchemaFields = { [K in (typeof SchemaElement.fields)[number][0]]?: ThriftValue };

const empty = struct(Empty, {});

/** A leaf's type fields: physical type, and for strings and timestamps the converted and logical type. */
const LEAF: Record<ParquetType, SchemaFields> = {
  DOUBLE: { type: i32(PHYSICAL_TYPE.DOUBLE) },
  INT64: { type: i32(PHYSICAL_TYPE.INT64) },
  BOOLEAN: { type: i32(PHYSICAL_TYPE.BOOLEAN) },
  STRING: { type: i32(PHYSICAL_TYPE.BYTE_ARRAY), converted_type: i32(CONVERTED_TYPE.UTF8), logicalType: struct(LogicalType, { STRING: empty }) },
  TIMESTAMP_MILLIS: {
    type: i32(PHYSICAL_TYPE.INT64),
    converted_type: i32(CONVERTED_TYPE.TIMESTAMP_MILLIS),
    logicalType: struct(LogicalType, { TIMESTAMP: struct(TimestampType, { isAdjustedToUTC: bool(true), unit: struct(TimeUnit, { MILLIS: empty }) }) }),
  },
};

const element = (fields: SchemaFields): StructValue => ({ type: SchemaElement, fields });

/**
 * The file's schema as a flat list of SchemaElements: the root, then every column optional; a list column
 * in the standard 3-level LIST layout (`optional group (LIST) { repeated group list { optional element } }`).
 */
export function parquetSchema(columns: readonly ParquetColumn[]): StructValue[] {
  const schema: StructValue[] = [element({ name: binary('root'), num_children: i32(columns.length) })];
  for (const column of columns) {
    const name = binary(column.name);
    if (column.list) {
      schema.push(
        element({
          repetition_type: i32(REPETITION.OPTIONAL),
          name,
          num_children: i32(1),
          converted_type: i32(CONVERTED_TYPE.LIST),
          logicalType: struct(LogicalType, { LIST: empty }),
        }),
        element({ repetition_type: i32(REPETITION.REPEATED), name: binary('list'), num_children: i32(1) }),
        element({ ...LEAF[column.type], repetition_type: i32(REPETITION.OPTIONAL), name: binary('element') }),
      );
    } else {
      schema.push(element({ ...LEAF[column.type], repetition_type: i32(REPETITION.OPTIONAL), name }));
    }
  }
  return schema;
}
