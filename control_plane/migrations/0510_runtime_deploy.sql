-- Deployments: where an SSH target keeps the apps it serves. Each app's instance lives in
-- <apps_root>/<app_id>-<environment>, so that two apps, or two environments of one app,
-- never share a folder on a host. At most 16 characters, so that the instance's folder
-- stays within the role's 64 (its Unix sockets live under it).
ALTER TABLE runtime_targets
    ADD COLUMN apps_root text NOT NULL DEFAULT '/srv/nocode'
        CHECK (apps_root ~ '^/[A-Za-z0-9._/-]{0,15}$');
