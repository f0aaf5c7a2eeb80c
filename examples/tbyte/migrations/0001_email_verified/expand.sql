-- v2 reads a boolean email_verified instead of email_confirmed_at.
-- Expand: a nullable column with a constant default (stored once in the catalog, no rewrite),
-- which v1 never mentions and so tolerates.
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_verified boolean DEFAULT false;

-- NOT NULL without the ACCESS EXCLUSIVE scan: checked for new rows now, validated in contract.
ALTER TABLE users ADD CONSTRAINT users_email_verified_not_null CHECK (email_verified IS NOT NULL) NOT VALID;
