-- FerretDB v1 (PostgreSQL handler) pushes a filter `{field: value}` down as
--   _jsonb -> 'field' @> '"value"'
-- but creates a collection's indexes as btree on (_jsonb -> 'field'), which `@>` cannot use: every
-- query, `_id` lookups included, scans the whole table (FerretDB issue #4646). This gives each key of
-- such a btree index a GIN twin, which `@>` uses, so a lookup by `_id` or by an indexed
-- field's equality costs the same at 100,000 documents as at 100 (ADR 0010).
CREATE OR REPLACE FUNCTION omni_gin_twin(index_oid oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  am text;
  tbl regclass;
  keys int;
  expr text;
BEGIN
  SELECT a.amname, i.indrelid::regclass, i.indnkeyatts INTO am, tbl, keys
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
   WHERE i.indexrelid = index_oid;
  IF am IS DISTINCT FROM 'btree' THEN RETURN; END IF;
  -- One twin per key of the index (PostgreSQL combines them for a filter on several fields).
  FOR k IN 1..keys LOOP
    expr := pg_get_indexdef(index_oid, k, true);
    -- Only FerretDB's document column: (_jsonb -> 'field').
    CONTINUE WHEN expr IS NULL OR expr !~ '^\(?_jsonb -> ''[^'']+''::text\)?$';
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s))',
      left((SELECT relname FROM pg_class WHERE oid = tbl), 40) || '_' || left(md5(expr), 12) || '_gin', tbl, expr);
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION omni_gin_twins_on_create() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM omni_gin_twin(r.objid);
  END LOOP;
END
$fn$;

DROP EVENT TRIGGER IF EXISTS omni_gin_twins;
CREATE EVENT TRIGGER omni_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION omni_gin_twins_on_create();

-- Indexes made before the trigger existed (a data directory from an older checkout).
DO $do$
DECLARE r record;
BEGIN
  FOR r IN SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE a.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    PERFORM omni_gin_twin(r.indexrelid);
  END LOOP;
END
$do$;
