-- 0004: the placement constraints a run's loaders were started with on a Docker Swarm
-- ("node.role==worker", …), as a JSON array, so that a restarted or resumed run is placed the same
-- way. '[]': anywhere (and always for loaders run as containers).
ALTER TABLE runs ADD COLUMN placement_json TEXT NOT NULL DEFAULT '[]';
