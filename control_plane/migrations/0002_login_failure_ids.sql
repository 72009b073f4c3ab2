-- A login reserves its slot (a login_failures row) before the password is checked; a
-- login that succeeds deletes the row it reserved for its address, found by this id.
ALTER TABLE login_failures ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
