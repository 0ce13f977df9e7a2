-- demo.sql: the demo project used by ./scripts/run and the tests (idempotent).
INSERT IGNORE INTO projects (id, name) VALUES ('demo', 'Demo');
INSERT IGNORE INTO platforms (project_id, id, type, name, hostname)
  VALUES ('demo', 'web-localhost', 'web', 'localhost', 'localhost'),
         ('demo', 'web-127', 'web', 'loopback', '127.0.0.1');
