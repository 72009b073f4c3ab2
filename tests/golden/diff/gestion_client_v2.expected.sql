-- Migration 0002_v1_1_0: gestion_client: 1.0.0 -> 1.1.0, 7 changes
-- Written by nocode 0.1.0 from nocode.spec.json; applied by `python -m app migrate`.
-- Regeneration never rewrites it: later spec changes go into later migrations.
-- Class: destructive (the strongest of its changes).
--
--   locking      field renamed: tables.clients.fields.nom_complet (from nom: ALTER TABLE RENAME COLUMN, a brief exclusive lock, values kept)
--   additive     type changed: tables.clients.fields.nom_complet (varchar(100) -> varchar(150): no rewrite)
--   additive     field added: tables.clients.fields.ville (varchar(255), nullable)
--   locking      type changed: tables.produits.fields.stock (bigint -> numeric: rewrites the table (USING numeric))
--   destructive  field dropped: tables.produits.fields.description (text: its values are lost)
--   locking      choices changed: tables.commandes.fields.statut (check replaced; removed: annulee; fails if a record holds one)
--   locking      made required: tables.commandes.fields.notes (NOT NULL checked by a scan (CHECK NOT VALID, then VALIDATE); fails if a record has no value: give the field a default_value)

SET LOCAL lock_timeout = '5s';

-- tables.clients.fields.nom_complet: renamed from nom, values kept
ALTER TABLE clients RENAME COLUMN nom TO nom_complet;

ALTER INDEX clients__nom_trgm_idx RENAME TO clients__nom_complet_trgm_idx;

-- tables.commandes.fields.statut: replaced or dropped
ALTER TABLE commandes DROP CONSTRAINT commandes__statut_check;

-- DROPS tables.produits.fields.description (text) and every value it holds
ALTER TABLE produits DROP COLUMN description;

-- tables.clients.fields.nom_complet: varchar(100) -> varchar(150)
ALTER TABLE clients ALTER COLUMN nom_complet TYPE varchar(150);

-- tables.clients.fields.ville: added
ALTER TABLE clients ADD COLUMN ville varchar(255);

COMMENT ON COLUMN clients.ville IS 'Ville';

-- Cached list counts of clients recounted: its columns changed.
SELECT nocode_count_reset('clients');

-- tables.produits.fields.stock: bigint -> numeric
ALTER TABLE produits ALTER COLUMN stock TYPE numeric USING stock::numeric;

-- Cached list counts of produits recounted: its columns changed.
SELECT nocode_count_reset('produits');

-- tables.commandes.fields.notes: stop here if the data does not allow it
DO $nocode$
DECLARE
    found text;
BEGIN
    SELECT string_agg(sample, ', ') INTO found
    FROM (SELECT id::text AS sample FROM commandes WHERE notes IS NULL LIMIT 5) AS problem;
    IF found IS NOT NULL THEN
        RAISE EXCEPTION '%', 'tables.commandes.fields.notes: required now, but records have no value (ids); give the field a default_value or fill them first: ' || found;
    END IF;
END
$nocode$;

-- tables.commandes.fields.statut: stop here if the data does not allow it
DO $nocode$
DECLARE
    found text;
BEGIN
    SELECT string_agg(sample, ', ') INTO found
    FROM (SELECT DISTINCT quote_literal(statut) AS sample FROM commandes WHERE statut NOT IN ('en_attente', 'payee', 'expediee', 'livree') LIMIT 5) AS problem;
    IF found IS NOT NULL THEN
        RAISE EXCEPTION '%', 'tables.commandes.fields.statut: records hold values that are no longer choices: ' || found;
    END IF;
END
$nocode$;

-- tables.commandes.fields.notes: required; proven by a check first, so that SET NOT NULL needs no scan
ALTER TABLE commandes ADD CONSTRAINT commandes__notes_not_null CHECK (notes IS NOT NULL) NOT VALID;

-- tables.commandes.fields.statut: checked for new writes now, for existing records below
ALTER TABLE commandes ADD CONSTRAINT commandes__statut_check CHECK (statut IN ('en_attente', 'payee', 'expediee', 'livree')) NOT VALID;

-- nocode:concurrently
-- Below, each statement runs on its own, outside the transaction, so that
-- the tables stay writable (statements are separated by blank lines).

SET lock_timeout = '5s';

-- tables.clients.fields.ville: built without blocking writes
CREATE INDEX CONCURRENTLY IF NOT EXISTS clients__ville_trgm_idx ON clients USING gin (ville gin_trgm_ops);

ALTER TABLE commandes VALIDATE CONSTRAINT commandes__notes_not_null;

ALTER TABLE commandes ALTER COLUMN notes SET NOT NULL;

ALTER TABLE commandes DROP CONSTRAINT IF EXISTS commandes__notes_not_null;

ALTER TABLE commandes VALIDATE CONSTRAINT commandes__statut_check;
