-- One batch of at most 1000 rows; Baton repeats it until it changes nothing. It only touches
-- rows that disagree, so it is safe to run again (Baton runs it once more before contract, for
-- rows v1 wrote during the canary).
UPDATE users SET email_verified = (email_confirmed_at IS NOT NULL)
WHERE id IN (
  SELECT id FROM users
  WHERE email_verified IS DISTINCT FROM (email_confirmed_at IS NOT NULL)
  ORDER BY id
  LIMIT 1000
);
