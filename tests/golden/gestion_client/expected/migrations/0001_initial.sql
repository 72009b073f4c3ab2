-- Migration 0001_initial: creates the tables of gestion_client 1.0.0
-- Written by nocode 0.1.0 from nocode.spec.json; applied by `python -m app migrate`.
-- Regeneration never rewrites it: later spec changes go into later migrations.
-- Class: additive (the strongest of its changes).
--
--   additive     table added: tables.clients (4 fields)
--   additive     table added: tables.produits (6 fields)
--   additive     table added: tables.commandes (6 fields)

SET LOCAL lock_timeout = '5s';

-- Trigram indexes make the case-insensitive substring `search` of lists fast.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Count deltas: exact list counts follow writes without recounting.
CREATE TABLE nocode_count_deltas (
    table_name text NOT NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    old_record jsonb,
    new_record jsonb
);
CREATE INDEX nocode_count_deltas__table_xid_idx ON nocode_count_deltas (table_name, xid);

CREATE TABLE nocode_count_watermarks (
    table_name text PRIMARY KEY,
    watermark xid8 NOT NULL
);

-- The xmin of snapshots noted by pruning, so that it can prune up to one noted a while ago.
CREATE TABLE nocode_count_horizons (
    noted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    noted_xmin xid8 NOT NULL
);

CREATE FUNCTION nocode_count_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO nocode_count_deltas (table_name, new_record)
        SELECT TG_TABLE_NAME, to_jsonb(r) FROM new_records AS r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO nocode_count_deltas (table_name, old_record)
        SELECT TG_TABLE_NAME, to_jsonb(r) FROM old_records AS r;
    ELSE
        INSERT INTO nocode_count_deltas (table_name, old_record, new_record)
        SELECT TG_TABLE_NAME, to_jsonb(o), to_jsonb(n)
        FROM old_records AS o FULL JOIN new_records AS n USING (id);
    END IF;
    RETURN NULL;
END
$$;

-- Every cached count of `target` is recounted: snapshots that may not see this
-- transaction fall below the watermark (its xid + 1), and its deltas go.
CREATE FUNCTION nocode_count_reset(target text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    mark xid8 := (pg_current_xact_id()::text::numeric + 1)::text::xid8;
BEGIN
    INSERT INTO nocode_count_watermarks AS w (table_name, watermark) VALUES (target, mark)
    ON CONFLICT (table_name) DO UPDATE SET watermark = greatest(w.watermark, excluded.watermark);
    DELETE FROM nocode_count_deltas WHERE table_name = target AND xid < mark;
END
$$;

CREATE FUNCTION nocode_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nocode_count_reset(TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- Run now and then by every app process (idempotent): notes the current snapshot's xmin,
-- and deletes the deltas below the newest xmin noted at least `keep` ago, raising the
-- watermarks of their tables to it. Counts cached within `keep` stay usable.
CREATE FUNCTION nocode_count_prune(keep interval) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    horizon xid8;
BEGIN
    INSERT INTO nocode_count_horizons (noted_xmin)
    VALUES (pg_snapshot_xmin(pg_current_snapshot()));
    SELECT max(noted_xmin) INTO horizon FROM nocode_count_horizons
    WHERE noted_at <= clock_timestamp() - keep;
    IF horizon IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM nocode_count_horizons
    WHERE noted_at <= clock_timestamp() - keep AND noted_xmin < horizon;
    WITH gone AS (DELETE FROM nocode_count_deltas WHERE xid < horizon RETURNING table_name)
    INSERT INTO nocode_count_watermarks AS w (table_name, watermark)
    SELECT DISTINCT table_name, horizon FROM gone
    ON CONFLICT (table_name) DO UPDATE SET watermark = greatest(w.watermark, excluded.watermark);
END
$$;

-- Record events: every write of a record leaves an event.
CREATE TABLE nocode_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    operation text NOT NULL CHECK (operation IN ('created', 'updated', 'deleted')),
    record_id bigint NOT NULL,
    record jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    position bigint
);
-- Partial: a write's INSERT updates the primary key only; numbering fills this index.
CREATE UNIQUE INDEX nocode_events__position_key ON nocode_events (position)
    WHERE position IS NOT NULL;
CREATE SEQUENCE nocode_event_positions OWNED BY nocode_events.position;

CREATE FUNCTION nocode_record_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO nocode_events (table_name, operation, record_id, record)
        SELECT TG_TABLE_NAME, 'deleted', r.id, to_jsonb(r) FROM old_records AS r;
    ELSE
        INSERT INTO nocode_events (table_name, operation, record_id, record)
        SELECT TG_TABLE_NAME, CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END,
               r.id, to_jsonb(r)
        FROM new_records AS r;
    END IF;
    RETURN NULL;
END
$$;

-- tables.clients: added
CREATE TABLE clients (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nom varchar(100) NOT NULL,
    email varchar(254) NOT NULL,
    telephone varchar(32),
    adresse text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE clients IS 'Gestion des clients de l''entreprise';
COMMENT ON COLUMN clients.nom IS 'Nom complet';
COMMENT ON COLUMN clients.email IS 'Email professionnel';
COMMENT ON COLUMN clients.telephone IS 'Téléphone';
COMMENT ON COLUMN clients.adresse IS 'Adresse';
CREATE UNIQUE INDEX idx_clients_email ON clients (lower(email));
CREATE INDEX idx_clients_nom ON clients (nom);
CREATE INDEX clients__created_at_idx ON clients (created_at);
CREATE INDEX clients__nom_trgm_idx ON clients USING gin (nom gin_trgm_ops);
CREATE INDEX clients__email_trgm_idx ON clients USING gin (email gin_trgm_ops);
CREATE INDEX clients__telephone_trgm_idx ON clients USING gin (telephone gin_trgm_ops);
CREATE TRIGGER clients__counts_inserted AFTER INSERT ON clients
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER clients__counts_updated AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER clients__counts_deleted AFTER DELETE ON clients
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER clients__counts_truncated AFTER TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_truncated();
CREATE TRIGGER clients__events_created AFTER INSERT ON clients
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();
CREATE TRIGGER clients__events_updated AFTER UPDATE ON clients
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();
CREATE TRIGGER clients__events_deleted AFTER DELETE ON clients
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();

-- tables.produits: added
CREATE TABLE produits (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference varchar(50) NOT NULL,
    nom varchar(200) NOT NULL,
    description text,
    prix numeric(10, 2) NOT NULL,
    stock bigint NOT NULL,
    actif boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT produits__reference_key UNIQUE (reference)
);
COMMENT ON TABLE produits IS 'Catalogue des produits';
COMMENT ON COLUMN produits.reference IS 'Référence';
COMMENT ON COLUMN produits.nom IS 'Nom';
COMMENT ON COLUMN produits.description IS 'Description';
COMMENT ON COLUMN produits.prix IS 'Prix';
COMMENT ON COLUMN produits.stock IS 'Stock';
COMMENT ON COLUMN produits.actif IS 'Actif';
CREATE INDEX produits__created_at_idx ON produits (created_at);
CREATE INDEX produits__reference_trgm_idx ON produits USING gin (reference gin_trgm_ops);
CREATE INDEX produits__nom_trgm_idx ON produits USING gin (nom gin_trgm_ops);
CREATE INDEX produits__prix_idx ON produits (prix);
CREATE INDEX produits__stock_idx ON produits (stock);
CREATE TRIGGER produits__counts_inserted AFTER INSERT ON produits
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER produits__counts_updated AFTER UPDATE ON produits
    REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER produits__counts_deleted AFTER DELETE ON produits
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER produits__counts_truncated AFTER TRUNCATE ON produits
    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_truncated();
CREATE TRIGGER produits__events_created AFTER INSERT ON produits
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();
CREATE TRIGGER produits__events_updated AFTER UPDATE ON produits
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();
CREATE TRIGGER produits__events_deleted AFTER DELETE ON produits
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();

-- tables.commandes: added
CREATE TABLE commandes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    numero varchar(20) NOT NULL,
    client_id bigint NOT NULL,
    date_commande date NOT NULL,
    statut text NOT NULL DEFAULT 'en_attente',
    montant_total numeric(12, 2),
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commandes__numero_key UNIQUE (numero),
    CONSTRAINT commandes__statut_check CHECK (statut IN ('en_attente', 'payee', 'expediee', 'livree', 'annulee'))
);
COMMENT ON TABLE commandes IS 'Commandes passées par les clients';
COMMENT ON COLUMN commandes.numero IS 'Numéro';
COMMENT ON COLUMN commandes.client_id IS 'Client';
COMMENT ON COLUMN commandes.date_commande IS 'Date de commande';
COMMENT ON COLUMN commandes.statut IS 'Statut';
COMMENT ON COLUMN commandes.montant_total IS 'Montant total';
COMMENT ON COLUMN commandes.notes IS 'Notes';
CREATE INDEX commandes__created_at_idx ON commandes (created_at);
CREATE INDEX commandes__numero_trgm_idx ON commandes USING gin (numero gin_trgm_ops);
CREATE INDEX commandes__client_id_idx ON commandes (client_id);
CREATE TRIGGER commandes__counts_inserted AFTER INSERT ON commandes
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER commandes__counts_updated AFTER UPDATE ON commandes
    REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER commandes__counts_deleted AFTER DELETE ON commandes
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_delta();
CREATE TRIGGER commandes__counts_truncated AFTER TRUNCATE ON commandes
    FOR EACH STATEMENT EXECUTE FUNCTION nocode_count_truncated();
CREATE TRIGGER commandes__events_created AFTER INSERT ON commandes
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();
CREATE TRIGGER commandes__events_updated AFTER UPDATE ON commandes
    REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();
CREATE TRIGGER commandes__events_deleted AFTER DELETE ON commandes
    REFERENCING OLD TABLE AS old_records FOR EACH STATEMENT EXECUTE FUNCTION nocode_record_event();

ALTER TABLE commandes ADD CONSTRAINT commandes__client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE;
