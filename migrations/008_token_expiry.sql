-- Personal API tokens expire (chosen at creation, a year at most) and say why they stopped
-- working. Tokens that existed before get the default 90 days from now.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_reason TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days') WHERE expires_at IS NULL;

-- Failed sign-ins are grouped per email in one open audit entry: finding it must stay cheap.
CREATE INDEX audit_log_action_actor ON audit_log (action, actor, at);
