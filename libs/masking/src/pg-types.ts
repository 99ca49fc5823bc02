/**
 * What to do with a column by its Postgres type OID (pg_type.dat). The rule of
 * thumb: a type whose text form can only be a boolean, a bounded number, a
 * date/time, a UUID or an interval cannot hold an email, a token or a card
 * number, so it is skipped. int8 and numeric can hold a 16-digit card number,
 * so they are checked for cards only (a bare 9-digit SSN or a phone stored as a
 * number needs a column rule). Anything unknown (user types, enums, composites,
 * domains over text, arrays of text) is scanned: fail closed.
 */

export type TypeClass = 'skip' | 'text' | 'json' | 'jsonb' | 'numeric' | 'inet';

const SKIP = [
  16, // bool
  18, // "char"
  21, // int2
  23, // int4
  24, // regproc
  26, // oid
  27, // tid
  28, // xid
  29, // cid
  700, // float4
  701, // float8
  774, // macaddr8
  790, // money
  829, // macaddr
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1186, // interval
  1266, // timetz
  1560, // bit
  1562, // varbit
  2205, // regclass
  2206, // regtype
  2950, // uuid
  3220, // pg_lsn
  3904, // int4range
  3908, // tsrange
  3910, // tstzrange
  3912, // daterange
  1000, // bool[]
  1005, // int2[]
  1007, // int4[]
  1021, // float4[]
  1022, // float8[]
  1115, // timestamp[]
  1182, // date[]
  1185, // timestamptz[]
  2951, // uuid[]
  // bytea (17): its text form is \x-hex, which no detector can read; masking it needs a column rule.
  17,
];

const NUMERIC = [20, 1700, 1016, 1231, 3926, 3906]; // int8, numeric, int8[], numeric[], int8range, numrange
const INET = [869, 650]; // inet, cidr

/** Types whose binary format is the UTF-8 text itself (jsonb adds a version byte). */
const BINARY_IS_TEXT = new Set([25, 1043, 1042, 19, 705, 114, 142, 3802]);

const CLASS = new Map<number, TypeClass>();
for (const o of SKIP) CLASS.set(o, 'skip');
for (const o of NUMERIC) CLASS.set(o, 'numeric');
for (const o of INET) CLASS.set(o, 'inet');
CLASS.set(114, 'json');
CLASS.set(3802, 'jsonb');

export function typeClass(oid: number): TypeClass {
  return CLASS.get(oid) ?? 'text';
}

export function binaryIsText(oid: number): boolean {
  return BINARY_IS_TEXT.has(oid);
}

