-- Integrations (automation part `integrations`): the names of the secrets an integration
-- holds (their values stay encrypted in `secrets`), so that answers can say
-- `<key>_configured` without decrypting; and the result of its last connection test.
ALTER TABLE automation_integrations
    ADD COLUMN secret_keys text[] NOT NULL DEFAULT '{}',
    ADD COLUMN health jsonb;

-- The node runs that used an integration (usage_statistics), by the node's config.
CREATE INDEX automation_nodes_integration_idx
    ON automation_nodes ((config ->> 'integration')) WHERE config ? 'integration';
