-- Applied to the `ferretdb` database at every start of FerretDB on PostgreSQL (idempotent).
--
-- FerretDB v1.24 pushes an equality filter down as `_jsonb->'<field>' @> '<value>'` (containment;
-- internal/backends/postgresql/query.go), but builds each MongoDB index as a btree on
-- `(_jsonb->'<field>')`, which cannot answer `@>`: every findOne({_id}), every update (a query by
-- _id first) and every query by conversationId reads the whole table (ADR 0010). For each btree index
-- FerretDB creates, this adds a GIN twin on its first key expression, which does answer `@>`; with
-- plan_cache_mode = force_custom_plan (omni.conf) the planner sees the field name and uses it.
-- Local store only: FerretDB keeps its own index list and never sees these; MongoDB in production
-- uses the schemas' indexes as declared.

CREATE OR REPLACE FUNCTION omni_gin_twin() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
  tbl regclass;
  am name;
  expr text;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    SELECT i.indrelid::regclass, a.amname, pg_get_indexdef(i.indexrelid, 1, false)
      INTO tbl, am, expr
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE i.indexrelid = cmd.objid;
    -- Only FerretDB's btrees on a top-level field (its own twins are GIN: no recursion).
    CONTINUE WHEN am IS DISTINCT FROM 'btree' OR expr !~ '^\(*_jsonb -> ''[^'']+''::text\)*$';
    -- fastupdate off: a bulk load would otherwise leave a pending list every lookup scans linearly.
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s)) WITH (fastupdate = off)',
                   'omni_gin_' || md5(tbl::text || expr), tbl, expr);
  END LOOP;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'omni_gin_twin') THEN
    CREATE EVENT TRIGGER omni_gin_twin ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION omni_gin_twin();
  END IF;
END
$do$;
