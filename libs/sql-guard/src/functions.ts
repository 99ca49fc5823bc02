import type { FindingCode } from './types';

/**
 * Built-in functions that only read and have no side effect. Anything not listed here, and
 * any call qualified with a schema other than pg_catalog, is "unknown" and goes to review:
 * a user function can write, and its body is not visible to the gateway.
 */
const SAFE = `
count sum avg min max every bool_and bool_or array_agg string_agg json_agg jsonb_agg json_object_agg
jsonb_object_agg stddev stddev_pop stddev_samp variance var_pop var_samp percentile_cont percentile_disc
mode rank dense_rank row_number ntile lag lead first_value last_value nth_value percent_rank cume_dist
corr covar_pop covar_samp regr_slope regr_intercept grouping
lower upper initcap length char_length character_length octet_length bit_length substr substring
trim btrim ltrim rtrim lpad rpad replace translate reverse repeat split_part strpos position left right
concat concat_ws format quote_ident quote_literal quote_nullable md5 sha224 sha256 sha384 sha512 encode decode
to_char to_date to_number to_timestamp ascii chr regexp_replace regexp_match regexp_matches regexp_split_to_array
regexp_split_to_table regexp_like regexp_count regexp_instr regexp_substr starts_with string_to_array
array_to_string unnest array_length array_lower array_upper array_position array_positions array_remove
array_replace array_append array_prepend array_cat cardinality array_dims array_ndims generate_series
generate_subscripts coalesce nullif greatest least abs ceil ceiling floor round trunc sign sqrt cbrt power pow
exp ln log log10 mod div pi degrees radians sin cos tan asin acos atan atan2 width_bucket gcd lcm factorial
random gen_random_uuid uuid_generate_v4 now current_timestamp current_date current_time localtime
localtimestamp clock_timestamp statement_timestamp transaction_timestamp timeofday date_part date_trunc
extract age make_date make_time make_timestamp make_timestamptz make_interval justify_days justify_hours
justify_interval isfinite to_json to_jsonb row_to_json array_to_json json_build_object jsonb_build_object
json_build_array jsonb_build_array json_object jsonb_object json_typeof jsonb_typeof json_array_length
jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text json_extract_path jsonb_extract_path
json_extract_path_text jsonb_extract_path_text json_object_keys jsonb_object_keys json_array_elements
jsonb_array_elements json_array_elements_text jsonb_array_elements_text jsonb_set jsonb_insert
jsonb_strip_nulls json_strip_nulls jsonb_pretty jsonb_path_query jsonb_path_exists jsonb_path_match
jsonb_path_query_array jsonb_path_query_first json_populate_record jsonb_populate_record json_to_record
jsonb_to_record json_to_recordset jsonb_to_recordset to_tsvector to_tsquery plainto_tsquery
phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline current_user current_role
session_user user current_schema current_schemas current_database current_catalog current_setting
version pg_backend_pid inet_client_addr inet_server_addr has_table_privilege has_schema_privilege
has_column_privilege has_database_privilege has_function_privilege pg_has_role pg_typeof
pg_column_size pg_total_relation_size pg_relation_size pg_table_size pg_indexes_size pg_database_size
pg_size_pretty pg_get_viewdef pg_get_indexdef pg_get_constraintdef pg_get_functiondef pg_get_expr
pg_get_userbyid pg_table_is_visible pg_is_in_recovery pg_postmaster_start_time txid_current
pg_current_xact_id obj_description col_description format_type to_regclass to_regtype to_regproc
bool int2 int4 int8 float4 float8 numeric text varchar date timestamp timestamptz interval
num_nonnulls num_nulls array_fill string_agg xmlelement xmlforest xmlagg xmlconcat
isempty lower_inc upper_inc lower_inf upper_inf range_merge int4range int8range numrange tsrange tstzrange daterange
host hostmask masklen netmask network family abbrev broadcast
`;

const SAFE_SET: ReadonlySet<string> = new Set(SAFE.split(/\s+/).filter(Boolean));

const EXACT: Readonly<Record<string, FindingCode>> = {
  pg_read_file: 'server-file', pg_read_binary_file: 'server-file', pg_ls_dir: 'server-file',
  pg_stat_file: 'server-file', pg_ls_logdir: 'server-file', pg_ls_waldir: 'server-file',
  pg_ls_tmpdir: 'server-file', pg_ls_archive_statusdir: 'server-file', pg_file_write: 'server-file',
  pg_file_rename: 'server-file', pg_file_unlink: 'server-file', pg_file_sync: 'server-file',
  lo_import: 'large-object-write', lo_export: 'large-object-write', lo_unlink: 'large-object-write',
  lo_create: 'large-object-write', lo_creat: 'large-object-write', lo_put: 'large-object-write',
  lowrite: 'large-object-write', lo_from_bytea: 'large-object-write', lo_truncate: 'large-object-write',
  lo_truncate64: 'large-object-write', lo_open: 'large-object-write',
  pg_terminate_backend: 'server-admin', pg_cancel_backend: 'server-admin', pg_reload_conf: 'server-admin',
  pg_rotate_logfile: 'server-admin', pg_promote: 'server-admin', pg_switch_wal: 'server-admin',
  pg_create_restore_point: 'server-admin', pg_drop_replication_slot: 'server-admin',
  pg_create_logical_replication_slot: 'server-admin', pg_create_physical_replication_slot: 'server-admin',
  pg_wal_replay_pause: 'server-admin', pg_log_backend_memory_contexts: 'server-admin',
  // These run SQL built at run time from strings or names the gateway cannot see.
  query_to_xml: 'dynamic-sql', query_to_xmlschema: 'dynamic-sql', query_to_xml_and_xmlschema: 'dynamic-sql',
  cursor_to_xml: 'dynamic-sql', cursor_to_xmlschema: 'dynamic-sql', table_to_xml: 'dynamic-sql',
  table_to_xmlschema: 'dynamic-sql', table_to_xml_and_xmlschema: 'dynamic-sql', schema_to_xml: 'dynamic-sql',
  schema_to_xmlschema: 'dynamic-sql', schema_to_xml_and_xmlschema: 'dynamic-sql',
  database_to_xml: 'dynamic-sql', database_to_xmlschema: 'dynamic-sql', database_to_xml_and_xmlschema: 'dynamic-sql',
  postgres_fdw_disconnect: 'foreign-access', postgres_fdw_disconnect_all: 'foreign-access',
  postgres_fdw_get_connections: 'foreign-access',
  nextval: 'side-effect-function', setval: 'side-effect-function', set_config: 'side-effect-function',
  pg_advisory_lock: 'side-effect-function', pg_advisory_lock_shared: 'side-effect-function',
  pg_advisory_xact_lock: 'side-effect-function', pg_advisory_xact_lock_shared: 'side-effect-function',
  pg_try_advisory_lock: 'side-effect-function', pg_try_advisory_lock_shared: 'side-effect-function',
  pg_try_advisory_xact_lock: 'side-effect-function', pg_try_advisory_xact_lock_shared: 'side-effect-function',
  pg_advisory_unlock: 'side-effect-function', pg_advisory_unlock_all: 'side-effect-function',
  pg_notify: 'side-effect-function', pg_sleep: 'side-effect-function', txid_current_if_assigned: 'side-effect-function',
  pg_stat_reset: 'side-effect-function', pg_export_snapshot: 'side-effect-function',
};

/** Classify a call by its name parts (`['pg_catalog','lower']`). Null when it is a known-safe read. */
export function classifyFunction(parts: readonly string[]): FindingCode | null {
  const name = parts[parts.length - 1]!.toLowerCase();
  const schema = parts.length > 1 ? parts[parts.length - 2]!.toLowerCase() : null;
  const builtin = schema === null || schema === 'pg_catalog';
  // Dangerous names are flagged whatever the schema: an extension may install dblink anywhere.
  if (name.startsWith('dblink')) return 'foreign-access';
  const known = EXACT[name];
  if (known) return known;
  if (builtin && SAFE_SET.has(name)) return null;
  return 'unknown-function';
}

/** set_config's first argument names the setting; these change who we are. */
export const ROLE_SETTINGS: ReadonlySet<string> = new Set(['role', 'session_authorization']);
