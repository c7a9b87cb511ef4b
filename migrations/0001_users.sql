-- Who may do what. Firebase Authentication proves identity; this table decides permissions.
CREATE TABLE users (
  uid        text PRIMARY KEY,                 -- the Firebase user id (token "sub")
  email      text NOT NULL,
  is_active  boolean NOT NULL DEFAULT true,
  is_admin   boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Emails are compared case-insensitively, as Firebase does.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
