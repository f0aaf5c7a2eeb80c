-- Runs once v1 is gone and the bake time has passed: nothing reads email_confirmed_at any more.
ALTER TABLE users VALIDATE CONSTRAINT users_email_verified_not_null;
ALTER TABLE users DROP COLUMN IF EXISTS email_confirmed_at;
