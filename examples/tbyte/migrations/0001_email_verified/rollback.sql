-- Undoes the expand (only possible before contract): v1 never used these.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_verified_not_null;
ALTER TABLE users DROP COLUMN IF EXISTS email_verified;
